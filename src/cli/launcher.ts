#!/usr/bin/env node
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runWithCodeCache } from './code-cache.js';

/** The content hash of dist/bin/notes.cjs, written in by scripts/bundle-cli.mjs. */
declare const HERALD_NOTES_BUNDLE_HASH: string;

/**
 * `herald` as installed (package.json "bin": dist/bin/herald.cjs). Node 20 caches no compiled
 * code for ES modules, and parsing Herald's own code is most of a typical `herald notes` (CI runs
 * it on every release), so the commands that make notes run from one CommonJS bundle whose
 * compiled code V8 keeps on disk (code-cache.ts). Every other command loads the ES module build,
 * dist/bin/herald.js, which splits each command's libraries into chunks loaded on demand.
 */
const FAST_COMMANDS = new Set(['notes', 'changelog']);
/** Flags whose libraries the fast bundle leaves out (see scripts/bundle-cli.mjs): the full build runs them. */
const FULL_BUILD_FLAGS = ['--html', '--dry-run'];
const [command, ...args] = process.argv.slice(2);
const fast =
  command !== undefined &&
  FAST_COMMANDS.has(command) &&
  !args.some((arg) => FULL_BUILD_FLAGS.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));

if (fast) {
  runWithCodeCache(path.join(__dirname, 'notes.cjs'), HERALD_NOTES_BUNDLE_HASH);
} else {
  // A URL the bundler leaves alone: the ES module build is a file beside this one, not bundled in.
  import(pathToFileURL(path.join(__dirname, 'herald.js')).href);
}
