import { formatLocation, type HeraldError } from '../errors/index.js';

export interface Output {
  json: boolean;
  /** Results: the notes, the JSON document. */
  out(text: string): void;
  /** Progress and warnings, always on stderr so stdout stays clean for pipes. */
  info(text: string): void;
  warn(text: string): void;
  error(error: HeraldError): void;
  bug(error: unknown): void;
}

export function createOutput(options: {
  json: boolean;
  redact: (text: string) => string;
  color: boolean;
}): Output {
  const { redact, color } = options;
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const write = (stream: NodeJS.WriteStream, text: string) =>
    stream.write(redact(text.endsWith('\n') ? text : `${text}\n`));
  return {
    json: options.json,
    out: (text) => write(process.stdout, text),
    info: (text) => write(process.stderr, text),
    warn: (text) => write(process.stderr, `${paint(33, 'warning')} ${text}`),
    error(error) {
      if (options.json) {
        write(process.stdout, JSON.stringify({ ok: false, error: error.toJSON() }, null, 2));
        return;
      }
      const lines = [`${paint(31, `error ${error.code}`)} ${error.message}`];
      for (const problem of error.problems) {
        const where = formatLocation(problem.location);
        lines.push(
          `  ${where ? `${where}  ` : ''}${problem.message}${problem.fix ? `\n    fix: ${problem.fix}` : ''}`,
        );
      }
      if (error.fix) lines.push(`${paint(36, 'fix:')} ${error.fix}`);
      write(process.stderr, lines.join('\n'));
    },
    bug(error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      write(
        process.stderr,
        `${paint(31, 'error EBUG')} Herald hit an unexpected error. This is a bug; please report it with the details below.\n${detail}`,
      );
    },
  };
}
