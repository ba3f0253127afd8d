import * as z from 'zod/mini';
import type { $ZodIssue, $ZodType } from 'zod/v4/core';
import type { Problem } from '../errors/index.js';
import type { ConfigPath } from './locate-json-path.js';

type Locate = (path: ConfigPath) => Problem['location'];

/**
 * Turns a schema issue into a problem a user can act on: what was found, what is expected, and
 * an example. The expectation comes from the schema itself: a check's own wording where it has
 * one (`{ error: 'an address like …' }`), else the setting's description and default.
 */
export function describeIssue(issue: $ZodIssue, root: $ZodType, locate: Locate): Problem {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const setting = settingAt(root, path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const known = Object.keys(setting.shape ?? {}).filter((k) => k !== '$schema');
    return {
      message: `unknown setting${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`,
      location: locate([...path, keys[0]!]),
      fix: `Check the spelling or remove it. Settings here: ${known.join(', ')}.`,
    };
  }
  const expected = expectationOf(issue);
  const given = describeValue(issue.input);
  const message =
    issue.input === undefined ? `missing; expected ${expected}` : `expected ${expected}, got ${given}`;
  return { message, location: locate(path), fix: fixOf(setting) };
}

/** What the setting takes, in words. */
function expectationOf(issue: $ZodIssue): string {
  if (issue.message && issue.message !== 'Invalid input') return issue.message; // the schema's own
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return 'a non-empty text';
      if (issue.origin === 'array') return `a list of at least ${String(issue.minimum)}`;
      return `a number of at least ${String(issue.minimum)}`;
    case 'too_big':
      return `a number of at most ${String(issue.maximum)}`;
    default:
      return 'a value of the form the setting describes';
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a text in "quotes"',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object { … }',
  array: 'a list [ … ]',
  null: 'null',
};

/** The setting's description and, where it has one, its default as an example. */
function fixOf(setting: Setting): string {
  const parts: string[] = [];
  if (setting.description) parts.push(setting.description);
  if (setting.example !== undefined && isShort(setting.example))
    parts.push(`Default: ${JSON.stringify(setting.example)}.`);
  return parts.join(' ') || 'See `herald schema` for the forms this setting takes.';
}

function isShort(value: unknown): boolean {
  if (value === null || (typeof value === 'object' && Object.keys(value).length === 0)) return false;
  return JSON.stringify(value).length <= 60;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value === 'string' ? 'text' : typeof value} ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
}

interface Setting {
  description?: string;
  example?: unknown;
  shape?: Record<string, $ZodType>;
}

/** Walks the schema down a config path, unwrapping optional/default/… and noting what it passes. */
function settingAt(root: $ZodType, path: readonly PropertyKey[]): Setting {
  const found: Setting = {};
  let node: $ZodType | undefined = root;
  const remaining = [...path];
  while (node) {
    const description = z.globalRegistry.get(node)?.description;
    if (description && found.description === undefined) found.description = description;
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'default' && found.example === undefined) found.example = def.defaultValue;
    if (['optional', 'default', 'prefault', 'nullable'].includes(def.type)) {
      node = def.innerType as $ZodType;
      continue;
    }
    if (remaining.length === 0) {
      if (def.type === 'object') found.shape = def.shape as Record<string, $ZodType>;
      return found;
    }
    const segment = remaining.shift();
    delete found.description;
    delete found.example;
    if (def.type === 'object') node = (def.shape as Record<string, $ZodType>)[String(segment)];
    else if (def.type === 'array') node = def.element as $ZodType;
    else if (def.type === 'record') node = def.valueType as $ZodType;
    else return {};
  }
  return found;
}
