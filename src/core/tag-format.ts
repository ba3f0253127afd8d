import semver from 'semver';

/** A semantic-release `tagFormat` bound to one package name: turns versions into tags and back. */
export interface TagFormat {
  format: string;
  /** The version a tag names, or null when the tag is not a release tag of this format. */
  versionOf(tag: string): string | null;
  tagOf(version: string): string;
  /** A `git tag --list` pattern that pre-filters candidate tags. */
  glob: string;
}

/** Validates a tagFormat (throws with the reason) and binds `${name}` to the package name. */
export function parseTagFormat(format: string, name: string | null = null): TagFormat {
  const count = format.split('${version}').length - 1;
  if (count !== 1) throw new Error('it must contain ${version} exactly once');
  const bound = name === null ? format : format.split('${name}').join(name);
  if (/\$\{(?!version\}|name\})/.test(bound)) throw new Error('only ${version} and ${name} may be used');
  const [prefix, suffix] = bound.split('${version}') as [string, string];
  if (/[\s~^:?*[\\]/.test(prefix + suffix)) {
    throw new Error('git does not allow spaces or any of ~^:?*[\\ in tag names');
  }
  return {
    format,
    glob: `${globEscape(prefix)}*${globEscape(suffix)}`,
    tagOf: (version) => `${prefix}${version}${suffix}`,
    versionOf(tag) {
      if (!tag.startsWith(prefix) || !tag.endsWith(suffix) || tag.length <= prefix.length + suffix.length)
        return null;
      const version = tag.slice(prefix.length, tag.length - suffix.length);
      return semver.valid(version) === version ? version : null;
    },
  };
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
