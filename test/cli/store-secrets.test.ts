import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

let postgres: TestPostgres;
let repo: TestRepo;
/** `127.0.0.1:<port>/<database>` of a real, empty database. */
let hostAndDb: string;
beforeAll(async () => {
  postgres = await startPostgres();
  hostAndDb = new URL(await postgres.freshDatabase()).href.replace(/^postgres:\/\/[^@]+@/, '');
  repo = new TestRepo();
  repo.commit('feat: first');
});
afterAll(async () => {
  repo?.remove();
  await postgres?.stop();
});

/** Wrong passwords in every shape people write them; none may reach the terminal. */
const cases: Array<{ name: string; url: () => string; password: string }> = [
  {
    name: 'in the query (?password=)',
    url: () => `postgres://herald@${hostAndDb}?password=Query-Secret-91`,
    password: 'Query-Secret-91',
  },
  {
    name: 'with a space',
    url: () => `postgres://herald:Space Secret-92@${hostAndDb}`,
    password: 'Space Secret-92',
  },
  {
    name: 'with a slash',
    url: () => `postgres://herald:Slash/Secret-93@${hostAndDb}`,
    password: 'Slash/Secret-93',
  },
  {
    name: 'percent-encoded',
    url: () => `postgres://herald:Enc%2FSecret-94@${hostAndDb}`,
    password: 'Secret-94',
  },
];

describe('a store URL with a wrong password never prints the password', () => {
  for (const { name, url, password } of cases) {
    it(`--store, password ${name}`, async () => {
      const run = await runCli(['list', '--store', url()], { cwd: repo.dir });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('ESTORE');
      expect(run.stderr).toContain('herald');
      expect(run.stderr + run.stdout).not.toContain(password);
    });

    it(`--store=…, --json, password ${name}`, async () => {
      const run = await runCli(['list', '--json', `--store=${url()}`], { cwd: repo.dir });
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).error.code).toBe('ESTORE');
      expect(run.stderr + run.stdout).not.toContain(password);
    });

    it(`HERALD_DATABASE_URL, password ${name}`, async () => {
      const run = await runCli(['list'], { cwd: repo.dir, env: { HERALD_DATABASE_URL: url() } });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('ESTORE');
      expect(run.stderr + run.stdout).not.toContain(password);
    });
  }

  it('the message still names the user, host and database', async () => {
    const run = await runCli(['list', '--store', `postgres://herald:Space Secret-92@${hostAndDb}`], {
      cwd: repo.dir,
    });
    expect(run.stderr).toContain(`postgres://herald:[redacted]@${hostAndDb}`);
  });
});
