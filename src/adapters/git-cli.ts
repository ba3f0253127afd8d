import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { errors } from '../errors/index.js';
import type { RawCommit } from '../model/index.js';
import type { GitPort } from '../ports/index.js';

const FIELD = '\x1f';
/** How long asking `origin` for its tags may take before Herald goes on without the answer. */
const REMOTE_TIMEOUT_MS = 10_000;
// hash, parents, author name, author email, author date, committer date, raw body
const LOG_FORMAT = ['%H', '%P', '%an', '%ae', '%aI', '%cI', '%B'].join('%x1f');
// tag name, the commit an annotated tag points at, the tag's own object (a lightweight tag's commit)
const TAG_FORMAT = '--format=%(refname:strip=2)%09%(*objectname)%09%(objectname)';
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Fixed environment so user settings (pagers, colours, locale) never change what git prints. */
function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    // Asking a remote for its tags must fail rather than wait for a password or a host key.
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
  };
}

interface RunResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

function run(cwd: string, args: string[], timeoutMs?: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: gitEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? errors.gitMissing() : error),
    );
    child.on('close', (code) =>
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code: code ?? 1 }),
    );
  });
}

/** Stdout of a git command that must succeed (ENOTGITREPO outside a repository). */
async function gitOut(cwd: string, args: string[]): Promise<string> {
  const result = await run(cwd, args);
  if (result.code !== 0) {
    if (/not a git repository/i.test(result.stderr)) throw errors.notGitRepo(cwd);
    throw errors.gitFailed(args, result.stderr);
  }
  return result.stdout.toString('utf8');
}

export interface GitCli extends GitPort {
  /**
   * Asks, in one `git log`, for what describe(ref) and tags() answer (each git process costs a
   * few milliseconds of start-up): those calls then get the answers without starting their own.
   */
  prefetch(ref: string): void;
}

/** GitPort over the `git` command line. One streaming `git log` reads a range of any size. */
export function createGitCli(cwd: string): GitCli {
  // The top-level directory and a shallow clone's cut commits, asked in one call: each git
  // process costs a few milliseconds of start-up, and a typical `herald notes` starts five.
  let info: Promise<RepoInfo> | null = null;
  const repoInfo = () => (info ??= readRepoInfo(cwd, git));

  const git = (args: string[]) => gitOut(cwd, args);

  // Memoised: the CLI asks early (to overlap with config loading) and the stage asks again.
  let allTags: Promise<Tag[]> | null = null;
  const readAllTags = () => git(['for-each-ref', TAG_FORMAT, 'refs/tags/']).then(parseTagLines);
  const describedRefs = new Map<string, Promise<Described>>();
  const describeRef = async (ref: string): Promise<Described> =>
    (await describeAt(cwd, ref)) ?? failToDescribe(ref, port);

  const port: GitCli = {
    prefetch(ref) {
      if (allTags || describedRefs.has(ref) || ref.startsWith('-')) return;
      const both = describeWithTags(cwd, ref); // null: git could not answer; ask each on its own
      describedRefs.set(
        ref,
        both.then((answer) => answer?.described ?? describeRef(ref)),
      );
      allTags = both.then((answer) => answer?.tags ?? readAllTags());
    },

    async root() {
      return (await repoInfo()).root;
    },

    async resolve(ref) {
      await port.root();
      return resolveAt(cwd, ref);
    },

    async mergedTags(target, glob) {
      return parseTagLines(
        await git(['for-each-ref', `--merged=${target}`, TAG_FORMAT, `refs/tags/${glob}`]),
      );
    },

    async tags(glob) {
      // All tags are read once and filtered here, so the read can start before the config
      // (and so the tag format) is known.
      allTags ??= readAllTags();
      const matches = globToRegExp(glob);
      return (await allTags).filter((t) => matches.test(t.tag));
    },

    async *commits(range) {
      yield* streamRecords(cwd, logArgs(range), parseRecord);
    },

    async *ancestry(to) {
      // One line per commit: hash, committer date, parents. No message, no diff.
      const args = ['log', '-z', '--topo-order', '--format=%H %cI %P', '--end-of-options', to, '--'];
      yield* streamRecords(cwd, args, parseAncestryRecord);
    },

    describe(ref) {
      if (!describedRefs.has(ref)) describedRefs.set(ref, describeRef(ref));
      return describedRefs.get(ref)!;
    },

    async isAncestor(ancestor, descendant) {
      const result = await run(cwd, ['merge-base', '--is-ancestor', ancestor, descendant]);
      if (result.code > 1) throw errors.gitFailed(['merge-base'], result.stderr);
      return result.code === 0;
    },

    async shallowCommits() {
      return (await repoInfo()).shallow;
    },

    remoteTags(glob) {
      return remoteTagsAt(cwd, glob);
    },

    async remoteUrl() {
      const result = await run(cwd, ['remote', 'get-url', 'origin']);
      return result.code === 0 ? result.stdout.toString('utf8').trim() || null : null;
    },

    async readFile(ref, path) {
      const result = await run(cwd, ['show', `${ref}:${path}`]);
      return result.code === 0 ? result.stdout : null;
    },

    listTree(commit, dir) {
      return listTreeAt(cwd, commit, dir);
    },

    readBlobs(hashes) {
      return readBlobsBatch(cwd, hashes);
    },
  };
  return port;
}

type Described = { hash: string; date: string; tags: string[] };

/** Throws the precise error for a ref git could not describe: not a repository, no commits, unknown. */
async function failToDescribe(ref: string, port: GitPort): Promise<never> {
  await port.resolve(ref);
  throw errors.gitFailed(['log', ref], '');
}
type Tag = { tag: string; hash: string };
const DESCRIBE_FORMAT = '--format=%H%x00%cI%x00%D';
type RepoInfo = { root: string; shallow: Set<string> };

async function readRepoInfo(cwd: string, git: (args: string[]) => Promise<string>): Promise<RepoInfo> {
  const out = await git(['rev-parse', '--show-toplevel', '--is-shallow-repository', '--git-path', 'shallow']);
  const [root, isShallow, shallowFile] = out.split('\n').map((line) => line.trim());
  if (isShallow !== 'true') return { root: root!, shallow: new Set<string>() };
  const text = await readFile(path.resolve(cwd, shallowFile!), 'utf8').catch(() => '');
  const cut = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return { root: root!, shallow: new Set(cut) };
}

/** Hash, committer date and tags of a ref in one `git log`; null when git cannot answer. */
async function describeAt(cwd: string, ref: string): Promise<Described | null> {
  if (ref.startsWith('-')) return null;
  const result = await run(cwd, [
    'log',
    '-1',
    '--no-walk',
    '--decorate-refs=refs/tags/',
    DESCRIBE_FORMAT,
    '--end-of-options',
    `${ref}^{commit}`,
    '--',
  ]);
  if (result.code !== 0) return null;
  return parseDescribed(result.stdout.toString('utf8').trim());
}

/**
 * describeAt(ref) and every tag with its commit, from one `git log --no-walk`: the ref comes
 * first (unsorted keeps the command line's order; a commit shows once, where first named), then
 * each tagged commit with its tags. Tags of trees or blobs are not listed (no release is one).
 */
async function describeWithTags(
  cwd: string,
  ref: string,
): Promise<{ described: Described; tags: Tag[] } | null> {
  // No --end-of-options: --tags must come after the ref. The caller refused refs starting with "-".
  const args = ['log', '--no-walk=unsorted', '--decorate-refs=refs/tags/', DESCRIBE_FORMAT];
  const result = await run(cwd, [...args, `${ref}^{commit}`, '--tags', '--']);
  if (result.code !== 0) return null;
  const records = result.stdout.toString('utf8').split('\n').filter(Boolean).map(parseDescribed);
  if (records.length === 0) return null;
  const tags = records
    .flatMap((record) => record.tags.map((tag) => ({ tag, hash: record.hash })))
    .sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)); // as for-each-ref lists them
  return { described: records[0]!, tags };
}

function parseDescribed(line: string): Described {
  const [hash, date, decorations] = line.split('\0') as [string, string, string?];
  const tags = (decorations ?? '')
    .split(', ')
    .filter((d) => d.startsWith('tag: '))
    .map((d) => d.slice('tag: '.length));
  return { hash, date, tags };
}

function logArgs({ from, to, path }: { from: string | null; to: string; path: string | null }): string[] {
  return [
    '-c',
    'core.quotepath=off',
    'log',
    '-z',
    '--topo-order',
    `--format=${LOG_FORMAT}`,
    // With a path filter, --parents makes %P list rewritten parents (history simplified to the path).
    ...(path ? ['--parents'] : []),
    '--end-of-options',
    from ? `${from}..${to}` : to,
    '--',
    ...(path ? [path] : []),
  ];
}

/** Full hash of a ref (in a repository: the caller checked); EUNKNOWNREF, or EEMPTYREPO for HEAD. */
async function resolveAt(cwd: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw errors.unknownRef(ref);
  const result = await run(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (result.code === 0) return result.stdout.toString('utf8').trim();
  if (ref === 'HEAD') {
    const any = await run(cwd, ['rev-list', '-n', '1', '--all']);
    if (any.stdout.length === 0) throw errors.emptyRepo();
  }
  throw errors.unknownRef(ref);
}

async function remoteTagsAt(cwd: string, glob: string): Promise<string[] | null> {
  const result = await run(cwd, ['ls-remote', '--tags', '--refs', 'origin'], REMOTE_TIMEOUT_MS);
  if (result.code !== 0) return null;
  const matches = globToRegExp(glob);
  return result.stdout
    .toString('utf8')
    .split('\n')
    .map((line) => line.split('\t')[1]?.replace(/^refs\/tags\//, '') ?? '')
    .filter((tag) => tag !== '' && matches.test(tag));
}

async function listTreeAt(
  cwd: string,
  commit: string,
  dir: string,
): Promise<{ path: string; mode: string; hash: string; size: number }[]> {
  const prefix = dir.replace(/\/+$/, '');
  const out = await run(cwd, [
    'ls-tree',
    '-r',
    '-z',
    '--long',
    '--full-tree',
    '--end-of-options',
    commit,
    '--',
    `${prefix}/`,
  ]);
  if (out.code !== 0) throw errors.gitFailed(['ls-tree'], out.stderr);
  const entries: { path: string; mode: string; hash: string; size: number }[] = [];
  for (const record of out.stdout.toString('utf8').split('\0')) {
    const tab = record.indexOf('\t');
    if (tab === -1) continue;
    const [mode, type, hash, size] = record.slice(0, tab).trim().split(/\s+/) as [
      string,
      string,
      string,
      string,
    ];
    if (type !== 'blob') continue; // submodules (commit) are not docs
    entries.push({
      path: record.slice(tab + 1).slice(prefix.length + 1),
      mode,
      hash,
      size: Number(size) || 0,
    });
  }
  return entries;
}

/** One `git cat-file --batch` for any number of blobs: `<id> blob <size>\n<bytes>\n` per answer. */
function readBlobsBatch(cwd: string, hashes: string[]): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const result = new Map<string, Buffer>();
    if (hashes.length === 0) return resolve(result);
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd,
      env: gitEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let buffer: Buffer = Buffer.alloc(0);
    let index = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const newline = buffer.indexOf(10);
        if (newline === -1) return;
        const header = buffer.subarray(0, newline).toString('utf8');
        const [, type, size] = header.split(' ');
        if (type === 'missing' || type === undefined) {
          buffer = buffer.subarray(newline + 1);
          index++;
          continue;
        }
        const length = Number(size);
        if (buffer.length < newline + 1 + length + 1) return;
        result.set(hashes[index++]!, Buffer.from(buffer.subarray(newline + 1, newline + 1 + length)));
        buffer = buffer.subarray(newline + 1 + length + 1);
      }
    });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? errors.gitMissing() : error),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve(result)
        : reject(errors.gitFailed(['cat-file'], Buffer.concat(stderr).toString('utf8'))),
    );
    child.stdin.end(`${hashes.join('\n')}\n`);
  });
}

/** Streams a `git … -z` command's NUL-separated records through `parse`; fails when git does. */
async function* streamRecords<T>(
  cwd: string,
  args: string[],
  parse: (record: Buffer) => T,
): AsyncGenerator<T> {
  const child = spawn('git', args, { cwd, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? errors.gitMissing() : error),
    );
    child.on('close', (code) => resolve(code ?? 1));
  });
  let pending: Buffer[] = [];
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nul = chunk.indexOf(0, start); nul !== -1; nul = chunk.indexOf(0, start)) {
        pending.push(chunk.subarray(start, nul));
        const record = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        pending = [];
        start = nul + 1;
        if (record.length > 0) yield parse(record);
      }
      if (start < chunk.length) pending.push(Buffer.from(chunk.subarray(start)));
    }
    if (pending.length > 0) {
      const record = Buffer.concat(pending);
      if (record.length > 0) yield parse(record);
    }
    finished = true;
  } finally {
    if (!finished) child.kill();
  }
  const code = await exited;
  if (code !== 0)
    throw errors.gitFailed([args[0] === '-c' ? args[2]! : args[0]!], Buffer.concat(stderr).toString('utf8'));
}

function parseAncestryRecord(record: Buffer): { hash: string; parents: string[]; committerDate: string } {
  const [hash, committerDate, ...parents] = record.toString('latin1').trim().split(' ') as [
    string,
    string,
    ...string[],
  ];
  return { hash, committerDate, parents };
}

function parseTagLines(out: string): Tag[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [tag, peeled, object] = line.split('\t') as [string, string, string];
      return { tag, hash: peeled || object };
    });
}

function parseRecord(record: Buffer): RawCommit {
  const text = decoder.decode(record).replace(/^\n/, '');
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < 6; i++) {
    const end = text.indexOf(FIELD, start);
    fields.push(text.slice(start, end));
    start = end + 1;
  }
  const [hash, parents, authorName, authorEmail, authorDate, committerDate] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // With --parents git prefixes nothing in --format mode; %P already lists (rewritten) parents.
  return {
    hash,
    parents: parents ? parents.split(' ') : [],
    authorName,
    authorEmail,
    authorDate,
    committerDate,
    message: text.slice(start),
  };
}

/** A `git for-each-ref` style glob (only `*` is special) as an anchored regular expression. */
function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('*')
    .map((part) => part.replace(/\\(.)/g, '$1').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}
