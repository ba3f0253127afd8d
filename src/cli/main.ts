import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRedactor } from '../core/redact.js';
import { errors, HeraldError, isHeraldError } from '../errors/index.js';
import { docsHelp } from './commands/docs-help.js';
import { serveHelp, subscribersHelp } from './commands/email-help.js';
import { emulateHelp } from './commands/emulate-help.js';
import { initHelp } from './commands/init-help.js';
import { announceHelp, prepareHelp, releaseHelp } from './commands/release-help.js';
import { usersHelp } from './commands/users-help.js';
import { createOutput } from './output.js';

const mainHelp = `Usage: herald <command> [options]

Release notes from conventional commits, held until announce day.

Commands:
  init         write a starting .releaserc.json from what the repository shows
  notes        print (or --write) the release notes since the last release tag
  changelog    rebuild CHANGELOG.md from every release tag (--rebuild)
  docs         compile the product docs at a release: build, check, diff
  prepare      store the release's notes and docs as an embargoed bundle
  schedule     set when a prepared release is announced (--at, --tz, --now)
  hold         take a release off the schedule, keep it
  cancel       cancel a release's announcement
  list         prepared releases: status, announce time, revision, deliveries
  show         one release: state, content, notes
  preview      write every artefact of a release as files to open
  edit         reword, hide, reorder the notes of a release; add an intro
  log          the audit log of a release
  announce     publish every release that is due (--dry-run: the plan only)
  status       the delivery ledger of a release
  retry        re-queue a release's failed deliveries
  doctor       check the store and each channel's credentials and settings
  subscribers  the email subscribers: import a CSV, add, remove, list, export
  serve        the dashboard, the subscribe / confirm / unsubscribe endpoints and the scheduler
  users        who may sign in to the dashboard: add, remove, list, reset
  emulate      run a local Slack API for a rehearsal (emulate slack)
  schema       print the JSON Schema of .releaserc.json

Global options:
  --cwd <dir>       run in this directory (default: the current one)
  --config <file>   config file (default: the one semantic-release reads in the repository
                    root: .releaserc.json, .releaserc(.yaml), release.config.js, package.json…)
  --json            machine-readable output on stdout; logs stay on stderr
  -h, --help        help for a command
  --version         print Herald's version

Environment: NO_COLOR disables colour; HERALD_DATABASE_URL picks a PostgreSQL store;
HERALD_ACTOR names you in the audit log. Exit codes: 0 ok, 1 failure, 2 bad usage or input.`;

/**
 * A command's module loads only when it runs (or its help is asked for): start-up is most of a
 * typical `herald notes`, and each command pulls in its own libraries (the config schema,
 * templates, the Markdown toolchain, store drivers). Help texts are plain strings, loaded eagerly.
 */
interface Command {
  help: string | (() => Promise<string>);
  run(argv: string[], output: ReturnType<typeof createOutput>, cwd: string): Promise<number>;
}

const commands: Record<string, Command> = {
  init: {
    help: initHelp,
    run: async (argv, output, cwd) => (await import('./commands/init.js')).runInit(argv, output, cwd),
  },
  notes: {
    help: async () => (await import('./commands/notes.js')).notesHelp,
    run: async (argv, output, cwd) => (await import('./commands/notes.js')).runNotes(argv, output, cwd),
  },
  changelog: {
    help: async () => (await import('./commands/notes.js')).changelogHelp,
    run: async (argv, output, cwd) => (await import('./commands/notes.js')).runChangelog(argv, output, cwd),
  },
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
        run: async (argv: string[], output: ReturnType<typeof createOutput>, cwd: string) =>
          (await import('./commands/release.js')).runReleaseCommand(name, argv, output, cwd),
      },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(announceHelp).map(([name, help]) => [
      name,
      {
        help,
        run: async (argv: string[], output: ReturnType<typeof createOutput>, cwd: string) =>
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

async function helpOf(command: Command): Promise<string> {
  return typeof command.help === 'string' ? command.help : await command.help();
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Runs one CLI invocation and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
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
