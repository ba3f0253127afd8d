#!/usr/bin/env node
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // main() turns every error into an exit code; reaching this is a bug in Herald itself.
    console.error(error);
    process.exitCode = 1;
  },
);
