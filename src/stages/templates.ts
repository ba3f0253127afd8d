import type HandlebarsApi from 'handlebars/runtime';
import * as runtimeModule from 'handlebars/runtime.js';
import { errors, HeraldError } from '../errors/index.js';
import type { TemplatePort, TemplateSource } from '../ports/index.js';

// handlebars has no "exports" map, so Node's ESM resolver (the library build) needs the runtime's
// file name with its extension; that file's types export nothing, the extension-less name's do.
const Handlebars = (runtimeModule as unknown as { default: typeof HandlebarsApi }).default;

// The template toolkit shared by the notes and the emails: compiling Handlebars templates once
// (precompiled, cached by the template port) and turning their failures into Herald's errors.

/** The notes' compile options: strict, no HTML escaping (the output is Markdown), no indenting. */
const compileOptions = { strict: true, noEscape: true, preventIndent: true } as const;

/**
 * Templates are precompiled once and the result kept by the template port: a typical run then
 * needs only the Handlebars runtime, and the compiler (most of Handlebars) is loaded on a miss.
 */
export async function compileTemplate(
  hb: typeof Handlebars,
  template: TemplateSource,
  templates: TemplatePort,
  options: CompileOptions = compileOptions,
): Promise<HandlebarsApi.TemplateDelegate> {
  const compileVariant = `handlebars ${Handlebars.VERSION} ${JSON.stringify(options)}`;
  const cached = await templates.readCompiled(template, compileVariant);
  if (cached !== null) {
    try {
      return hb.template(evaluateSpec(cached));
    } catch {
      // A damaged cache entry: compile again below.
    }
  }
  const { default: compiler } = await import('handlebars');
  let ast: hbs.AST.Program;
  try {
    ast = compiler.parse(template.source);
  } catch (error) {
    throw syntaxError(template, error);
  }
  const spec = compiler.precompile(ast, options) as string;
  await templates.writeCompiled(template, compileVariant, spec);
  return hb.template(evaluateSpec(spec));
}

/** Handlebars compile options Herald uses (strict always: a misspelt field is an error). */
export interface CompileOptions {
  strict: true;
  noEscape: boolean;
  preventIndent: boolean;
}

/** A precompiled template is JavaScript source that Handlebars generated from a trusted template. */
function evaluateSpec(spec: string): TemplateSpecification {
  return new Function(`return ${spec};`)() as TemplateSpecification;
}

type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

/** A template's syntax error as Herald's error, at the template's file and line. */
export function syntaxError(template: TemplateSource, error: unknown): HeraldError {
  // Two shapes: "Parse error on line 3: …" from the grammar, "x doesn't match y - 3:3" from block checks.
  const e = error as Error & { lineNumber?: number; column?: number };
  const line = e.lineNumber ?? Number(/line (\d+)/.exec(e.message)?.[1] ?? Number.NaN);
  const reason = (
    e.message
      .split('\n')
      .filter((l) => !/^-*\^$/.test(l.trim()))
      .pop() ?? e.message
  ).replace(/ - \d+:\d+$/, '');
  const location = Number.isNaN(line)
    ? {}
    : { line, ...(e.column !== undefined ? { column: e.column + 1 } : {}) };
  return errors.templateSyntax({ file: template.file, ...location }, reason.trim());
}

/** Runs a compiled template; a field the model lacks (strict mode) is Herald's error at its line. */
export function runChecked(
  template: TemplateSource,
  run: () => string,
  model: 'notes' | 'email' = 'notes',
): string {
  try {
    return run();
  } catch (error) {
    if (error instanceof HeraldError) throw error;
    const e = error as Error & { lineNumber?: number; column?: number };
    const reason = e.message.replace(/ - \d+:\d+$/, '').replace(/ in \[object Object\]$/, '');
    throw errors.templateField(
      {
        file: template.file,
        ...(e.lineNumber !== undefined ? { line: e.lineNumber, column: (e.column ?? 0) + 1 } : {}),
      },
      reason,
      model,
    );
  }
}
