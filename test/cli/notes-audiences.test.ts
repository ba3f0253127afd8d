import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

let repo: TestRepo;

beforeAll(() => {
  repo = new TestRepo('herald-audiences-');
  repo.commit('feat: first release');
  repo.tag('v1.0.0');
  repo.commit('feat: export invoices');
  repo.commit('chore: bump the build image');
  repo.commit('security: rotate the signing keys');
  repo.commit('style: reformat');
});
afterAll(() => repo.remove());

/** `herald notes --audience <name>` with the given herald.notes settings. */
async function notesFor(audience: string, notes: object): Promise<string> {
  repo.write('.releaserc.json', JSON.stringify({ herald: { product: 'Acme', notes } }, null, 2));
  const { code, stdout, stderr } = await runCli(['notes', '--audience', audience, '--cwd', repo.dir]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout;
}

describe('types and audiences', () => {
  it('an audience that lists a type shows it, though no setting un-hides it', async () => {
    const ops = await notesFor('ops', {
      audiences: { ops: { types: ['feat', 'chore'], template: 'customer.hbs' } },
    });
    expect(ops).toContain('### Chores\n\n- Bump the build image');
    expect(ops).toContain('- Export invoices');
    expect(ops).not.toMatch(/reformat|signing keys/i);
  });

  it('`hidden` alone (no title) trims audiences showing "all" types, not one that lists the type', async () => {
    const notes = {
      types: { chore: { hidden: true }, style: { hidden: true } },
      audiences: { ops: { types: ['feat', 'chore'], template: 'customer.hbs' } },
    };
    const internal = await notesFor('internal', notes);
    expect(internal).toContain('- Export invoices');
    expect(internal).not.toMatch(/Chores|build image|Style|reformat/);
    expect(internal).toContain('### Other changes'); // security is not a known type yet
    const ops = await notesFor('ops', notes);
    expect(ops).toContain('### Chores\n\n- Bump the build image');
  });

  it('a new type needs no title: its name, title-cased', async () => {
    const notes = {
      types: { security: { hidden: false } },
      audiences: { customer: { types: ['feat', 'fix', 'security'] } },
    };
    const customer = await notesFor('customer', notes);
    expect(customer).toContain('### Security\n\n- Rotate the signing keys');
    expect(customer).not.toMatch(/Chores|build image/);
  });
});
