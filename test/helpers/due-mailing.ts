import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { buildSampleRepo } from '../../scripts/sample-repo.mjs';
import { runCli } from './cli.js';

/**
 * The sample repository with email configured and `subscribers` readers imported
 * (reader0@example.com, reader1@…), its release 2.0.0 prepared and due now: ready for
 * `herald announce` with the returned env (the store's URL, if any, and the SMTP server's).
 */
export async function dueMailingRelease(options: {
  dir: string;
  subscribers: number;
  maxConnections: number;
  smtpUrl: string;
  databaseUrl?: string | null;
}): Promise<{ repo: string; env: Record<string, string>; addresses: string[] }> {
  const repo = buildSampleRepo(path.join(options.dir, 'repo'));
  const file = path.join(repo, '.releaserc.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.herald.email = {
    from: 'releases@acme.example',
    publicUrl: 'https://releases.acme.test/',
    maxConnections: options.maxConnections,
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  const env = {
    HERALD_EMAIL_SECRET: 'mailing-test-secret-0123456789',
    HERALD_PUBLIC_URL: 'https://help.acme.test',
    SMTP_URL: options.smtpUrl,
    ...(options.databaseUrl ? { HERALD_DATABASE_URL: options.databaseUrl } : {}),
  };
  const csv = path.join(options.dir, 'subscribers.csv');
  const addresses = Array.from({ length: options.subscribers }, (_, i) => `reader${i}@example.com`);
  writeFileSync(csv, ['email,name,locale,topics', ...addresses.map((a) => `${a},,,all`)].join('\n'));
  for (const args of [
    ['subscribers', 'import', csv],
    ['prepare', '--release-version', '2.0.0'],
    ['schedule', '2.0.0', '--now'],
  ]) {
    const run = await runCli(args, { cwd: repo, env });
    expect(run.code, run.stderr).toBe(0);
  }
  return { repo, env, addresses };
}
