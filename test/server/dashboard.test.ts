import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import Sqlite from 'better-sqlite3';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import { chooseChannels } from '../../src/cli/channels.js';
import type { Output } from '../../src/cli/output.js';
import { createRuntime, type Runtime } from '../../src/cli/runtime.js';
import { decideSchedule } from '../../src/core/bundle-lifecycle.js';
import type { StorePort } from '../../src/ports/index.js';
import { announce } from '../../src/stages/announce.js';
import { launchBrowser } from '../helpers/browser.js';
import { prepare } from '../helpers/bundles.js';
import { runCli } from '../helpers/cli.js';
import { type DashboardServer, SESSION_COOKIE, startDashboardServer } from '../helpers/dashboard-server.js';

// The dashboard in a real headless Chromium, on the server `herald serve` runs (sessions in the
// store, CSRF, security headers, the real login form), against the SQLite store `herald prepare`
// wrote for the sample repository. ada (manager) and vic (viewer) sign in once each.

// The page's own objects, for the functions puppeteer runs in it (the project has no DOM types).
declare const document: {
  cookie: string;
  getElementById(
    id: string,
  ): { textContent: string | null; getAttribute(name: string): string | null } | null;
};
type HTMLElement = { innerText: string };
type HTMLInputElement = { value: string };
type HTMLTextAreaElement = { value: string };

const SCREENSHOTS = process.env.HERALD_SCREENSHOTS === '1';
const IMAGES = path.resolve(import.meta.dirname, '../../docs/images');
const env = { HERALD_ACTOR: 'ci-prepare' };
const quiet: Output = { json: false, out() {}, info() {}, warn() {}, error() {}, bug() {} };

let dir: string;
let repo: string;
let store: StorePort;
let runtime: Runtime;
let server: DashboardServer;
let browser: Browser;
/** Each user's session cookie, from one real sign-in (scrypt makes each take seconds). */
const sessions: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-dashboard-'));
  repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
  const configFile = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  config.herald.slack = {
    channels: [
      { id: 'C0RELEASES', name: '#releases', audience: 'customer' },
      { id: 'C0ENGINEER', name: '#engineering', audience: 'internal' },
    ],
  };
  config.herald.schedule = { timeZone: 'Europe/Berlin' };
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  execFileSync('git', ['commit', '-qam', 'chore: announce in Slack'], { cwd: repo });
  const prepared = await runCli(['prepare', '--release-version', '2.0.0'], { cwd: repo, env });
  expect(prepared.code, prepared.stderr).toBe(0);
  store = await openSqliteStore(path.join(repo, '.herald', 'state.db'));
  // Two more releases, so the list and the calendar show more than one.
  const now = await store.now();
  await prepare(store, '2.1.0', {
    product: 'Acme Cloud',
    text: 'Bulk-edit tasks',
    schedule: { at: now + 9 * 86_400_000, zone: 'America/Los_Angeles' },
  });
  await prepare(store, '2.0.1', { product: 'Acme Cloud', text: 'Keep filters when paging' });
  runtime = await createRuntime({ cwd: repo }, {}, quiet);
  server = await startDashboardServer({ store, runtime });
  for (const name of ['ada', 'vic']) sessions[name] = await server.signIn(name);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Puts `name`'s session cookie in the browser (its pages share one cookie jar). */
const signedInAs = (page: Page, name: string) =>
  page.setCookie({ name: SESSION_COOKIE, value: sessions[name]!, url: server.url });

async function pageAs(viewer: string | null): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  if (viewer) await signedInAs(page, viewer);
  else await page.deleteCookie({ name: SESSION_COOKIE, url: server.url });
  // The browser's own zone: the zone script sets it as the viewer's zone.
  await page.emulateTimezone('Asia/Tokyo');
  return page;
}

/** axe-core in the page (evaluated, so the page's CSP does not stop it): serious or critical findings. */
async function seriousViolations(page: Page) {
  await page.evaluate(axe.source);
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: typeof axe }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] },
    }),
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

async function screenshot(page: Page, name: string) {
  if (!SCREENSHOTS) return;
  mkdirSync(IMAGES, { recursive: true });
  await page.screenshot({ path: path.join(IMAGES, `dashboard-${name}.png`), fullPage: true });
}

const text = (page: Page, selector = 'main') => page.$eval(selector, (e) => (e as HTMLElement).innerText);
const record = async () =>
  (await store.findBundle({ product: 'Acme Cloud', package: '', version: '2.0.0' }))!;

describe('the dashboard in a browser', () => {
  it('sends an anonymous visitor to the login page', async () => {
    const page = await pageAs(null);
    await page.goto(`${server.url}/releases/2.0.0`);
    expect(new URL(page.url()).pathname).toBe('/login');
    // The real sign-in form, and nothing of the dashboard.
    expect(await page.$$eval('form[action="/login"] input[name=username]', (l) => l.length)).toBe(1);
    expect(await page.$$eval('a[href^="/releases"], a[href^="/subscribers"]', (l) => l.length)).toBe(0);
    await page.close();
    // A POST without a session never reaches the action either.
    const before = await record();
    const post = await fetch(`${server.url}/releases/2.0.0/hold`, { method: 'POST', redirect: 'manual' });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toBe('/login');
    expect((await record()).revision).toBe(before.revision);
  });

  it('lists the releases with times in the stored zone and the browser’s', async () => {
    const page = await pageAs('ada');
    await page.goto(`${server.url}/releases`);
    // The zone script stored the browser's zone and reloaded once.
    await page.waitForFunction(() => document.cookie.includes('herald_tz=Asia%2FTokyo'));
    await page.goto(`${server.url}/releases`);
    const main = await text(page);
    expect(main).toContain('Your time (Asia/Tokyo)');
    expect(main).toContain('Acme Cloud 2.0.0');
    expect(main).toContain('draft (embargoed)');
    expect(await seriousViolations(page)).toEqual([]);
    // Filters narrow the list in the store.
    await page.select('#f-status', 'cancelled');
    await submit(page, 'form.filters');
    expect(await text(page)).toContain('No prepared releases match.');
    expect(new URL(page.url()).searchParams.get('status')).toBe('cancelled');
    await page.close();
  });

  it('shows a release: notes per audience, what each channel gets, the docs that change, the audit log', async () => {
    const page = await pageAs('ada');
    await page.goto(`${server.url}/releases/2.0.0?tz=Asia/Tokyo`);
    const main = await text(page);
    expect(main).toContain('Notes per audience');
    expect(main).toMatch(/customer \(\d+ entries\)/);
    expect(main).toContain('Help centre: the release-notes article');
    expect(await page.$eval('article.article', (e) => e.textContent)).toContain(
      'Require an API version header',
    );
    // A commit subject with markup and a script link stays text.
    expect(main).toContain('Keep filters when paging <b>bold</b>');
    expect(await page.$$eval('main b, main a[href^="javascript"]', (list) => list.length)).toBe(0);
    expect(main).toContain('Docs pages that change');
    expect(main).toMatch(/prepare\s+ci-prepare|ci-prepare\s+prepare/);
    // Slack's look and the email are framed documents, sandboxed, rendered by announce's renderers.
    const frames = await page.$$eval('iframe', (list) =>
      list.map((f) => ({ title: f.title, sandbox: f.getAttribute('sandbox'), src: f.getAttribute('src') })),
    );
    expect(frames.map((f) => f.title)).toEqual([
      '#releases (customer notes) as Slack shows it',
      '#engineering (internal notes) as Slack shows it',
      'The email as a subscriber sees it',
    ]);
    expect(frames.every((f) => f.sandbox === '')).toBe(true);
    for (const frame of page.frames().slice(1)) {
      await frame.waitForSelector('body');
      expect(await frame.$eval('body', (b) => b.innerText)).toMatch(/2\.0\.0/);
    }
    const slack = page.frames().find((f) => f.url().includes('/preview/slack/C0RELEASES'))!;
    expect(await slack.$eval('body', (b) => b.innerText)).toContain('#releases');
    const email = page.frames().find((f) => f.url().includes('/preview/email'))!;
    expect(await email.$eval('body', (b) => b.innerText)).toContain('Unsubscribe');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'release');
    await page.close();
  });

  it('schedules in another time zone, by the store’s clock, and shows it on the calendar', async () => {
    const page = await pageAs('ada');
    await page.goto(`${server.url}/releases/2.0.0?tz=Asia/Tokyo`);
    // Three days ahead of the store's clock, 10:00 in New York.
    const day = new Date((await store.now()) + 3 * 86_400_000).toISOString().slice(0, 10);
    await fill(page, { '#s-date': day, '#s-time': '10:00', '#s-zone': 'America/New_York' });
    await submit(page, 'form[action$="/schedule"]');
    const main = await text(page);
    expect(main).toContain('Scheduled.');
    expect(main).toContain(`${day} 10:00 America/New_York`);
    expect(main).toContain('your time'); // and in Tokyo
    const stored = await record();
    expect(stored).toMatchObject({ status: 'scheduled', timeZone: 'America/New_York' });
    const audit = await store.auditLog(stored.key);
    expect(audit.at(-1)).toMatchObject({ action: 'schedule', actor: 'ada' });

    await page.goto(`${server.url}/releases/calendar?tz=Asia/Tokyo`);
    const tokyoDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(stored.announceAt!);
    const cell = await page.$$eval(
      'table.calendar td',
      (cells, label) =>
        cells
          .filter((c) => c.querySelector('.day')?.textContent === label)
          .map((c) => (c as HTMLElement).innerText),
      tokyoDay.slice(5),
    );
    expect(cell.join('\n')).toContain('Acme Cloud 2.0.0');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'calendar');
    await page.close();
  });

  it('offers a time the clocks pass twice as a choice, and refuses the past as the CLI does', async () => {
    const page = await pageAs('ada');
    await page.goto(`${server.url}/releases/2.0.0`);
    const before = await record();
    await fill(page, { '#s-date': '2020-01-06', '#s-time': '09:00', '#s-zone': 'Europe/Berlin' });
    const refused = await submit(page, 'form[action$="/schedule"]');
    expect(refused?.status()).toBe(400);
    expect(await text(page, '.problem')).toContain('is in the past');
    expect((await record()).revision).toBe(before.revision);
    await fill(page, { '#s-date': '2027-03-01', '#s-time': '09:00', '#s-zone': 'Mars/Olympus_Mons' });
    expect((await submit(page, 'form[action$="/schedule"]'))?.status()).toBe(400);
    expect(await text(page, '.problem')).toContain('"Mars/Olympus_Mons" is not a known IANA time zone');
    // What was typed stays in the form, to correct it.
    expect(await page.$eval('#s-zone', (input) => (input as HTMLInputElement).value)).toBe(
      'Mars/Olympus_Mons',
    );
    expect((await record()).revision).toBe(before.revision);

    // 2027-11-07 01:30 happens twice in New York: the page asks which one.
    await fill(page, { '#s-date': '2027-11-07', '#s-time': '01:30', '#s-zone': 'America/New_York' });
    await submit(page, 'form[action$="/schedule"]');
    expect(await text(page)).toContain('happens twice in America/New_York');
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('#c1');
    await submit(page, 'form[action$="/schedule"]');
    expect(await text(page)).toContain('Scheduled.');
    expect(new Date((await record()).announceAt!).toISOString()).toBe('2027-11-07T06:30:00.000Z');
    await page.close();
  });

  it('changes nothing on a forged or missing CSRF token', async () => {
    const page = await pageAs('ada');
    await page.goto(`${server.url}/releases/2.0.0`);
    const before = await record();
    await page.$eval('form[action$="/hold"] input[name=_csrf]', (input) => {
      (input as HTMLInputElement).value = 'forged';
    });
    expect((await submit(page, 'form[action$="/hold"]'))?.status()).toBe(403);
    await page.goto(`${server.url}/releases/2.0.0`);
    await page.$eval('form[action$="/cancel"] input[name=_csrf]', (input) => input.remove());
    expect((await submit(page, 'form[action$="/cancel"]'))?.status()).toBe(403);
    const after = await record();
    expect(after).toMatchObject({ status: before.status, revision: before.revision });
    await page.close();
  });

  it('lets a viewer look but not act', async () => {
    const page = await pageAs('vic');
    await page.goto(`${server.url}/releases/2.0.0`);
    expect(await page.$$eval('main form[method=post]', (forms) => forms.length)).toBe(0);
    expect((await page.goto(`${server.url}/releases/2.0.0/edit`))?.status()).toBe(403);
    // Even with a manager's form and its token: the role is checked before anything else.
    await signedInAs(page, 'ada');
    await page.goto(`${server.url}/releases/2.0.0`);
    await signedInAs(page, 'vic');
    const before = await record();
    expect((await submit(page, 'form[action$="/hold"]'))?.status()).toBe(403);
    expect(await text(page)).toContain('vic can look, not act');
    expect(await seriousViolations(page)).toEqual([]);
    expect((await record()).revision).toBe(before.revision);
    await page.close();
  });

  it('edits an entry’s wording with the same overlay as herald edit', async () => {
    const page = await pageAs('ada');
    await page.goto(`${server.url}/releases/2.0.0`);
    await page.click('a[href$="/edit"]');
    await page.waitForSelector('#document');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'edit');
    await page.$eval('#document', (area) => {
      const textarea = area as HTMLTextAreaElement;
      textarea.value = textarea.value.replace(
        'Require an API version header',
        'Send an API version with every request',
      );
    });
    await submit(page, 'form[action$="/edit"]');
    const main = await text(page);
    expect(main).toContain('The edit is stored as a new content revision.');
    expect(await page.$eval('article.article', (e) => e.textContent)).toContain(
      'Send an API version with every request',
    );
    const stored = await record();
    expect(stored.contentRevision).toBe(2);
    expect(Object.values(stored.overlay.customer!.entries)).toEqual([
      { text: 'Send an API version with every request' },
    ]);
    expect((await store.auditLog(stored.key)).at(-1)).toMatchObject({ action: 'edit', actor: 'ada' });
    await page.close();
  });

  it('holds a release', async () => {
    const page = await pageAs('ada');
    await page.goto(`${server.url}/releases/2.0.0`);
    await submit(page, 'form[action$="/hold"]');
    expect(await text(page)).toContain('Held: it has no announce date now.');
    expect(await record()).toMatchObject({ status: 'held', announceAt: null });
    expect((await store.auditLog((await record()).key)).at(-1)).toMatchObject({
      action: 'hold',
      actor: 'ada',
    });
    await page.close();
  });

  it('imports, finds, unsubscribes and exports subscribers', async () => {
    const page = await pageAs('ada');
    await page.goto(`${server.url}/subscribers`);
    await page.type('#csv', 'email,name\nzoe@example.com,Zoë\nmax@example.com,Max\n');
    await submit(page, 'form[action="/subscribers/import"]');
    expect(await text(page)).toContain('2 added, 0 updated, 0 unchanged.');
    await page.type('#q', 'max@');
    await submit(page, 'form[role=search]');
    expect(await text(page)).toContain('max@example.com');
    await submit(page, 'form[action="/subscribers/unsubscribe"]');
    expect(await text(page)).toContain('Unsubscribed: no more emails to that address.');
    const counts = await text(page, 'section[aria-labelledby=counts]');
    expect(counts).toMatch(/confirmed\s+1/);
    expect(counts).toMatch(/unsubscribed\s+1/);
    // Both actions are in the audit log under ada's name, the address as a digest.
    const log = await text(page, '#subscribers-log');
    expect(log).toMatch(/ada\s+subscribers\.unsubscribe\s+\{"address":"hmac-sha256:[0-9a-f]{32}"\}/);
    expect(log).toMatch(
      /ada\s+subscribers\.import\s+\{"added":2,"updated":0,"unchanged":0,"kept":0,"refused":0\}/,
    );
    expect(log).not.toContain('max@example.com');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'subscribers');
    const csv = await page.evaluate(() => fetch('/subscribers/export.csv').then((r) => r.text()));
    expect(csv.split('\n').slice(0, 3)).toEqual([
      'email,name,locale,topics,status,source',
      'zoe@example.com,Zoë,,all,confirmed,import:dashboard',
      'max@example.com,Max,,all,unsubscribed,import:dashboard',
    ]);
    await page.close();
  });

  it('shows an announce run’s progress live, to the end', async () => {
    const page = await pageAs('ada');
    await page.goto(`${server.url}/releases/2.0.0`);
    await submit(page, 'form[action$="/announce-now"]');
    expect(await text(page)).toContain('Due now');
    await page.goto(`${server.url}/releases/2.0.0/status`);
    expect(await text(page, '#release-status')).toBe('scheduled');
    // Updated by the page's script, not by a reload: the mark survives.
    await page.evaluate(() => {
      (globalThis as unknown as { mark: number }).mark = 1;
    });
    // The run goes on while the page watches; Slack's pacing makes it take a moment.
    const channels = (await chooseChannels(runtime, store, {})).channels;
    const run = announce({
      store,
      channels,
      owner: 'dashboard-test',
      actor: 'dashboard-test',
      dryRun: false,
      maxWaitMs: 60_000,
    });
    await page.waitForFunction(() => document.getElementById('release-status')?.textContent === 'announced', {
      timeout: 90_000,
    });
    expect((await run).failures).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as { mark?: number }).mark)).toBe(1);
    const rows = await page.$$eval('#targets tbody tr', (list) =>
      list.map((r) => [r.querySelector('th')!.textContent, r.querySelector('.done')!.textContent]),
    );
    expect(rows.map(([target]) => target).sort()).toEqual([
      'email',
      'helpcenter',
      'slack:C0ENGINEER',
      'slack:C0RELEASES',
    ]);
    for (const [, done] of rows) {
      const [n, total] = done!.split('/');
      expect(n).toBe(total);
    }
    expect(await text(page, '#failures')).toBe('None.');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'status');
    await page.goto(`${server.url}/releases`);
    expect(await text(page)).toContain('announced');
    await screenshot(page, 'releases');
    await page.close();
  }, 120_000);
});

describe('after the announce run', () => {
  it('removes an address: the audit log keeps who and a digest, never the address', async () => {
    const page = await pageAs('ada');
    await page.goto(`${server.url}/subscribers?q=zoe@`);
    await submit(page, 'form[action="/subscribers/remove"]');
    expect(await text(page)).toContain('Removed, with everything about it.');
    expect(await text(page, '#subscribers-log')).toMatch(
      /ada\s+subscribers\.remove\s+\{"address":"hmac-sha256:/,
    );
    // Not in the store in clear either: every audit row, read straight from the database file.
    const db = new Sqlite(path.join(repo, '.herald', 'state.db'), { readonly: true });
    const rows = db.prepare('SELECT actor, action, details FROM audit_log').all() as { details: string }[];
    db.close();
    expect(rows.filter((r) => /zoe@|max@/.test(r.details))).toEqual([]);
    const digests = await store.productAuditLog('Acme Cloud', 10);
    expect(digests.map((e) => e.action)).toEqual([
      'subscribers.remove',
      'subscribers.unsubscribe',
      'subscribers.import',
    ]);
    await page.close();
  });

  it('retries the failed deliveries of one target, as herald retry --channel does', async () => {
    // 2.0.1 is announcing; its Slack message and both emails were refused.
    const key = { product: 'Acme Cloud', package: '', version: '2.0.1' };
    const { record } = await store.mutateBundle(key, 'tester', (current, now) =>
      decideSchedule(current, now, { at: 'now', zone: 'UTC' }, '2.0.1'),
    );
    const planned = (target: string, key: string) => ({ target, key, phase: 40, summary: key });
    await store.recordPlan(
      record!.id,
      record!.revision,
      [planned('slack:C0RELEASES', 'post:message'), planned('email', 'email:a'), planned('email', 'email:b')],
      'tester',
    );
    for (const target of ['slack:C0RELEASES', 'email'])
      for (const row of await store.claimDeliveries({ owner: 't', target, limit: 10, leaseMs: 60_000 })) {
        const attemptId = `attempt-${row.id}`;
        await store.recordAttempts({
          settle: [],
          fence: [{ id: row.id, owner: 't', attemptId, leaseMs: 60_000 }],
        });
        await store.recordAttempts({
          settle: [{ id: row.id, owner: 't', attemptId, outcome: { state: 'failed', error: 'refused' } }],
          fence: [],
        });
      }
    const page = await pageAs('ada');
    await page.goto(`${server.url}/releases/2.0.1`);
    const forms = () =>
      page.$$eval('form.retry-target', (list) => list.map((f) => (f as HTMLElement).innerText.trim()));
    expect((await forms()).sort()).toEqual(['Retry email 2 failed', 'Retry slack:C0RELEASES 1 failed']);
    expect(await seriousViolations(page)).toEqual([]);
    await submit(page, 'form.retry-target:has(input[name=target][value="slack:C0RELEASES"])');
    expect(await text(page)).toContain('Failed deliveries queued again');
    const summary = await store.deliverySummary(record!.id);
    // Queued again; attempted before, so the target is looked at before it is posted to (unknown).
    expect(summary['slack:C0RELEASES']).toEqual({ unknown: 1 });
    expect(summary.email).toEqual({ failed: 2 });
    expect(await forms()).toEqual(['Retry email 2 failed']);
    expect((await store.auditLog(key)).at(-1)).toMatchObject({
      action: 'retry',
      actor: 'ada',
      details: { target: 'slack:C0RELEASES', requeued: 1 },
    });
    await page.close();
  });
});

/** Sets form fields by selector. */
async function fill(page: Page, fields: Record<string, string>) {
  for (const [selector, value] of Object.entries(fields))
    await page.$eval(
      selector,
      (input, v) => {
        (input as HTMLInputElement).value = v;
      },
      value,
    );
}

/** Submits a form the way a person does (its submit button) and waits for the answer page. */
async function submit(page: Page, form: string) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
  return response;
}
