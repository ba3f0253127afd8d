import { rmSync } from 'node:fs';
import { TestRepo } from './git-repo.js';

/**
 * The temporary repositories a test file makes, each with its `.releaserc.json` (the product
 * Acme, no docs, then the given `herald` settings), removed together when the file is done.
 */
export function repoPool() {
  const repos: TestRepo[] = [];
  return {
    make(prefix: string, herald: Record<string, unknown>): TestRepo {
      const repo = new TestRepo(prefix);
      repos.push(repo);
      repo.write('.releaserc.json', JSON.stringify({ herald: { product: 'Acme', docs: false, ...herald } }));
      return repo;
    },
    removeAll(): void {
      for (const repo of repos.splice(0)) rmSync(repo.dir, { recursive: true, force: true });
    },
  };
}
