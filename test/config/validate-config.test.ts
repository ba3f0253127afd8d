import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/cli/commands/schema.js';
import { createJsonLocator } from '../../src/config/locate-json-path.js';
import { validateConfig } from '../../src/config/validate-config.js';
import { HeraldError } from '../../src/errors/index.js';

function problemsOf(run: () => unknown): HeraldError {
  try {
    run();
  } catch (error) {
    if (error instanceof HeraldError) return error;
    throw error;
  }
  throw new Error('expected a HeraldError');
}

describe('validateConfig', () => {
  it('resolves defaults for an empty config', () => {
    const config = validateConfig({}, '.releaserc.json');
    expect(config.tagFormat).toBe('v${version}');
    expect(config.notes.types.map((t) => t.type)).toEqual(
      expect.arrayContaining(['feat', 'fix', 'perf', 'other']),
    );
    expect(config.notes.types.at(-1)!.type).toBe('other');
    expect(config.notes.audiences.customer).toMatchObject({
      types: ['feat', 'fix', 'perf', 'revert'],
      hideLabels: ['internal'],
    });
    expect(config.notes.audiences.internal).toMatchObject({ types: 'all', hideLabels: [] });
    expect(config.issues.provider).toBe('git');
  });

  it('checks Slack channels: an id, not a name, and an audience the notes have, each with its line', () => {
    const located = (channels: object[]) => {
      const text = JSON.stringify({ herald: { slack: { channels } } }, null, 2);
      return problemsOf(() => validateConfig(JSON.parse(text), '.releaserc.json', createJsonLocator(text)));
    };
    const byName = located([
      { id: 'C0RELEASES', audience: 'internal' },
      { id: '#releases', audience: 'internal' },
    ]);
    expect(byName.code).toBe('EINVALIDCONFIG');
    expect(byName.problems.map((p) => [p.location?.path, p.location?.line])).toEqual([
      ['herald.slack.channels.1.id', 10],
    ]);
    const twice = located([
      { id: 'C0RELEASES', audience: 'internal' },
      { id: 'C0RELEASES', audience: 'customer' },
    ]);
    expect(twice.problems.map((p) => [p.location?.path, p.message])).toEqual([
      ['herald.slack.channels.1.id', 'Slack channel C0RELEASES is listed twice'],
    ]);
    const audience = located([{ id: 'C0COMMUNITY', audience: 'partners' }]);
    expect(audience.problems.map((p) => [p.location?.path, p.location?.line])).toEqual([
      ['herald.slack.channels.0.audience', 7],
    ]);
    expect(audience.problems[0]!.fix).toContain('customer, internal');
    const config = validateConfig(
      { herald: { slack: { channels: [{ id: 'C0RELEASES', audience: 'internal' }] } } },
      'x',
    );
    expect(config.slack).toMatchObject({
      corrections: 'update',
      postsPerMinute: 60,
      outbox: '.herald/outbox/slack',
    });
  });

  it('merges custom types and audiences, and ignores semantic-release keys', () => {
    const config = validateConfig(
      {
        branches: ['main'],
        plugins: ['@semantic-release/commit-analyzer'],
        herald: {
          notes: {
            types: { feat: { title: 'New' }, security: { title: 'Security' } },
            audiences: { partners: { types: ['feat', 'security'] } },
          },
        },
      },
      'x.json',
    );
    expect(config.notes.types.find((t) => t.type === 'feat')!.title).toBe('New');
    expect(config.notes.types.find((t) => t.type === 'security')).toBeDefined();
    expect(config.notes.audiences.partners).toMatchObject({
      template: 'partners.hbs',
      hideLabels: ['internal'],
    });
  });

  it('reports every problem at once with its path, line and fix', () => {
    const text = `{
  "tagFormat": "release",
  "herald": {
    "notes": {
      "nonConventional": "keep",
      "typos": true,
      "links": { "jira": { "pattern": "PROJ-(", "url": "https://j/{id}" } }
    },
    "issues": { "provider": "bitbucket" }
  }
}`;
    const error = problemsOf(() =>
      validateConfig(JSON.parse(text), '.releaserc.json', createJsonLocator(text)),
    );
    expect(error.code).toBe('EINVALIDCONFIG');
    expect(error.exitCode).toBe(2);
    const byPath = Object.fromEntries(error.problems.map((p) => [p.location?.path, p]));
    expect(byPath['herald.notes.nonConventional']?.location).toMatchObject({
      file: '.releaserc.json',
      line: 5,
    });
    expect(byPath['herald.notes.nonConventional']?.message).toBe(
      'expected one of "other", "drop", got text "keep"',
    );
    expect(byPath['herald.notes.typos']?.message).toMatch(/unknown setting "typos"/);
    expect(byPath['herald.notes.typos']?.location?.line).toBe(6);
    expect(byPath['herald.issues.provider']?.location?.line).toBe(9);
    expect(error.problems.length).toBe(3);
  });

  it('says what each bad value is, what is expected, with an example', () => {
    const error = problemsOf(() =>
      validateConfig(
        {
          herald: {
            product: '',
            notes: { colour: 'red', audiences: { partners: { types: 'feat' } } },
            helpCenter: { releaseNotesSectionId: 'abc' },
            slack: { channels: [{ id: '#releases', audience: 'internal' }] },
            email: { from: 'Acme <releases@acme.example>', maxConnections: '5', publicUrl: 'https://x' },
            server: { port: 70000 },
          },
        },
        '.releaserc.json',
      ),
    );
    const byPath = Object.fromEntries(error.problems.map((p) => [p.location?.path, p]));
    expect(byPath['herald.email.from']?.message).toBe(
      'expected an address like releases@acme.example; the display name goes in `fromName`, got text "Acme <releases@acme.example>"',
    );
    expect(byPath['herald.email.maxConnections']?.message).toBe('expected a number, got text "5"');
    expect(byPath['herald.email.maxConnections']?.fix).toMatch(/^SMTP connections in the pool.*Default: 5\./);
    expect(byPath['herald.email.publicUrl']?.message).toMatch(
      /^expected an http\(s\) URL ending in "\/", like https:\/\/releases\.acme\.example\/, got text "https:\/\/x"$/,
    );
    expect(byPath['herald.slack.channels.0.id']?.message).toMatch(
      /^expected a Slack channel ID like C0123ABCD .*not its #name, got text "#releases"$/,
    );
    expect(byPath['herald.helpCenter.releaseNotesSectionId']?.message).toBe(
      'expected a Zendesk id: a whole number like 360001234567, got text "abc"',
    );
    expect(byPath['herald.notes.audiences.partners.types']?.message).toBe(
      'expected "all" or a list of commit types like ["feat", "fix"], got text "feat"',
    );
    expect(byPath['herald.server.port']?.message).toBe(
      'expected a number of at most 65535, got number 70000',
    );
    expect(byPath['herald.product']?.message).toBe('expected a non-empty text, got text ""');
    expect(byPath['herald.product']?.fix).toMatch(/^Product name shown in notes/);
    expect(byPath['herald.notes.colour']?.fix).toMatch(/Settings here: types, components, nonConventional/);
    for (const problem of error.problems) expect(problem.message).not.toMatch(/not valid here|invalid value/);
  });

  it('reports rule problems (tag format, regexes, audience types) together', () => {
    const error = problemsOf(() =>
      validateConfig(
        {
          tagFormat: 'release',
          herald: {
            notes: {
              links: { jira: { pattern: 'PROJ-(', url: 'u' } },
              audiences: { x: { types: ['nope'] } },
            },
          },
        },
        'f.json',
      ),
    );
    expect(error.problems.map((p) => p.location?.path)).toEqual([
      'tagFormat',
      'herald.notes.links.jira.pattern',
      'herald.notes.audiences.x.types',
    ]);
  });
});

describe('published JSON Schema', () => {
  it('is in sync with the zod schema (run `npm run schema` to refresh)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../schema/herald.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(configJsonSchema());
  });

  it('describes the herald settings for editors', () => {
    const schema = configJsonSchema() as {
      properties: Record<string, { properties?: Record<string, unknown> }>;
    };
    expect(Object.keys(schema.properties.herald!.properties!)).toEqual(
      expect.arrayContaining(['product', 'notes', 'issues', 'docs', 'packages']),
    );
  });
});
