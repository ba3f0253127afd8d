import path from 'node:path';
import { createFsTemplates } from '../adapters/fs-templates.js';
import { createGitCli } from '../adapters/git-cli.js';
import { createGitIssueTracker } from '../adapters/issue-tracker-git.js';
import { createGitHubIssueTracker } from '../adapters/issue-tracker-github.js';
import { createGitLabIssueTracker } from '../adapters/issue-tracker-gitlab.js';
import { loadConfig } from '../config/load-config.js';
import type { HeraldConfig } from '../config/validate-config.js';
import type { NotesConfig } from '../config/validate-notes-config.js';
import { createLinker, type Linker, webUrlFromRemote } from '../core/links.js';
import { parseTagFormat, type TagFormat } from '../core/tag-format.js';
import { errors } from '../errors/index.js';
import type { GitPort, IssueTrackerPort, Logger, TemplatePort } from '../ports/index.js';
import type { Output } from './output.js';

export interface GlobalOptions {
  cwd: string;
  config?: string | undefined;
}

export interface PackageOptions {
  package?: string | undefined;
  path?: string | undefined;
  /** The target ref, read from git while the config loads (startup is most of a typical run). */
  prefetchRef?: string | undefined;
  /** Commands on stored releases: without --package they see the product's and every package's. */
  packageOptional?: boolean;
  /** "notes": the command reads only the sections notes are made from; only they are validated. */
  scope?: 'notes';
}

/** Everything a notes-type command needs, wired from real adapters. */
export interface Runtime<C extends NotesConfig = HeraldConfig> {
  root: string;
  git: GitPort;
  config: C;
  configFile: string | null;
  tagFormat: TagFormat;
  packageName: string | null;
  path: string | null;
  product: string;
  linker: Linker;
  issues: IssueTrackerPort;
  templates: TemplatePort;
  logger: Logger;
}

/** The part of a notes, changelog or prepare request that comes from the runtime. */
export function releaseSettingsOf<C extends NotesConfig>(runtime: Runtime<C>) {
  const { config, tagFormat, product, packageName, path, linker } = runtime;
  return { config, tagFormat, product, packageName, path, linker };
}

export async function createRuntime(
  global: GlobalOptions,
  pkg: PackageOptions & { scope: 'notes' },
  output: Output,
): Promise<Runtime<NotesConfig>>;
export async function createRuntime(
  global: GlobalOptions,
  pkg: PackageOptions,
  output: Output,
): Promise<Runtime>;
export async function createRuntime(
  global: GlobalOptions,
  pkg: PackageOptions,
  output: Output,
): Promise<Runtime<NotesConfig>> {
  const load = (dir: string) =>
    pkg.scope === 'notes' ? loadConfig(dir, global.config, 'notes') : loadConfig(dir, global.config);
  const git = createGitCli(global.cwd);
  if (pkg.prefetchRef !== undefined) {
    // Errors surface later, from the calls that need the answers.
    git.prefetch(pkg.prefetchRef);
    git.describe(pkg.prefetchRef).catch(() => {});
    git.tags('*').catch(() => {});
  }
  // Independent reads overlap. The config is read from --cwd while git finds the root: CI runs
  // in the root, so the guess is almost always right; when it is not, read it again from the root.
  const remote = git.remoteUrl().catch(() => null);
  const guess = load(global.cwd).then(
    (loaded) => ({ loaded }),
    (error: unknown) => ({ error }),
  );
  const root = await git.root();
  const guessed = path.resolve(global.cwd) === root ? await guess : null;
  if (guessed && 'error' in guessed) throw guessed.error;
  const { config, file } = guessed?.loaded ?? (await load(root));
  const logger: Logger = { info: output.info, warn: output.warn, debug: () => {} };

  let packageName: string | null = null;
  let filter: string | null = pkg.path ?? null;
  let format = config.tagFormat;
  if (pkg.package !== undefined) {
    const entry = config.packages.find((p) => p.name === pkg.package);
    if (!entry && filter === null) {
      const known = config.packages.map((p) => p.name);
      throw errors.usage(
        `unknown package "${pkg.package}"`,
        known.length > 0
          ? `Use one of: ${known.join(', ')}; or pass --path with it.`
          : 'Define it under herald.packages in .releaserc.json, or pass --path with it.',
      );
    }
    packageName = pkg.package;
    filter ??= entry?.path ?? null;
    format = entry?.tagFormat ?? format;
  } else if (format.includes('${name}') && !pkg.packageOptional) {
    throw errors.usage(
      `tagFormat "${format}" names a package with \${name}`,
      'Choose the package with --package <name>.',
    );
  }
  if (filter !== null) {
    // git pathspecs are relative to the repository root in Herald, whatever --cwd is.
    filter = path.relative(root, path.resolve(root, filter)) || '.';
    if (filter.startsWith('..'))
      throw errors.usage(
        `--path ${pkg.path} is outside the repository`,
        'Give a path inside the repository.',
      );
  }
  let tagFormat: TagFormat;
  try {
    tagFormat = parseTagFormat(format, packageName);
  } catch (error) {
    throw errors.invalidTagFormat(format, (error as Error).message);
  }

  const remoteUrl = await remote;
  const web = remoteUrl ? webUrlFromRemote(remoteUrl) : null;
  const links = config.notes.links;
  const linker = createLinker({ ...links, repository: links.repository ?? web?.url });

  return {
    root,
    git,
    config,
    configFile: file,
    tagFormat,
    packageName,
    path: filter,
    product: config.product ?? packageName ?? path.basename(root),
    linker,
    issues: createIssueTracker(config, web, root),
    templates: createFsTemplates(
      path.resolve(root, config.notes.templates),
      path.join(root, '.herald', 'cache', 'templates'),
    ),
    logger,
  };
}

function createIssueTracker(
  config: NotesConfig,
  web: ReturnType<typeof webUrlFromRemote>,
  root: string,
): IssueTrackerPort {
  const settings = config.issues;
  const cacheFile = path.join(root, '.herald', 'cache', `issues-${settings.provider}.json`);
  const repository = settings.repository ?? web?.path;
  if (settings.provider === 'git') return createGitIssueTracker();
  if (!repository) {
    throw errors.usage(
      `issues.provider is "${settings.provider}" but the repository is unknown`,
      'Set herald.issues.repository (owner/name), or add an origin remote.',
    );
  }
  if (settings.provider === 'github') {
    return createGitHubIssueTracker({
      repository,
      apiUrl: settings.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
      token: process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN ?? null,
      concurrency: settings.concurrency,
      cacheFile,
    });
  }
  return createGitLabIssueTracker({
    project: repository,
    apiUrl: settings.apiUrl ?? process.env.GITLAB_API_URL ?? 'https://gitlab.com/api/v4',
    token: process.env.GITLAB_TOKEN ?? null,
    concurrency: settings.concurrency,
    cacheFile,
  });
}
