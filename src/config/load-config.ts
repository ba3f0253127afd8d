import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Loader, lilconfig } from 'lilconfig';
import { errors, isHeraldError } from '../errors/index.js';
import type { Locator } from './locate-json-path.js';
import type { HeraldConfig } from './validate-config.js';
import { type NotesConfig, validateNotesConfig } from './validate-notes-config.js';

export interface LoadedConfig<C extends NotesConfig = HeraldConfig> {
  config: C;
  /** The file read, or null when none exists and defaults apply. */
  file: string | null;
}

/**
 * Where semantic-release looks, in its order: it calls cosmiconfig("release") in the directory it
 * runs in, and these are cosmiconfig 9's search places for that name. The first file that exists
 * (and, for package.json, has a "release" key) is the config; an empty file is skipped.
 */
export const CONFIG_FILES = [
  'package.json',
  '.releaserc',
  '.releaserc.json',
  '.releaserc.yaml',
  '.releaserc.yml',
  '.releaserc.js',
  '.releaserc.ts',
  '.releaserc.cjs',
  '.releaserc.mjs',
  '.config/releaserc',
  '.config/releaserc.json',
  '.config/releaserc.yaml',
  '.config/releaserc.yml',
  '.config/releaserc.js',
  '.config/releaserc.ts',
  '.config/releaserc.cjs',
  '.config/releaserc.mjs',
  'release.config.js',
  'release.config.ts',
  'release.config.cjs',
  'release.config.mjs',
];

/**
 * Reads the config semantic-release would read in the repository root, or `--config`. With
 * scope "notes", only the sections notes are made from are validated (and only their schema is
 * loaded: most of a typical `herald notes` is start-up); the commands that read the other
 * sections load the whole config and fail there, with the same located problems.
 */
export async function loadConfig(root: string, explicit?: string): Promise<LoadedConfig>;
export async function loadConfig(
  root: string,
  explicit: string | undefined,
  scope: 'notes',
): Promise<LoadedConfig<NotesConfig>>;
export async function loadConfig(
  root: string,
  explicit?: string,
  scope: 'all' | 'notes' = 'all',
): Promise<LoadedConfig<NotesConfig>> {
  // The whole schema loads while the file is searched for.
  const validating: Promise<(value: unknown, file: string, position?: Locator) => NotesConfig> =
    scope === 'notes'
      ? Promise.resolve(validateNotesConfig)
      : import('./validate-config.js').then((m) => m.validateConfig);
  const locators = new Map<string, () => Promise<Locator>>();
  const loaders = loadersRecording(locators);
  if (explicit && !((path.extname(explicit) || 'noExt') in loaders)) {
    throw errors.usage(
      `--config ${explicit}: Herald cannot tell the format of this file`,
      'Name it .json (comments allowed), .yaml, .yml, .js, .cjs or .mjs.',
    );
  }
  const explorer = lilconfig('release', {
    searchPlaces: presentSearchPlaces(root),
    stopDir: root, // the root only, as semantic-release (cosmiconfig's "none" search strategy)
    cache: false,
    loaders,
  });
  let found: { filepath: string; config: unknown } | null;
  try {
    found = explicit ? await explorer.load(path.resolve(explicit)) : await explorer.search(root);
  } catch (error) {
    if (isHeraldError(error)) throw error;
    if (explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') throw errors.configNotFound(explicit);
    throw error;
  }
  const validate = await validating;
  if (!found) return { config: validate({}, '(defaults)'), file: null };
  const file = found.filepath;
  const value = found.config ?? {};
  try {
    return { config: validate(value, displayOf(file)), file };
  } catch (error) {
    // Positions are worked out only for a config with problems: a valid one is read once, fast.
    const locator = locators.get(file);
    if (!isHeraldError(error) || error.code !== 'EINVALIDCONFIG' || !locator) throw error;
    const located = await locator();
    const inPackageJson = path.basename(file) === 'package.json';
    const locate: Locator = inPackageJson ? (p) => located(['release', ...p]) : located;
    return { config: validate(value, displayOf(file), locate), file };
  }
}

/**
 * The search places that exist in `root`, in their order: two directory listings instead of an
 * access() per place (21 round trips to the file system, a measurable part of `herald notes`).
 */
export function presentSearchPlaces(root: string): string[] {
  const list = (dir: string) => {
    try {
      return new Set(readdirSync(dir));
    } catch {
      return null;
    }
  };
  const top = list(root);
  if (!top) return CONFIG_FILES; // unreadable: let the search report what it finds
  const nested = top.has('.config')
    ? (list(path.join(root, '.config')) ?? new Set<string>())
    : new Set<string>();
  return CONFIG_FILES.filter((place) =>
    place.startsWith('.config/') ? nested.has(place.slice('.config/'.length)) : top.has(place),
  );
}

function displayOf(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

/** Loaders by file extension; JSON and YAML ones keep a way to locate settings by line. */
function loadersRecording(locators: Map<string, () => Promise<Locator>>): Record<string, Loader> {
  const jsonc = () => import('./locate-json-path.js');
  const json: Loader = async (file, text) => {
    locators.set(file, async () => (await jsonc()).createJsonLocator(text));
    try {
      return JSON.parse(text.replace(/^\uFEFF/, '')); // plain JSON, the common case: no parser to load
    } catch {
      const parsed = (await jsonc()).parseJsonc(text);
      if ('value' in parsed) return parsed.value;
      const { reason, ...where } = parsed.error;
      throw errors.configSyntax({ file: displayOf(file), ...where }, reason);
    }
  };
  const yaml: Loader = async (file, text) => {
    const { readYamlConfig } = await import('./read-yaml-config.js');
    const { value, locate } = readYamlConfig(text, displayOf(file));
    locators.set(file, async () => locate);
    return value;
  };
  // semantic-release reads an extensionless .releaserc as YAML, and JSON is (almost) YAML. JSON
  // is read as JSON, so comments work there too and errors keep their JSON positions.
  const jsonOrYaml: Loader = (file, text) =>
    /^\uFEFF?\s*(\{|\/\/|\/\*)/.test(text) ? json(file, text) : yaml(file, text);
  return {
    '.json': json,
    noExt: jsonOrYaml,
    '.yaml': yaml,
    '.yml': yaml,
    '.js': importModule,
    '.cjs': importModule,
    '.mjs': importModule,
    '.ts': (file) => {
      throw errors.configLoad(
        displayOf(file),
        'Herald does not read TypeScript config files',
        'Rename it to release.config.mjs (plain JavaScript), or keep the settings in .releaserc.json.',
      );
    },
  };
}

/** Set by the code-cached CLI bundle, where import() cannot run (see src/cli/code-cache.ts). */
declare const __heraldImport: ((url: string) => Promise<unknown>) | undefined;
const importFile = (url: string) =>
  typeof __heraldImport === 'function' ? __heraldImport(url) : import(url);

/** A JavaScript config: its default export (ESM) or module.exports (CommonJS). */
async function importModule(file: string): Promise<unknown> {
  let loaded: { default?: unknown };
  try {
    loaded = (await importFile(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw errors.configLoad(
      displayOf(file),
      String((error as Error).message ?? error).split('\n')[0]!,
      'Run `node <file>` to see the error in full; the file must export the config object.',
    );
  }
  const value = loaded.default;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.configLoad(
      displayOf(file),
      'it exports no config object',
      'Export the object: `module.exports = { … }` (CommonJS) or `export default { … }` (ESM).',
    );
  }
  return value;
}

/**
 * The config file semantic-release would use in `root`, without reading it as Herald settings,
 * or null. A `.releaserc.json` counts even when empty: `herald init` must not write over it.
 */
export async function findConfigFile(root: string): Promise<string | null> {
  const anyContent: Loader = () => ({});
  const explorer = lilconfig('release', {
    searchPlaces: presentSearchPlaces(root),
    stopDir: root,
    cache: false,
    loaders: {
      ...Object.fromEntries(
        ['.json', '.yaml', '.yml', '.js', '.cjs', '.mjs', '.ts', 'noExt'].map((k) => [k, anyContent]),
      ),
      // package.json counts only with a "release" key.
      '.json': (file, text) => (path.basename(file) === 'package.json' ? parsePackageJson(text) : {}),
    },
  });
  const found = await explorer.search(root);
  if (found) return found.filepath;
  const empty = path.join(root, '.releaserc.json');
  return existsSync(empty) ? empty : null;
}

function parsePackageJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {}; // a broken package.json is not Herald's to report here
  }
}
