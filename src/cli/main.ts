import { docsHelp } from './commands/docs-help.js';
import { serveHelp, subscribersHelp } from './commands/email-help.js';
import { emulateHelp } from './commands/emulate-help.js';
import { initHelp } from './commands/init-help.js';
import { announceHelp, prepareHelp, releaseHelp } from './commands/release-help.js';
import { usersHelp } from './commands/users-help.js';
import { type Command, dispatch, notesCommands } from './dispatch.js';
import { mainHelp } from './main-help.js';

const commands: Record<string, Command> = {
  init: {
    help: initHelp,
    run: async (argv, output, cwd) => (await import('./commands/init.js')).runInit(argv, output, cwd),
  },
  ...notesCommands,
  docs: {
    help: docsHelp,
    // Loaded on demand: the Markdown toolchain is large and `herald notes` does not need it.
    run: async (argv, output, cwd) => (await import('./commands/docs.js')).runDocs(argv, output, cwd),
  },
  prepare: {
    help: prepareHelp,
    run: async (argv, output, cwd) => (await import('./commands/prepare.js')).runPrepare(argv, output, cwd),
  },
  ...Object.fromEntries(
    Object.entries(releaseHelp).map(([name, help]) => [
      name,
      {
        help,
        run: async (argv: string[], output: Parameters<Command['run']>[1], cwd: string) =>
          (await import('./commands/release.js')).runReleaseCommand(name, argv, output, cwd),
      },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(announceHelp).map(([name, help]) => [
      name,
      {
        help,
        run: async (argv: string[], output: Parameters<Command['run']>[1], cwd: string) =>
          (await import('./commands/announce.js')).runAnnounceCommand(name, argv, output, cwd),
      },
    ]),
  ),
  subscribers: {
    help: subscribersHelp,
    run: async (argv, output, cwd) =>
      (await import('./commands/subscribers.js')).runSubscribers(argv, output, cwd),
  },
  serve: {
    help: serveHelp,
    run: async (argv, output, cwd) => (await import('./commands/serve.js')).runServe(argv, output, cwd),
  },
  users: {
    help: usersHelp,
    run: async (argv, output, cwd) => (await import('./commands/users.js')).runUsers(argv, output, cwd),
  },
  emulate: {
    help: emulateHelp,
    run: async (argv, output, cwd) => (await import('./commands/emulate.js')).runEmulate(argv, output, cwd),
  },
  schema: {
    help: async () => (await import('./commands/schema.js')).schemaHelp,
    run: async (_argv, output) => {
      const { configJsonSchema } = await import('./commands/schema.js');
      output.out(JSON.stringify(configJsonSchema(), null, 2));
      return 0;
    },
  },
};

/** Runs one CLI invocation and returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return dispatch(argv, commands, mainHelp);
}
