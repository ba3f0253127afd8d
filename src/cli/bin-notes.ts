import { runAsProcess } from './as-process.js';
import { dispatch, notesCommands } from './dispatch.js';
import { mainHelp } from './main-help.js';

// The fast path's entry (dist/bin/notes.cjs, see launcher.ts): only the commands that make notes.
runAsProcess((argv) => dispatch(argv, notesCommands, mainHelp));
