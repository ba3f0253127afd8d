import type { CompiledPage, PageSource } from '../model/index.js';

/** Compiles pages; adapters run in-process or on worker threads. Output order follows input. */
export interface PageCompilerPort {
  compile(sources: PageSource[]): Promise<CompiledPage[]>;
}

/** Compiled pages kept between runs, keyed by a content key (blob id, path, compiler version). */
export interface DocsCachePort {
  load(): Promise<Map<string, CompiledPage>>;
  /** Replaces the kept entries with these (entries no longer used are dropped). */
  save(entries: Map<string, CompiledPage>): Promise<void>;
}
