// The rooms of src/ and the one-way imports between them (ARCHITECTURE.md), read from the
// source text: every relative import is resolved to its file and checked.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');
const MAX_LINES = 500;
const MAX_FUNCTION_LINES = 100;

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Relative imports of one file, as paths under src/ (type-only imports included). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) =>
    relative(SRC, resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts'))),
  );
}

/** Imports that load a module when this one loads: static, not type-only (those are erased). */
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\s)[^;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/gms;

function loadedAtStart(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const text = readFileSync(join(SRC, path), 'utf8');
    for (const m of text.matchAll(STATIC_IMPORT))
      visit(relative(SRC, resolve(dirname(join(SRC, path)), (m[1] as string).replace(/\.js$/, '.ts'))));
  };
  visit(entry);
  return seen;
}

function buildGraph(): Map<string, string[]> {
  return new Map(listSources(SRC).map((file) => [relative(SRC, file), importsOf(file)]));
}

/** One cycle per strongly connected part found by depth-first search, as a path of files. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

interface FunctionSpan {
  file: string;
  line: number;
  /** Enclosing function names and its own, `outer.inner`; `<anonymous>` when nothing names it. */
  name: string;
  lines: number;
}

/** The name a function goes by: its own, or the variable, property or argument slot it fills. */
function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name)
    return parent.name.getText(source);
  return '<anonymous>';
}

/**
 * Every function with a body (declarations, expressions, arrows, methods, accessors) and the
 * lines it spans, first to last, nested functions included; a nested function is listed too,
 * under its own span.
 */
function functionSpans(file: string, text: string): FunctionSpan[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node, outer: string[]): void => {
    let names = outer;
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      names = [...outer, nameOf(node as ts.FunctionLikeDeclaration, source)];
      const line = lineOf(node.getStart(source));
      spans.push({ file, line, name: names.join('.'), lines: lineOf(node.getEnd()) - line + 1 });
    }
    ts.forEachChild(node, (child) => visit(child, names));
  };
  visit(source, []);
  return spans;
}

/** Long by nature, so outside the limit: the service emulators and template files. */
const EXEMPT_FROM_FUNCTION_LIMIT = /^server\/emulators\/|templates?\.ts$/;

const roomOf = (path: string): string => path.split('/')[0] as string;

/** Which rooms each pure room may not import (DESIGN.md's layout). */
const FORBIDDEN: Record<string, string[]> = {
  model: ['core', 'ports', 'adapters', 'stages', 'cli', 'server', 'integrations', 'channels', 'config'],
  core: ['ports', 'adapters', 'stages', 'cli', 'server', 'integrations', 'channels'],
  ports: ['core', 'adapters', 'stages', 'cli', 'server', 'integrations', 'channels'],
  stages: ['adapters', 'cli', 'server', 'integrations'],
  channels: ['adapters', 'cli', 'server', 'integrations'],
};

describe('architecture', () => {
  const graph = buildGraph();

  it('has no import cycle in src/', () => {
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('keeps the pure rooms from importing the rooms above them', () => {
    const offences = [...graph].flatMap(([file, imports]) => {
      const forbidden = FORBIDDEN[roomOf(file)] ?? [];
      return imports.filter((target) => forbidden.includes(roomOf(target))).map((t) => `${file} → ${t}`);
    });
    expect(offences).toEqual([]);
  });

  it('keeps the pure rooms free of node: modules', () => {
    const offences = [...graph.keys()]
      .filter((file) => ['model', 'core'].includes(roomOf(file)))
      .filter((file) => /(?:from\s*|import\s*\(\s*)['"]node:/.test(readFileSync(join(SRC, file), 'utf8')));
    expect(offences).toEqual([]);
  });

  it(`keeps every source file under ${MAX_LINES} lines`, () => {
    const long = [...graph.keys()]
      .map((file) => ({ file, lines: readFileSync(join(SRC, file), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines}`);
    expect(long).toEqual([]);
  });

  it(`keeps every function in src/ under ${MAX_FUNCTION_LINES} lines (emulators and templates aside)`, () => {
    const long = [...graph.keys()]
      .filter((file) => !EXEMPT_FROM_FUNCTION_LIMIT.test(file))
      .flatMap((file) => functionSpans(file, readFileSync(join(SRC, file), 'utf8')))
      .filter((span) => span.lines > MAX_FUNCTION_LINES);
    expect(long.map((s) => `${s.file}:${s.line}:${s.name}: ${s.lines} lines`)).toEqual([]);
  });

  it('keeps `herald --help` lean: the CLI entry loads no store and no command context', () => {
    // `herald notes` and `changelog` are loaded at start on purpose (the common, quick commands);
    // every command that opens the store is loaded when it runs.
    const loaded = [...loadedAtStart('cli/main.ts')];
    expect(loaded).toContain('cli/commands/release-help.ts');
    expect(loaded.filter((p) => /^adapters\/store\/|^cli\/(context|store)\.ts$/.test(p))).toEqual([]);
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const cyclic = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(findCycles(cyclic)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('measures each function by its own span, nested ones too (the checker itself)', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = [
      'export function outer() {', // line 1
      '  const inner = () => {', // line 2
      body(3),
      '  };',
      '  class K { method() {', // line 7
      body(2),
      '  } }',
      '  return [inner, K, function () {}];', // line 11
      '}',
    ].join('\n');
    expect(functionSpans('x.ts', text).map((s) => `${s.line}:${s.name}:${s.lines}`)).toEqual([
      '1:outer:12',
      '2:outer.inner:5',
      '7:outer.method:4',
      '11:outer.<anonymous>:1',
    ]);
  });
});
