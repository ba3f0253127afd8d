import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { launchBrowser } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
let repo: string;
const env = { HERALD_ACTOR: 'announce-test' };
const site = () => path.join(repo, '.herald', 'site');
const articleFiles = () =>
  readdirSync(path.join(site(), '_data', 'articles')).filter((f) => f.endsWith('.json'));

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-announce-static-'));
  repo = buildSampleRepo(path.join(dir, 'acme-cloud'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('herald announce: the static help centre', () => {
  it('publishes nothing before the announce time, by the store clock', async () => {
    expect((await runCli(['prepare', '--release-version', '2.0.0'], { cwd: repo, env })).code).toBe(0);
    // Far enough ahead that no loaded machine reaches it during this test; it is then made due.
    const at = new Date(Date.now() + 3_600_000).toISOString();
    expect((await runCli(['schedule', '2.0.0', '--at', at], { cwd: repo, env })).code).toBe(0);

    const dry = await runCli(['announce', '--dry-run', '--json'], { cwd: repo, env });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).planned).toEqual([]);
    const early = await runCli(['announce'], { cwd: repo, env });
    expect(early.code).toBe(0);
    expect(early.stderr).toContain('Nothing is due. Next: 2.0.0');
    expect(existsSync(site())).toBe(false);
    const status = await runCli(['status', '2.0.0', '--json'], { cwd: repo, env });
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'scheduled', deliveries: [] });
  });

  it('plans without publishing on --dry-run once due, then publishes every page and the notes', async () => {
    expect((await runCli(['schedule', '2.0.0', '--now'], { cwd: repo, env })).code).toBe(0);
    const dry = await runCli(['announce', '--dry-run', '--json'], { cwd: repo, env });
    const plan = JSON.parse(dry.stdout);
    expect(plan.planned).toHaveLength(1);
    const keys: string[] = plan.planned[0].deliveries.map((d: { key: string }) => d.key);
    expect(keys).toContain('article:notes');
    expect(keys.some((k) => k.startsWith('section:'))).toBe(true);
    expect(existsSync(site())).toBe(false);

    const run = await runCli(['announce', '--json'], { cwd: repo, env });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.announced).toEqual([expect.objectContaining({ version: '2.0.0' })]);
    expect(report.failures).toEqual([]);
    expect(report.results.helpcenter.sent).toBe(keys.length);

    // One article per doc page id (created once each), plus the release notes.
    const created = keys.filter((k) => /^(article|draft):doc:/.test(k));
    const articles = articleFiles().map((f) =>
      JSON.parse(readFileSync(path.join(site(), '_data', 'articles', f), 'utf8')),
    );
    const notes = articles.filter((a) => a.labels.includes('release-notes'));
    expect(notes).toHaveLength(1);
    expect(notes[0].labels).toContain('2.0.0');
    const docArticles = articles.filter((a) => !a.labels.includes('release-notes'));
    expect(docArticles).toHaveLength(created.length);
    expect(docArticles.every((a) => a.draft === false && a.archived === false)).toBe(true);
    expect(readFileSync(path.join(site(), 'feed.xml'), 'utf8')).toContain('Acme Cloud 2.0.0 release notes');

    // Links between articles and images resolve to files of the site.
    for (const article of docArticles) {
      const file = path.join(site(), 'articles', `${article.id}.html`);
      const html = readFileSync(file, 'utf8');
      expect(html).not.toContain('herald:');
      for (const [, target] of html.matchAll(/(?:href|src)="([^"#:]+)(?:#[^"]*)?"/g)) {
        expect(existsSync(path.resolve(path.dirname(file), target!)), `${file} → ${target}`).toBe(true);
      }
    }

    const status = await runCli(['status', '2.0.0'], { cwd: repo, env });
    expect(status.stdout).toMatch(/^2\.0\.0: announced, \d+ deliveries/);
  });

  it('reads well in a real browser: every page, link target, image and the stylesheet load', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on('requestfailed', (request) =>
        failed.push(`${request.url()} (${request.failure()?.errorText})`),
      );
      page.on('pageerror', (error) => failed.push(`script error: ${(error as Error).message}`));
      const home = pathToFileURL(path.join(site(), 'index.html')).href;
      await page.goto(home);
      expect(await page.title()).toBe('Acme Cloud');
      // The stylesheet applies: the body is a readable column, not the browser's full width.
      const maxWidth = await page.$eval(
        'main',
        // Runs in the page: the browser's globals, which this Node program's types do not include.
        (main) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { maxWidth: string } }).getComputedStyle(
            main,
          ).maxWidth,
      );
      expect(maxWidth).not.toBe('none');
      // Crawl every page reachable from the home page, inside the site.
      const seen = new Set<string>([home]);
      const queue = [home];
      let images = 0;
      while (queue.length > 0) {
        const url = queue.shift()!;
        const response = await page.goto(url);
        expect(response?.ok() ?? true, url).toBe(true);
        const broken = await page.$$eval('img', (imgs) =>
          imgs.filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.src),
        );
        expect(broken, url).toEqual([]);
        images += await page.$$eval('img', (imgs) => imgs.length);
        const links = await page.$$eval('a[href]', (anchors) =>
          anchors.map((a) => (a as unknown as { href: string }).href),
        );
        for (const link of links) {
          const target = link.split('#')[0]!;
          if (!target.startsWith(pathToFileURL(site()).href) || !target.endsWith('.html') || seen.has(target))
            continue;
          seen.add(target);
          queue.push(target);
        }
      }
      expect(failed).toEqual([]);
      expect(seen.size).toBeGreaterThan(articleFiles().length);
      expect(images).toBeGreaterThan(0);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('does nothing on a rerun: no delivery, no file touched', async () => {
    const before = articleFiles().map((f) => statSync(path.join(site(), '_data', 'articles', f)).mtimeMs);
    const again = await runCli(['announce', '--json'], { cwd: repo, env });
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.planned).toEqual([]);
    expect(report.results.helpcenter.sent).toBe(0);
    expect(articleFiles().map((f) => statSync(path.join(site(), '_data', 'articles', f)).mtimeMs)).toEqual(
      before,
    );
  });

  it('publishes a correction as updates of the changed page and the notes, by stored id', async () => {
    appendFileSync(path.join(repo, 'docs', 'billing', 'invoices.md'), '\nInvoices now show the tax id.\n');
    execFileSync('git', ['commit', '-qam', 'docs: tax id on invoices'], { cwd: repo });
    const count = articleFiles().length;
    const prepared = await runCli(['prepare', '--release-version', '2.0.0', '--force'], { cwd: repo, env });
    expect(prepared.code, prepared.stderr).toBe(0);
    const run = await runCli(['announce', '--json'], { cwd: repo, env });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    const keys: string[] = report.planned[0].deliveries.map((d: { key: string }) => d.key);
    // The changed page (in its one locale) and the notes, whose docs summary changed: nothing else.
    expect(keys.filter((k) => k.startsWith('content:doc:'))).toHaveLength(1);
    expect(keys.every((k) => k.startsWith('content:'))).toBe(true);
    expect(articleFiles()).toHaveLength(count);
    const invoices = articleFiles()
      .map((f) => JSON.parse(readFileSync(path.join(site(), '_data', 'articles', f), 'utf8')))
      .find((a) =>
        Object.values(a.translations).some((t) => (t as { body: string }).body.includes('tax id')),
      );
    expect(invoices).toBeDefined();
    const log = await runCli(['log', '2.0.0'], { cwd: repo, env });
    expect(log.stdout).toContain('announced');
  });
});
