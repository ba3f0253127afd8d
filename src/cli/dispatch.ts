import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRedactor } from '../core/redact.js';
import { errors, HeraldError, isHeraldError } from '../errors/index.js';
import { createOutput } from './output.js';

/**
 * A command's module loads only when it runs (or its help is asked for): start-up is most of a
 * typical `herald notes`, and each command pulls in its own libraries (the config schema,
 * templates, the Markdown toolchain, store drivers). Help texts are plain strings, loaded eagerly.
 */
export interface Command {
  help: string | (() => Promise<string>);
  run(argv: string[], output: ReturnType<typeof createOutput>, cwd: string): Promise<number>;
}

/** The commands that make release notes: the whole CLI has them, and so does its fast path. */
export const notesCommands: Record<'notes' | 'changelog', Command> = {
  notes: {
    help: async () => (await import('./commands/notes.js')).notesHelp,
    run: async (argv, output, cwd) => (await import('./commands/notes.js')).runNotes(argv, output, cwd),
  },
  changelog: {
    help: async () => (await import('./commands/notes.js')).changelogHelp,
    run: async (argv, output, cwd) => (await import('./commands/notes.js')).runChangelog(argv, output, cwd),
  },
};

async function helpOf(command: Command): Promise<string> {
  return typeof command.help === 'string' ? command.help : await command.help();
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Runs one CLI invocation against this command table and returns the exit code. */
export async function dispatch(
  argv: string[],
  commands: Record<string, Command>,
  mainHelp: string,
): Promise<number> {
  const json = argv.includes('--json');
  const color = !json && process.stderr.isTTY === true && !process.env.NO_COLOR;
  const output = createOutput({ json, color, redact: createRedactor(process.env, argv) });
  try {
    const [name, ...rest] = argv;
    if (name === '--version' || name === '-v') {
      output.out(version());
      return 0;
    }
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? rest[0] : undefined;
      output.out(topic && commands[topic] ? await helpOf(commands[topic]) : mainHelp);
      return name === undefined ? 2 : 0;
    }
    const command = commands[name];
    if (!command) {
      throw new HeraldError({
        code: 'EUSAGE',
        message: `unknown command "${name}"`,
        fix: `Run \`herald --help\`; commands: ${Object.keys(commands).join(', ')}.`,
        exitCode: 2,
      });
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      output.out(await helpOf(command));
      return 0;
    }
    const cwd = path.resolve(cwdFlag(rest) ?? process.cwd());
    return await command.run(rest, output, cwd);
  } catch (error) {
    if (isHeraldError(error)) {
      output.error(await withCiCheckoutHint(error));
      return error.exitCode;
    }
    output.bug(error);
    return 1;
  }
}

/** A shallow clone in CI: the fix names that CI's checkout setting (CI detection loads only here). */
async function withCiCheckoutHint(error: HeraldError): Promise<HeraldError> {
  if (error.code !== 'ESHALLOW' && error.code !== 'EMISSINGTAGS') return error;
  const { detectCi } = await import('./ci.js');
  const ci = detectCi();
  return ci ? errors.inCi(error, ci.id) : error;
}

function cwdFlag(argv: string[]): string | undefined {
  const index = argv.findIndex((a) => a === '--cwd' || a.startsWith('--cwd='));
  if (index === -1) return undefined;
  const arg = argv[index]!;
  return arg.includes('=') ? arg.slice('--cwd='.length) : argv[index + 1];
}
