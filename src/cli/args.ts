import { type ParseArgsConfig, parseArgs } from 'node:util';
import { errors } from '../errors/index.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flag values: strings for `type: 'string'`, booleans for `type: 'boolean'`, all optional. */
export type ParsedValues<T extends OptionSpec> = {
  [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : string;
};

export const globalOptions = {
  cwd: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

/** Strict parsing: an unknown flag or a missing value is a usage error (exit 2), never ignored. */
export function parseCommandArgs<T extends OptionSpec>(
  argv: string[],
  options: T,
  command: string,
): { values: ParsedValues<typeof globalOptions & T>; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...globalOptions, ...options },
      allowPositionals: true,
      strict: true,
    });
    return parsed as unknown as { values: ParsedValues<typeof globalOptions & T>; positionals: string[] };
  } catch (error) {
    throw errors.usage(
      (error as Error).message.replace(/\. To specify.*$/s, ''),
      `Run \`herald ${command} --help\` for the options.`,
    );
  }
}
