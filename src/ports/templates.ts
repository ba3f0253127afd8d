/** A template's source and the file it came from (for error locations). */
export interface TemplateSource {
  file: string;
  source: string;
}

/** Where templates come from: the repository's template dir over Herald's built-in ones. */
export interface TemplatePort {
  load(name: string): Promise<TemplateSource>;
  /** Like `load`, but null when neither the repository nor Herald has the file. */
  find(name: string): Promise<TemplateSource | null>;
  /** The file names in `dir` (e.g. `email`), the repository's and Herald's together. */
  list(dir: string): Promise<string[]>;
  /** Every partial available (`header`, `entry`, …), repository ones overriding built-ins. */
  partials(): Promise<Record<string, TemplateSource>>;
  /**
   * A precompiled form of this exact source for this compiler `variant` (version and options),
   * if one was kept; null otherwise.
   */
  readCompiled(template: TemplateSource, variant: string): Promise<string | null>;
  /** Keeps a precompiled form (best effort: failing to keep it is not an error). */
  writeCompiled(template: TemplateSource, variant: string, compiled: string): Promise<void>;
}
