import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { errors } from '../errors/index.js';
import { positionOf } from './locate-json-path.js';
import { type HeraldConfig, validateConfig } from './validate-config.js';

export interface LoadedConfig {
  config: HeraldConfig;
  /** The file read, or null when none exists and defaults apply. */
  file: string | null;
}

const CANDIDATES = ['.releaserc.json', '.releaserc'];

/** Reads `.releaserc.json` (or `.releaserc` in JSON) from the repository root, or `--config`. */
export async function loadConfig(root: string, explicit?: string): Promise<LoadedConfig> {
  const files = explicit ? [path.resolve(explicit)] : CANDIDATES.map((name) => path.join(root, name));
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        if (explicit) throw errors.configNotFound(explicit);
        continue;
      }
      throw error;
    }
    const display = path.relative(process.cwd(), file) || file;
    let value: unknown;
    try {
      value = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      const reason = (error as Error).message;
      const at = /position (\d+)/.exec(reason);
      const where = at ? positionOf(text, Number(at[1])) : {};
      if (path.basename(file) === '.releaserc' && /^\s*[a-zA-Z]/.test(text)) {
        throw errors.usage(
          `${display} is YAML; Herald reads .releaserc only as JSON`,
          'Convert it to JSON and name it .releaserc.json (semantic-release reads that too).',
        );
      }
      throw errors.configSyntax(
        { file: display, ...where },
        reason.replace(/ in JSON at position \d+.*$/, ''),
      );
    }
    return { config: validateConfig(value, display, text), file };
  }
  return { config: validateConfig({}, '(defaults)'), file: null };
}
