import { errors } from '../../errors/index.js';
import type { UserRole } from '../../ports/users.js';
import { hashPassword } from '../../server/auth/passwords.js';
import { parseCommandArgs } from '../args.js';
import { common, withContext } from '../context.js';
import type { Output } from '../output.js';

const options = { ...common, role: { type: 'string' }, 'password-stdin': { type: 'boolean' } } as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const MIN_PASSWORD = 12;
const MAX_PASSWORD = 1024;

function roleOf(value: string | undefined): UserRole | undefined {
  if (value === undefined || value === 'viewer' || value === 'manager') return value;
  throw errors.usage(`--role ${value} is not a role`, 'Pass --role viewer (read only) or --role manager.');
}

function nameOf(positionals: string[], action: string): string {
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0)
    throw errors.usage(
      name ? `unexpected argument "${extra[0]}"` : `herald users ${action} needs a user name`,
      `Run \`herald users ${action} <name>\`.`,
    );
  if (!NAME.test(name))
    throw errors.usage(
      `"${name}" is not a user name`,
      'Use up to 64 letters, digits and . _ @ -, starting with a letter or digit.',
    );
  return name;
}

/** Up to the first line break of stdin: `printf '%s\n' "$PASSWORD" | herald users add …`. */
async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk as string;
    if (text.includes('\n') || text.length > MAX_PASSWORD + 2) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** Reads a line from the terminal without echoing it. */
function askHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  // Raw mode (no echo) before the prompt: nothing typed once it shows is ever echoed.
  input.setRawMode(true);
  input.resume();
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003' || char === '\u0004')
          return done(errors.usage('no password given', 'Run the command again and type the password.'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (char >= ' ') typed += char;
      }
    };
    input.setEncoding('utf8').on('data', onData);
  });
}

async function readPassword(fromStdin: boolean): Promise<string> {
  let password: string;
  if (fromStdin) password = await firstLineOfStdin();
  else if (process.stdin.isTTY) {
    password = await askHidden('Password: ');
    if ((await askHidden('Again: ')) !== password) throw errors.passwordRefused('the two entries differ');
  } else
    throw errors.usage(
      'no terminal to ask the password on',
      'Pipe it in with --password-stdin, e.g. printf "%s\\n" "$PASSWORD" | herald users add ada --password-stdin.',
    );
  if (password.length < MIN_PASSWORD) throw errors.passwordRefused(`shorter than ${MIN_PASSWORD} characters`);
  if (password.length > MAX_PASSWORD) throw errors.passwordRefused(`longer than ${MAX_PASSWORD} characters`);
  return password;
}

/** `herald users add|remove|list|reset`: dashboard users in the store. */
export async function runUsers(argv: string[], output: Output, cwd: string): Promise<number> {
  const [action = '', ...rest] = argv;
  const { values, positionals } = parseCommandArgs(rest, options, `users ${action}`);
  const role = roleOf(values.role);
  if (!['add', 'remove', 'list', 'reset'].includes(action))
    throw errors.usage(
      action ? `herald users has no "${action}"` : 'herald users needs what to do',
      'Run `herald users add|remove|list|reset`; `herald users --help` explains each.',
    );
  const name = action === 'list' ? null : nameOf(positionals, action);
  if (action === 'list' && positionals.length > 0)
    throw errors.usage(`unexpected argument "${positionals[0]}"`, 'Run `herald users list`.');
  // Asked before the store is opened: a typo in the password does not hold a connection.
  const password =
    action === 'add' || action === 'reset' ? await readPassword(values['password-stdin'] === true) : '';
  return withContext(values, output, cwd, async ({ store }) => {
    const known = async () => (await store.listUsers()).map((u) => u.name);
    switch (action) {
      case 'list': {
        const users = await store.listUsers();
        if (output.json)
          output.out(
            JSON.stringify(
              {
                ok: true,
                users: users.map((u) => ({ ...u, createdAt: new Date(u.createdAt).toISOString() })),
              },
              null,
              2,
            ),
          );
        else if (users.length === 0)
          output.info('No dashboard users yet: `herald users add <name> --role manager`.');
        else
          for (const u of users)
            output.out(`${u.name}  ${u.role}  added ${new Date(u.createdAt).toISOString()}`);
        return 0;
      }
      case 'add':
        if (!(await store.addUser(name!, role ?? 'viewer', await hashPassword(password))))
          throw errors.userExists(name!);
        break;
      case 'reset':
        if (!(await store.resetUser(name!, await hashPassword(password), role)))
          throw errors.unknownUser(name!, await known());
        break;
      case 'remove':
        if (!(await store.removeUser(name!))) throw errors.unknownUser(name!, await known());
        break;
    }
    const done = { add: 'added', reset: 'has a new password; signed out everywhere', remove: 'removed' }[
      action as 'add' | 'reset' | 'remove'
    ];
    if (output.json) output.out(JSON.stringify({ ok: true, user: name, action }));
    else output.info(`${name} ${done}${action === 'add' ? ` (${role ?? 'viewer'})` : ''}.`);
    return 0;
  });
}
