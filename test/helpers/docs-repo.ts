import { cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestRepo } from './git-repo.js';

const fixtures = fileURLToPath(new URL('../../docs-fixtures/', import.meta.url));
const overlay = fileURLToPath(new URL('../fixtures/docs-v2/', import.meta.url));

/**
 * A repository whose docs/ is docs-fixtures at v1.0.0 and, at v1.1.0, the next release from
 * test/fixtures/docs-v2 (pages changed, added, removed and moved).
 */
export function createDocsRepo(): TestRepo {
  const repo = new TestRepo('herald-docs-');
  const docs = path.join(repo.dir, 'docs');
  cpSync(fixtures, docs, { recursive: true });
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'docs: first release');
  repo.tag('v1.0.0');
  const changes = JSON.parse(readFileSync(path.join(overlay, 'changes.json'), 'utf8')) as {
    remove: string[];
    rename: Record<string, string>;
  };
  for (const file of changes.remove) rmSync(path.join(docs, file));
  for (const [from, to] of Object.entries(changes.rename)) {
    cpSync(path.join(docs, from), path.join(docs, to));
    rmSync(path.join(docs, from));
  }
  cpSync(path.join(overlay, 'files'), docs, { recursive: true });
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'docs: second release');
  repo.tag('v1.1.0');
  return repo;
}
