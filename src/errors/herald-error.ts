/** Where a problem is: a file and, when known, a line and column (1-based). */
export interface Location {
  file?: string;
  line?: number;
  column?: number;
  /** A JSON path such as `herald.notes.types.feat.title`, for config problems. */
  path?: string;
}

export interface Problem {
  message: string;
  location?: Location;
  fix?: string;
}

export type ExitCode = 1 | 2;

/**
 * Every expected failure. `code` is stable (tests and scripts key on it), `message` is one line,
 * `problems` lists every located issue found (a stage collects them all before failing), `fix`
 * says what to do. `exitCode` 2 means bad usage or bad input, 1 a failure of the run.
 */
export class HeraldError extends Error {
  override readonly name = 'HeraldError';
  readonly code: string;
  readonly fix: string | undefined;
  readonly problems: readonly Problem[];
  readonly exitCode: ExitCode;

  constructor(init: {
    code: string;
    message: string;
    fix?: string;
    problems?: readonly Problem[];
    exitCode: ExitCode;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.fix = init.fix;
    this.problems = init.problems ?? [];
    this.exitCode = init.exitCode;
  }

  toJSON(): object {
    return {
      code: this.code,
      message: this.message,
      fix: this.fix ?? null,
      problems: this.problems,
      exitCode: this.exitCode,
    };
  }
}

export function isHeraldError(value: unknown): value is HeraldError {
  return value instanceof HeraldError;
}

export function formatLocation(location: Location | undefined): string {
  if (!location) return '';
  const parts: string[] = [];
  if (location.file) {
    let where = location.file;
    if (location.line !== undefined) where += `:${location.line}`;
    if (location.line !== undefined && location.column !== undefined) where += `:${location.column}`;
    parts.push(where);
  }
  if (location.path) parts.push(location.path);
  return parts.join(' ');
}
