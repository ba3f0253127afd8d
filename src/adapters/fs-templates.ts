import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '../errors/index.js';
import type { TemplatePort, TemplateSource } from '../ports/index.js';

/**
 * Herald's own templates/ directory, next to dist/ in the installed package: two levels up from
 * this module (tsc build, or the CLI bundle's entry), three from a bundle chunk.
 */
export const builtinTemplatesDir = [
  new URL('../../templates/', import.meta.url),
  new URL('../../../templates/', import.meta.url),
]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(path.join(dir, 'customer.hbs'))) as string;

/**
 * Templates from the repository's template dir, falling back to the built-in ones. Partials are
 * the `.hbs` files in `partials/`, named after the file.
 */
export function createFsTemplates(repoDir: string | null, cacheDir: string | null = null): TemplatePort {
  const cacheFile = (template: TemplateSource, variant: string) =>
    cacheDir === null
      ? null
      : path.join(
          cacheDir,
          `${createHash('sha256').update(`${variant}\0${template.source}`).digest('hex').slice(0, 32)}.js`,
        );
  const dirs = [repoDir, builtinTemplatesDir].filter((d): d is string => d !== null);
  const read = async (file: string): Promise<TemplateSource | null> => {
    try {
      return { file: displayPath(file), source: await readFile(file, 'utf8') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
  const find = async (name: string) => {
    for (const dir of dirs) {
      const found = await read(path.join(dir, name));
      if (found) return found;
    }
    return null;
  };
  return {
    find,
    async list(dir) {
      const names = new Set<string>();
      for (const root of dirs) {
        const entries = await readdir(path.join(root, dir)).catch(() => [] as string[]);
        for (const name of entries) names.add(name);
      }
      return [...names].sort();
    },
    async load(name) {
      const found = await find(name);
      if (found) return found;
      throw errors.templateMissing(repoDir ? path.join(repoDir, name) : name);
    },
    async readCompiled(template, variant) {
      const file = cacheFile(template, variant);
      return file === null ? null : readFile(file, 'utf8').catch(() => null);
    },
    async writeCompiled(template, variant, compiled) {
      const file = cacheFile(template, variant);
      if (file === null) return;
      try {
        await mkdir(path.dirname(file), { recursive: true });
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, compiled);
        await rename(temp, file);
      } catch {
        // A read-only checkout simply compiles every time.
      }
    },
    async partials() {
      const result: Record<string, TemplateSource> = {};
      for (const dir of [...dirs].reverse()) {
        const partialDir = path.join(dir, 'partials');
        let names: string[] = [];
        try {
          names = (await readdir(partialDir)).filter((n) => n.endsWith('.hbs'));
        } catch {
          continue;
        }
        for (const name of names) {
          const found = await read(path.join(partialDir, name));
          if (found) result[name.slice(0, -'.hbs'.length)] = found;
        }
      }
      return result;
    },
  };
}

/** Paths in messages: relative to where the user is, when that is shorter. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
