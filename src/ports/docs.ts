import type { CompiledPage, PageSource } from '../model/index.js';

/** Compiles pages; adapters run in-process or on worker threads. Output order follows input. */
export interface PageCompilerPort {
  /**
   * Compiles the pages, in their order. It takes the sources: each entry is replaced by one with
   * empty bytes as its page is done, so a big job lets go of the Markdown as it goes.
   */
  compile(sources: PageSource[]): Promise<CompiledPage[]>;
}

/** Compiled pages kept between runs, keyed by a content key (blob id, path, compiler version). */
export interface DocsCachePort {
  load(): Promise<Map<string, CompiledPage>>;
  /** Replaces the kept entries with these (entries no longer used are dropped). */
  save(entries: Map<string, CompiledPage>): Promise<void>;
}
