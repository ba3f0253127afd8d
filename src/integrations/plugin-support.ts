import type { Output } from '../cli/output.js';
import { createRedactor } from '../core/redact.js';
import { errors as catalogue, HeraldError, type Problem } from '../errors/index.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The part of semantic-release's plugin context Herald reads (its `index.d.ts` has the rest). */
export interface PluginContext {
  cwd?: string;
  env?: Env;
  logger: { log(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void };
  options?: { tagFormat?: string };
  nextRelease?: { version: string; gitTag: string; gitHead: string };
  errors?: unknown[];
}

/** The plugin's options in `.releaserc.json`: `["herald-release/semantic-release", { … }]`. */
export interface PluginOptions {
  /** The audience whose notes become the release notes (default `customer`). */
  audience?: string;
  /** A template file in the templates directory for those notes, instead of the audience's own. */
  template?: string;
  /** Schedule the prepared bundle (else `HERALD_ANNOUNCE_AT`); without either it stays a draft. */
  announceAt?: string;
  /** The zone of `announceAt` (else `HERALD_ANNOUNCE_TZ`, else `herald.schedule.timeZone`). */
  timeZone?: string;
  /** Also run `herald announce` after preparing (default false: a scheduled run announces). */
  announce?: boolean;
  /** Prepare the notes without the docs (like `herald prepare --no-docs`). */
  docs?: boolean;
  /** The store (default `HERALD_DATABASE_URL`, else `.herald/state.db`). */
  store?: string;
  /** Another config file (default: the one semantic-release reads). */
  config?: string;
  /** A monorepo package from `herald.packages`. */
  package?: string;
}

export const envOf = (context: PluginContext): Env => context.env ?? process.env;
export const cwdOf = (context: PluginContext): string => context.cwd ?? process.cwd();

/** Herald's output routed to semantic-release's logger, secrets masked as the CLI masks them. */
export function outputFor(context: PluginContext, options: PluginOptions): Output {
  const redact = createRedactor(envOf(context), options.store ? ['--store', options.store] : []);
  const log = (text: string) => context.logger.log('%s', redact(text.replace(/\n$/, '')));
  return {
    json: false,
    out: log,
    info: log,
    warn: (text) => context.logger.warn('%s', redact(text)),
    error: (error) => context.logger.error('%s', redact(`${error.code} ${error.message}`)),
    bug: (error) => context.logger.error('%s', redact(String(error))),
  };
}

/**
 * An error semantic-release reports and passes to `fail` plugins: it only does so for errors with
 * `semanticRelease: true`, and renders `code`, `message` and the Markdown `details` (the shape
 * `@semantic-release/error` gives; any other error is logged as unexpected).
 */
export class SemanticReleaseError extends Error {
  override readonly name = 'SemanticReleaseError';
  readonly semanticRelease = true;
  constructor(
    message: string,
    readonly code: string,
    readonly details?: string,
  ) {
    super(message);
  }
}

/** A HeraldError as semantic-release shows errors: its problems and fix as the details. */
export function toReleaseError(error: unknown, ci: { id: string | null } | null): unknown {
  if (!(error instanceof HeraldError)) return error;
  const shown = ci ? catalogue.inCi(error, ci.id) : error;
  const lines = shown.problems.map(describeProblem);
  if (shown.fix) lines.push('', `Fix: ${shown.fix}`);
  return new SemanticReleaseError(shown.message, shown.code, lines.join('\n') || undefined);
}

function describeProblem(problem: Problem): string {
  const where = [problem.location?.file, problem.location?.path].filter(Boolean).join(' ');
  return `- ${where ? `${where}: ` : ''}${problem.message}${problem.fix ? ` (fix: ${problem.fix})` : ''}`;
}

/** Several failures at once: semantic-release flattens an error's `errors` and reports each. */
export function throwAll(failures: unknown[]): void {
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} problems`);
}

/** Plugin options of the wrong type are refused before anything runs. */
export function checkOptions(options: PluginOptions): HeraldError[] {
  const strings = ['audience', 'template', 'announceAt', 'timeZone', 'store', 'config', 'package'] as const;
  const booleans = ['announce', 'docs'] as const;
  return [
    ...strings
      .filter((k) => options[k] !== undefined && typeof options[k] !== 'string')
      .map((k) => catalogue.pluginOption(k, typeof options[k], 'string')),
    ...booleans
      .filter((k) => options[k] !== undefined && typeof options[k] !== 'boolean')
      .map((k) => catalogue.pluginOption(k, typeof options[k], 'boolean')),
  ];
}
