import { describe, expect, it } from 'vitest';
import { extractReleaseNoteSection } from '../../src/core/release-note-section.js';

describe('extractReleaseNoteSection', () => {
  it('returns null without a body or without the section', () => {
    expect(extractReleaseNoteSection(null)).toBeNull();
    expect(extractReleaseNoteSection('')).toBeNull();
    expect(extractReleaseNoteSection('## Summary\nFixes the login page.')).toBeNull();
  });

  it('reads the text up to the next heading, trimmed', () => {
    const body =
      '## Summary\nRefactor.\n\n## Release note\n\n  Login now remembers you.\nFor 30 days.\n\n## Testing\nManual.';
    expect(extractReleaseNoteSection(body)).toBe('Login now remembers you.\nFor 30 days.');
  });

  it('matches any heading level, either spelling, any case, with closing hashes or a colon', () => {
    expect(extractReleaseNoteSection('# RELEASE NOTES\nA')).toBe('A');
    expect(extractReleaseNoteSection('###### release note ###\nB')).toBe('B');
    expect(extractReleaseNoteSection('### Release notes:\nC')).toBe('C');
    expect(extractReleaseNoteSection('   ## Release-note\nD')).toBe('D');
  });

  it('does not take headings that merely mention release notes', () => {
    expect(extractReleaseNoteSection('## Release notes for reviewers\nX')).toBeNull();
    expect(extractReleaseNoteSection('##Release note\nX')).toBeNull();
    expect(extractReleaseNoteSection('Release note\nX')).toBeNull();
  });

  it('ends at a heading of any level, including a setext one', () => {
    expect(extractReleaseNoteSection('## Release note\nKeep\n#### Deeper\nDrop')).toBe('Keep');
    expect(extractReleaseNoteSection('## Release note\nKeep\n\nNext part\n---------\nDrop')).toBe('Keep');
  });

  it('accepts a setext release-note heading', () => {
    expect(extractReleaseNoteSection('Release note\n============\nFaster builds.\n\nOther\n=====\nx')).toBe(
      'Faster builds.',
    );
  });

  it('strips HTML comments, including multi-line template hints', () => {
    const body =
      '## Release note\n<!-- Write one line for users,\nor "none". -->\nDark mode <!-- inline --> arrives.';
    expect(extractReleaseNoteSection(body)).toBe('Dark mode  arrives.');
  });

  it('ignores a release-note heading inside an HTML comment', () => {
    expect(extractReleaseNoteSection('<!--\n## Release note\nTemplate text\n-->\n## Other\nx')).toBeNull();
  });

  it('treats an unclosed comment as hiding the rest', () => {
    expect(extractReleaseNoteSection('## Release note\nShown\n<!-- hidden\nstill hidden')).toBe('Shown');
  });

  it('drops fence lines and keeps their content, where # lines are not headings', () => {
    const body = '## Release note\n```release-note\nNew `--dry-run` flag.\n# not a heading\n```\n## Next\nno';
    expect(extractReleaseNoteSection(body)).toBe('New `--dry-run` flag.\n# not a heading');
    expect(extractReleaseNoteSection('## Release note\n~~~\nTilde fence\n~~~')).toBe('Tilde fence');
  });

  it('returns null for empty sections and none / n/a / -', () => {
    expect(extractReleaseNoteSection('## Release note\n\n## Next\ntext')).toBeNull();
    expect(extractReleaseNoteSection('## Release note\n<!-- describe -->\n')).toBeNull();
    for (const word of ['none', 'NONE', 'None.', 'n/a', 'N/A', '-']) {
      expect(extractReleaseNoteSection(`## Release note\n${word}\n`)).toBeNull();
    }
    expect(extractReleaseNoteSection('## Release note\n```release-note\nNONE\n```')).toBeNull();
  });

  it('keeps text that only starts with none', () => {
    expect(extractReleaseNoteSection('## Release note\nNone of the old flags change.')).toBe(
      'None of the old flags change.',
    );
  });

  it('handles CRLF line endings', () => {
    expect(extractReleaseNoteSection('## Release note\r\nWindows text\r\n## Next\r\n')).toBe('Windows text');
  });

  it('reads only the first 64 KiB', () => {
    const body = `${'x\n'.repeat(40_000)}## Release note\nToo late`;
    expect(extractReleaseNoteSection(body)).toBeNull();
    expect(extractReleaseNoteSection(`## Release note\nEarly\n${'y'.repeat(100_000)}`)).toMatch(
      /^Early\ny+$/,
    );
  });

  it('finishes quickly on 5 MB adversarial bodies', () => {
    const bodies = [
      `## Release note\n${'<!--'.repeat(1_300_000)}`,
      `## Release note\n${' '.repeat(5_000_000)}#x`,
      `## Release note\nKept\n##${' '.repeat(5_000_000)}#`,
      `## Release note\n${'#'.repeat(5_000_000)}`,
      `## Release note\n${'a\n=\n'.repeat(1_250_000)}`,
      `## Release note\n${'```\n'.repeat(1_300_000)}`,
    ];
    const results = bodies.map((body) => extractReleaseNoteSection(body));
    expect(results[0]).toBeNull();
    expect(results[1]).toBeNull();
    expect(results[2]).toBe('Kept');
    expect(results[3]).toBe('#'.repeat(64 * 1024 - '## Release note\n'.length));
    expect(results[4]).toBeNull();
    expect(results[5]).toBeNull();
  });
});
