import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Script } from 'node:vm';

/**
 * Runs a CommonJS bundle with V8's compiled code kept on disk, as Node 22's
 * `module.enableCompileCache()` does for every module (Node 20 has no such cache): the next run
 * deserialises the compiled functions instead of parsing and compiling them again. V8 checks
 * that a cache fits the Node version, flags and source, and ignores one that does not; the file
 * name carries the bundle's content hash, so a rebuilt Herald never meets an old cache.
 * NODE_DISABLE_COMPILE_CACHE turns it off and NODE_COMPILE_CACHE moves it, as in Node 22.
 */
export function runWithCodeCache(file: string, bundleHash: string): void {
  const source = readFileSync(file, 'utf8');
  const cacheFile = cacheFileFor(bundleHash);
  const cachedData = cacheFile === null ? undefined : readIfPresent(cacheFile);
  // CommonJS's own wrapper, and one more argument: import() compiled by vm.Script has no module
  // loader behind it (Node 20 gives one only to --experimental-vm-modules), so the bundle imports
  // a JavaScript config file through this module's import() (see importFile in load-config.ts).
  const wrapper = `(function (exports, require, module, __filename, __dirname, __heraldImport) {${source}\n})`;
  const script = new Script(wrapper, { filename: file, cachedData });
  if (cacheFile !== null && (cachedData === undefined || script.cachedDataRejected === true)) {
    // Written after a successful run: the cache then holds every function that run compiled.
    process.once('exit', (code) => {
      if (code !== 0) return;
      writeAtomically(cacheFile, script.createCachedData());
      pruneOldCaches(path.dirname(cacheFile));
    });
  }
  const run = script.runInThisContext() as (
    exports: object,
    require: NodeJS.Require,
    module: { exports: object },
    filename: string,
    dirname: string,
    importFile: (url: string) => Promise<unknown>,
  ) => void;
  const module = { exports: {} };
  run(module.exports, createRequire(file), module, file, path.dirname(file), (url) => import(url));
}

function cacheFileFor(bundleHash: string): string | null {
  const env = process.env;
  if (env.NODE_DISABLE_COMPILE_CACHE) return null;
  let dir: string;
  try {
    const base =
      env.NODE_COMPILE_CACHE ??
      env.XDG_CACHE_HOME ??
      (process.platform === 'win32' ? env.LOCALAPPDATA : undefined) ??
      path.join(os.homedir(), '.cache');
    dir = path.resolve(base, 'herald');
  } catch {
    return null; // no home directory: run without a cache
  }
  return path.join(dir, `code-${bundleHash}-${process.version}-${process.arch}.v8`);
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Another run may write the same cache at the same moment: each renames its own whole file. */
function writeAtomically(file: string, data: Buffer): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } catch {
    // A read-only or full disk costs the next run its speed-up, nothing else.
  }
}

/** Caches of earlier Herald builds or Node versions kept beside the newest (a few, not every upgrade). */
const KEPT_CACHES = 8;

function pruneOldCaches(dir: string): void {
  try {
    const caches = readdirSync(dir)
      .filter((name) => /^code-.*\.v8$/.test(name))
      .map((name) => ({ file: path.join(dir, name), written: statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.written - a.written);
    for (const { file } of caches.slice(KEPT_CACHES)) unlinkSync(file);
  } catch {
    // Another run pruned first, or the directory is not ours to tidy: nothing is lost.
  }
}
