import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import type { StorePort } from '../../src/ports/index.js';
import { buildServer } from '../../src/server/app.js';
import { requireViewer } from '../../src/server/auth/guards.js';
import { hashPassword } from '../../src/server/auth/passwords.js';
import { launchBrowser } from '../helpers/browser.js';

const PASSWORD = 'correct horse battery staple';
let dir: string;
let store: StorePort;
let app: FastifyInstance;
let base: string;
let browser: Browser;

/** A stand-in for the pages plugin: one page for signed-in users. */
const pages: FastifyPluginAsync = async (fastify) => {
  fastify.get('/releases', { preHandler: requireViewer }, async (request, reply) =>
    reply
      .type('text/html')
      .send(
        `<!doctype html><html lang="en"><title>Releases</title><h1>Hello ${request.viewer!.name}</h1></html>`,
      ),
  );
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-login-browser-'));
  store = await openSqliteStore(path.join(dir, 'state.db'));
  await store.addUser('ada', 'manager', await hashPassword(PASSWORD));
  app = buildServer({ store, product: 'Acme Cloud', trustedProxies: [], plugins: [{ plugin: pages }] });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('signing in to the dashboard in a real browser', () => {
  it('goes from a dashboard page to the sign-in form and back, signed in, with no accessibility violations', async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    await page.goto(`${base}/releases`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.$eval('label[for="username"]', (l) => l.textContent)).toBe('User name');

    // axe-core in the page (CSP bypassed for the checker's own script only).
    await page.setBypassCSP(true);
    await page.reload();
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
    const violations = await page.evaluate(async () => {
      const result = await (
        globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }
      ).axe.run();
      return result.violations.map((v) => `${v.impact} ${v.id}`);
    });
    expect(violations.filter((v) => /^(serious|critical)/.test(v))).toEqual([]);
    await page.setBypassCSP(false);

    await page.type('#username', 'ada');
    await page.type('#password', 'wrong password');
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(await page.$eval('[role="alert"]', (p) => p.textContent)).toContain('wrong');

    await page.type('#password', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(new URL(page.url()).pathname).toBe('/releases');
    expect(await page.$eval('h1', (h) => h.textContent)).toBe('Hello ada');
    const [cookie] = await page.cookies();
    expect(cookie).toMatchObject({ name: 'herald_session', httpOnly: true, sameSite: 'Strict' });
    expect(blocked).toEqual([]);
  }, 60_000);
});
