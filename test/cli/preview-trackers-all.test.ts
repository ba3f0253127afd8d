import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { repoPool } from '../helpers/herald-repo.js';

const pool = repoPool();
afterAll(() => pool.removeAll());

describe('herald preview <version> (every channel)', () => {
  it("includes the trackers' comments and release pages, as --channel trackers lists them", async () => {
    const repo = pool.make('herald-preview-trackers-', {
      notes: { links: { repository: 'https://github.com/acme/app' } },
      trackers: {
        github: {
          repository: 'acme/app',
          apiUrl: 'http://127.0.0.1:9/unreachable',
          release: { enabled: true },
        },
      },
    });
    repo.commit('chore: start');
    repo.tag('v1.0.0');
    repo.commit('fix: export <b>works</b> again\n\nCloses #1');
    expect((await runCli(['prepare', '--release-version', '1.1.0'], { cwd: repo.dir })).code).toBe(0);

    const listed = await runCli(['preview', '1.1.0', '--channel', 'trackers'], { cwd: repo.dir });
    const out = path.join(repo.dir, 'preview-out');
    const preview = await runCli(['preview', '1.1.0', '--out', out], { cwd: repo.dir });
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('trackers.html');
    const text = readFileSync(path.join(out, 'trackers.txt'), 'utf8');
    expect(text).toBe(`${listed.stdout.trimEnd()}\n`);
    expect(text).toContain('acme/app#1: Released in Acme 1.1.0');
    expect(text).toContain('release page v1.1.0');
    const html = readFileSync(path.join(out, 'trackers.html'), 'utf8');
    // Text, never markup: the placeholder for the article's URL is shown, not parsed as a tag.
    expect(html).toContain('&#60;the release-notes article&#62;');
    expect(html).not.toContain('<the release-notes article>');
    const index = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('<h2>Trackers</h2>');
    expect(index).toContain('github: 1 comment, release page v1.1.0');
    expect(JSON.parse(readFileSync(path.join(out, 'trackers.json'), 'utf8'))[0].tracker).toBe('github');
  });
});
