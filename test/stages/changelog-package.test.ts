import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutput } from '../../src/cli/output.js';
import { createRuntime, type Runtime, releaseSettingsOf } from '../../src/cli/runtime.js';
import { buildNotes } from '../../src/core/build-notes.js';
import type { GitPort } from '../../src/ports/index.js';
import { rebuildChangelog } from '../../src/stages/changelog.js';
import { collect } from '../../src/stages/collect.js';
import { notesInputFor, parseOptionsFor } from '../../src/stages/notes.js';
import { createNotesRenderer } from '../../src/stages/render-notes.js';
import { TestRepo } from '../helpers/git-repo.js';

const output = createOutput({ json: false, color: false, redact: (t) => t });

/**
 * A monorepo with two packages released on their own (tags interleaved), commits touching one,
 * the other or both, pull-request merges (fast-forward-free) into a main line that moved
 * meanwhile, a revert, a prerelease and releases in which the package did not change.
 */
function generateMonorepo(): TestRepo {
  const r = new TestRepo('herald-monorepo-');
  const config = {
    herald: {
      product: 'Mono',
      packages: [
        { name: 'web', path: 'packages/web', tagFormat: 'web@${version}' },
        { name: 'api', path: 'packages/api', tagFormat: 'api@${version}' },
      ],
    },
  };
  r.commit('chore: set up', { files: { '.releaserc.json': JSON.stringify(config), 'README.md': 'mono\n' } });
  const versions = { web: [1, 0, 0], api: [1, 0, 0] };
  let n = 0;
  const touch = (pkg: string) => ({ [`packages/${pkg}/file-${n % 7}.ts`]: `${n++}\n` });
  for (let round = 0; round < 6; round++) {
    r.commit(`feat(web): web feature ${round}`, { files: touch('web') });
    r.commit(`fix(api): api fix ${round}`, { files: touch('api') });
    r.commit(`fix: shared fix ${round}`, { files: { ...touch('web'), ...touch('api') } });
    r.commit(`docs: readme ${round}`, { files: { 'README.md': `round ${round}\n` } });
    // A pull request for web merged while api moved on main.
    r.git('checkout', '-q', '-b', `pr-${round}`);
    r.commit(`feat(web): branch work ${round}`, { files: touch('web') });
    r.commit(`fix(web): branch fix ${round}`, { files: touch('web') });
    r.git('checkout', '-q', 'main');
    r.commit(`perf(api): faster ${round}`, { files: touch('api') });
    // On even rounds web moved on main too: the merge then differs from both sides within web.
    if (round % 2 === 0) r.commit(`fix(web): main moved ${round}`, { files: touch('web') });
    r.git(
      'merge',
      '-q',
      '--no-ff',
      `pr-${round}`,
      '-m',
      `Merge pull request #${100 + round} from acme/pr-${round}\n\nfeat(web): pull request ${round}`,
    );
    if (round === 2) {
      const bad = r.commit('feat(web): to be reverted', { files: touch('web') });
      r.commit(`Revert "feat(web): to be reverted"\n\nThis reverts commit ${bad}.`, { files: touch('web') });
    }
    if (round === 3) {
      r.tag(`web@${versions.web.join('.')}-beta.1`);
      r.commit('fix(web): beta fix', { files: touch('web') });
    }
    r.tag(`web@${versions.web.join('.')}`);
    versions.web[1]!++;
    r.commit(`fix(api): between ${round}`, { files: touch('api') });
    // api releases on every other round only: its sections span several web releases.
    if (round % 2 === 1 || round === 5) {
      r.tag(`api@${versions.api.join('.')}`);
      versions.api[1]!++;
    }
  }
  r.commit('feat(web): unreleased', { files: touch('web') });
  return r;
}

/** The old way: each release read as its own path-limited range, as `herald notes` reads one. */
async function perReleaseChangelog(runtime: Runtime, git: GitPort) {
  const { config, tagFormat } = runtime;
  const audience = config.notes.audiences.customer!;
  const render = await (await createNotesRenderer(runtime.templates))(audience.template);
  const head = await git.resolve('HEAD');
  const releases = (await git.mergedTags(head, tagFormat.glob))
    .map((t) => ({ ...t, version: tagFormat.versionOf(t.tag)! }))
    .sort((a, b) => semver.rcompare(a.version, b.version));
  const sections: { version: string; markdown: string }[] = [];
  for (const [i, release] of releases.entries()) {
    const stable = semver.prerelease(release.version) === null;
    const previous = releases.slice(i + 1).find((r) => !stable || semver.prerelease(r.version) === null);
    const collected = await collect(
      {
        to: release.tag,
        from: previous?.tag,
        path: runtime.path,
        tagFormat,
        previousRelease: config.notes.previousRelease,
        parse: parseOptionsFor(config),
      },
      { ...runtime, issues: { name: 'none', lookup: async () => ({ issues: [], warnings: [] }) } },
    );
    const notes = buildNotes(
      notesInputFor(releaseSettingsOf(runtime), collected, audience, release.version, release.tag),
    );
    sections.push({ version: release.version, markdown: render(notes) });
  }
  return sections;
}

describe('changelog --rebuild --package in one pass over history', () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = generateMonorepo();
  });
  afterAll(() => repo.remove());

  for (const name of ['web', 'api']) {
    it(`gives ${name} the same sections as reading each release's range on its own`, async () => {
      const runtime = await createRuntime({ cwd: repo.dir }, { package: name }, output);
      const expected = await perReleaseChangelog(runtime, runtime.git);
      const result = await rebuildChangelog({ ...releaseSettingsOf(runtime), audience: 'customer' }, runtime);
      expect(result.sections.map((s) => s.version)).toEqual(expected.map((s) => s.version));
      expect(result.sections.length).toBeGreaterThan(2);
      for (const [i, section] of result.sections.entries())
        expect(section.markdown).toBe(expected[i]!.markdown);
      // The package's own commits only, and the merged pull requests folded as the range read folds them.
      expect(result.text).toContain(name === 'web' ? 'Pull request 4' : 'Api fix 4');
      if (name === 'web') expect(result.text).not.toContain('Branch work 4');
      expect(result.text).not.toContain(name === 'web' ? 'Api fix' : 'Web feature');
      expect(result.text).not.toContain('To be reverted');
    });
  }

  it('reads history twice, side by side, however many releases there are', async () => {
    const runtime = await createRuntime({ cwd: repo.dir }, { package: 'web' }, output);
    const calls: string[] = [];
    const git = runtime.git;
    const counted: GitPort = {
      ...git,
      commits: (range) => {
        calls.push(`commits ${range.from ?? 'root'}..${range.to.slice(0, 7)}`);
        return git.commits(range);
      },
      ancestry: (to) => {
        calls.push('ancestry');
        return git.ancestry(to);
      },
      describe: (ref) => {
        calls.push(`describe ${ref}`);
        return git.describe(ref);
      },
    };
    await rebuildChangelog(
      { ...releaseSettingsOf(runtime), audience: 'customer' },
      { ...runtime, git: counted },
    );
    expect(calls.sort()).toEqual(['ancestry', `commits root..${(await git.resolve('HEAD')).slice(0, 7)}`]);
  });
});
