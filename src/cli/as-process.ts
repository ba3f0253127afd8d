/** Runs a CLI entry point as this process: its exit code, and no crash on a closed stdout. */
export function runAsProcess(main: (argv: string[]) => Promise<number>): void {
  // `herald status 1.2.0 | head`: a reader that stops early is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

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
}
