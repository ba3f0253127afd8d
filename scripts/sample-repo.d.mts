export declare const sampleConfig: Record<string, unknown>;
/** Builds the sample repository in `dir` (removed first) and returns `dir`. */
export declare function buildSampleRepo(dir: string): string;
