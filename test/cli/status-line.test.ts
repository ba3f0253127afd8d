import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatusLine } from '../../src/cli/progress.js';
import { runCli } from '../helpers/cli.js';
import { createDocsRepo } from '../helpers/docs-repo.js';
import type { TestRepo } from '../helpers/git-repo.js';

/** A stream that records what is written; the clock is the test's, so nothing depends on timing. */
function recorder(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
}

describe('status line of long docs runs', () => {
  it('stays quiet for the first second, then redraws one line, and clears it at the end', () => {
    let now = 1_000;
    const { stream, written } = recorder(true);
    const status = createStatusLine(stream, { now: () => now });
    status.update('docs v1: compiled 10/5000 pages');
    now += 999;
    status.update('docs v1: compiled 900/5000 pages');
    expect(written).toEqual([]);
    now += 1;
    status.update('docs v1: compiled 1000/5000 pages');
    status.update('docs v1: compiled 1001/5000 pages');
    status.done();
    expect(written).toEqual([
      '\rdocs v1: compiled 1000/5000 pages\x1b[K',
      '\rdocs v1: compiled 1001/5000 pages\x1b[K',
      '\r\x1b[K',
    ]);
  });

  it('prints nothing when the stream is not a terminal, however long it takes', () => {
    let now = 0;
    const { stream, written } = recorder(false);
    const status = createStatusLine(stream, { now: () => now });
    now += 60_000;
    status.update('docs v1: compiled 1/2 pages');
    status.done();
    expect(written).toEqual([]);
  });

  it('a quick run never clears a line it did not draw', () => {
    const { stream, written } = recorder(true);
    const status = createStatusLine(stream, { now: () => 0 });
    status.update('docs v1: compiled 1/2 pages');
    status.done();
    expect(written).toEqual([]);
  });
});

describe('docs commands off a terminal', () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = createDocsRepo();
  });
  afterAll(() => repo.remove());

  it('a cold check and a diff write no progress text to stderr', async () => {
    const check = await runCli(['docs', 'check', '--ref', 'v1.0.0', '--cwd', repo.dir]);
    expect(check.code).toBe(0);
    expect(check.stderr).toMatch(/^\d+ pages: 0 errors, 0 warnings\.\n?$/);
    const diff = await runCli(['docs', 'diff', 'v1.0.0', 'v1.1.0', '--cwd', repo.dir]);
    expect(diff.code).toBe(0);
    expect(diff.stderr).not.toMatch(/\r|compiled/);
  });
});
