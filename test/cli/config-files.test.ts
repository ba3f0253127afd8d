import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

let repo: TestRepo;

beforeAll(() => {
  repo = new TestRepo('herald-config-files-');
  repo.commit('feat: first release');
  repo.tag('v1.0.0');
  repo.commit('feat: export invoices');
});
afterAll(() => repo.remove());

/** Runs `herald notes` with only the given config file in the repository root. */
async function notesWith(file: string, text: string, flags: string[] = []) {
  repo.write(file, text);
  try {
    return await runCli(['notes', '--cwd', repo.dir, ...flags]);
  } finally {
    rmSync(path.join(repo.dir, file));
  }
}

describe('herald notes reads the config as semantic-release does', () => {
  it('a YAML .releaserc, with a bad setting located by line', async () => {
    const ok = await notesWith('.releaserc', 'branches: [main]\nherald:\n  product: Acme YAML\n');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('- Export invoices');
    const bad = await notesWith('.releaserc', 'herald:\n  notes:\n    previousRelease: latest\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /\.releaserc:3:5 herald\.notes\.previousRelease {2}expected one of "stable", "any"/,
    );
  });

  it('.releaserc.json with comments, release.config.mjs and package.json "release"', async () => {
    const forms: Record<string, string> = {
      '.releaserc.json':
        '{\n  // shared with semantic-release\n  "herald": { "product": "Acme JSONC", },\n}\n',
      'release.config.mjs': 'export default { branches: ["main"], herald: { product: "Acme ESM" } };\n',
      'package.json': JSON.stringify({ name: 'acme', release: { herald: { product: 'Acme package' } } }),
    };
    const products: string[] = [];
    for (const [file, text] of Object.entries(forms)) {
      const { code, stdout, stderr } = await notesWith(file, text, ['--json']);
      expect({ file, stderr, code }).toEqual({ file, stderr: '', code: 0 });
      products.push(JSON.parse(stdout).notes.product);
    }
    expect(products).toEqual(['Acme JSONC', 'Acme ESM', 'Acme package']);
  });
});
