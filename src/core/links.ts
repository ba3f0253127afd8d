import type { Reference } from '../model/index.js';

export interface LinkTemplates {
  repository?: string | undefined;
  issue?: string | undefined;
  pullRequest?: string | undefined;
  commit?: string | undefined;
  compare?: string | undefined;
  jira?: { pattern: string; url: string } | undefined;
  keys?: readonly { pattern: string; url: string }[];
}

/** Builds URLs for references, commits and comparisons; null where nothing is configured. */
export interface Linker {
  reference(ref: Pick<Reference, 'prefix' | 'id' | 'repository'>, kind?: 'issue' | 'pull'): string | null;
  commit(hash: string): string | null;
  compare(fromTag: string, toTag: string): string | null;
}

export type Forge = 'github' | 'gitlab' | 'other';

/**
 * Turns a git remote (`git@github.com:acme/app.git`, `https://user:token@gitlab.com/g/p.git`) into
 * the repository's web URL. Credentials in the remote are dropped: they must never be printed.
 */
export function webUrlFromRemote(remote: string): { url: string; forge: Forge; path: string } | null {
  const trimmed = remote.trim();
  let host: string;
  let path: string;
  const scp = /^(?:[\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(trimmed);
  if (scp && !/^[a-z]+:\/\//i.test(trimmed)) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    try {
      const parsed = new URL(trimmed);
      if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol)) return null;
      host = parsed.hostname;
      path = parsed.pathname.replace(/^\//, '');
    } catch {
      return null;
    }
  }
  path = path.replace(/\.git$/, '').replace(/\/$/, '');
  if (!host || !path.includes('/')) return null;
  const forge: Forge = host.includes('github') ? 'github' : host.includes('gitlab') ? 'gitlab' : 'other';
  return { url: `https://${host}/${path}`, forge, path };
}

export function forgeOf(repositoryUrl: string): Forge {
  return repositoryUrl.includes('gitlab') ? 'gitlab' : repositoryUrl.includes('github') ? 'github' : 'other';
}

export function createLinker(templates: LinkTemplates): Linker {
  const repo = templates.repository?.replace(/\/+$/, '');
  const forge = repo ? forgeOf(repo) : 'other';
  const sep = forge === 'gitlab' ? '/-' : '';
  const base = repo ? new URL(repo).origin : null;
  const issue = templates.issue ?? (repo && forge !== 'other' ? `${repo}${sep}/issues/{id}` : undefined);
  const pull =
    templates.pullRequest ??
    (repo && forge === 'github'
      ? `${repo}/pull/{id}`
      : repo && forge === 'gitlab'
        ? `${repo}/-/merge_requests/{id}`
        : issue);
  const commit = templates.commit ?? (repo && forge !== 'other' ? `${repo}${sep}/commit/{hash}` : undefined);
  const compare =
    templates.compare ?? (repo && forge !== 'other' ? `${repo}${sep}/compare/{from}...{to}` : undefined);
  const keys = [...(templates.jira ? [templates.jira] : []), ...(templates.keys ?? [])].map((k) => ({
    regex: new RegExp(`^(?:${k.pattern})$`),
    url: k.url,
  }));

  return {
    reference(ref, kind = 'issue') {
      if (ref.prefix !== '#') {
        const key = keys.find((k) => k.regex.test(ref.id));
        return key ? fill(key.url, { id: ref.id }) : null;
      }
      if (ref.repository) {
        if (!base || forge === 'other') return null;
        return `${base}/${ref.repository}${sep}/${kind === 'pull' && forge === 'github' ? 'pull' : 'issues'}/${encodeURIComponent(ref.id)}`;
      }
      const template = kind === 'pull' ? pull : issue;
      return template ? fill(template, { id: ref.id }) : null;
    },
    commit: (hash) => (commit ? fill(commit, { hash }) : null),
    compare: (from, to) => (compare ? fill(compare, { from, to }) : null),
  };
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    values[name] === undefined ? whole : encodeURIComponent(values[name]!).replace(/%2F/g, '/'),
  );
}
