import { describe, expect, it } from 'vitest';
import { guessTagFormat } from '../../src/core/guess-tag-format.js';

describe('guessTagFormat', () => {
  it('reads the prefix most version tags share', () => {
    expect(guessTagFormat(['v1.0.0', 'v1.1.0-beta.1', 'v2.0.0'])).toEqual({
      kind: 'single',
      tagFormat: 'v${version}',
      example: 'v1.0.0',
    });
    expect(guessTagFormat(['1.2.3'])).toMatchObject({ tagFormat: '${version}' });
    expect(guessTagFormat(['release-1.2.3', 'release-1.3.0', 'v0.1.0'])).toMatchObject({
      tagFormat: 'release-${version}',
    });
  });

  it('ignores tags without a version, and tags that would inject a template', () => {
    expect(guessTagFormat(['latest', 'deploy-2026', 'stable'])).toEqual({ kind: 'none' });
    expect(guessTagFormat([])).toEqual({ kind: 'none' });
    expect(guessTagFormat(['${name}1.0.0', 'x 1.0.0'])).toEqual({ kind: 'none' });
  });

  it('sees a monorepo in name@version tags, scoped names included', () => {
    expect(guessTagFormat(['@acme/web@1.0.0', 'api@2.0.0', 'api@2.1.0', 'v0.1.0'])).toEqual({
      kind: 'packages',
      names: ['@acme/web', 'api'],
      example: '@acme/web@1.0.0',
    });
  });
});
