import path from 'node:path';
import { manifestOf, writeSite } from '../../adapters/fs-doc-site.js';
import { createFsDocsCache } from '../../adapters/fs-docs-cache.js';
import { createGitCli } from '../../adapters/git-cli.js';
import { createPageCompiler } from '../../adapters/page-compiler.js';
import { loadConfig } from '../../config/load-config.js';
import type { HeraldConfig } from '../../config/validate-config.js';
import { diffDocSets } from '../../core/docs/link-docset.js';
import { webUrlFromRemote } from '../../core/links.js';
import { errors } from '../../errors/index.js';
import type { DocMessage } from '../../model/index.js';
import { type CompileDocsInput, type CompileDocsResult, compileDocs } from '../../stages/compile-docs.js';
import { parseCommandArgs } from '../args.js';
import type { Output } from '../output.js';
import { createStatusLine } from '../progress.js';

export { docsHelp } from './docs-help.js';

const options = {
  ref: { type: 'string' },
  out: { type: 'string' },
  strict: { type: 'boolean' },
} as const;

export async function runDocs(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, options, 'docs');
  const [action, ...rest] = positionals;
  const git = createGitCli(cwd);
  const root = await git.root();
  const { config } = await loadConfig(root, values.config);
  // A long compile (a cold cache, a diff of two releases) shows its progress on a terminal.
  const status = createStatusLine(process.stderr);
  let compiling = '';
  const ports = {
    git,
    compiler: createPageCompiler({
      onCompiled: (done, total) => status.update(`docs ${compiling}: compiled ${done}/${total} pages`),
    }),
    cache: createFsDocsCache(path.join(root, '.herald', 'cache', 'docs.json')),
  };
  const settings = await docsSettingsOf(config, root, git);
  const compile = async (ref: string) => {
    compiling = ref;
    try {
      return await compileDocs({ ref, ...settings }, ports);
    } finally {
      status.done();
    }
  };

  switch (action) {
    case 'check': {
      const result = await compile(values.ref ?? 'HEAD');
      return report(result, output, values.strict === true);
    }
    case 'build': {
      const result = await compile(values.ref ?? 'HEAD');
      const code = report(result, output, values.strict === true, true);
      if (code !== 0) return code;
      const out = path.resolve(cwd, values.out ?? path.join(root, '.herald', 'docs'));
      await writeSite(result.docSet, out, (hashes) => git.readBlobs(hashes));
      if (output.json)
        output.out(
          JSON.stringify(
            { ok: true, out, stats: result.stats, manifest: manifestOf(result.docSet) },
            null,
            2,
          ),
        );
      else
        output.info(
          `Built ${result.stats.pages} pages (${result.stats.compiled} compiled, ${result.stats.cached} from cache) and ${result.stats.assets} assets into ${path.relative(process.cwd(), out) || '.'}.`,
        );
      return 0;
    }
    case 'diff': {
      const [from, to] = rest;
      if (!from || !to)
        throw errors.usage(
          'herald docs diff needs two refs',
          'Run `herald docs diff <fromRef> <toRef>`, e.g. `herald docs diff v1.0.0 v1.1.0`.',
        );
      const [before, after] = [await compile(from), await compile(to)];
      const diff = diffDocSets(before.docSet, after.docSet);
      if (output.json) {
        output.out(JSON.stringify({ ok: true, from, to, ...diff }, null, 2));
      } else {
        const lines = [
          ...diff.added.map((id) => `added    ${id}`),
          ...diff.changed.map((id) => `changed  ${id}`),
          ...diff.renamed.map((r) => `renamed  ${r.id}  ${r.from} → ${r.to}`),
          ...diff.removed.map((id) => `removed  ${id}`),
        ];
        output.out(lines.length > 0 ? lines.join('\n') : 'No page changed.');
        output.info(
          `${diff.added.length} added, ${diff.changed.length} changed, ${diff.renamed.length} renamed, ${diff.removed.length} removed, ${diff.unchanged} unchanged.`,
        );
      }
      return 0;
    }
    default:
      throw errors.usage(
        action ? `unknown docs action "${action}"` : 'herald docs needs an action',
        'Use `herald docs build`, `herald docs check` or `herald docs diff <from> <to>`.',
      );
  }
}

/**
 * The docs settings of the config as compileDocs takes them, with what the repository adds: its
 * web URL (links.repository, else the origin remote) and the product name for root pages' section.
 */
export async function docsSettingsOf(
  config: HeraldConfig,
  root: string,
  git: { remoteUrl(): Promise<string | null> },
): Promise<Omit<CompileDocsInput, 'ref'>> {
  const docs = config.docs;
  const remote = config.notes.links.repository ? null : await git.remoteUrl().catch(() => null);
  const product = config.product ?? path.basename(root);
  const title = docs.rootSection?.title ?? product;
  return {
    dir: docs.dir,
    defaultLocale: docs.locale,
    flavor: docs.flavor,
    exclude: docs.exclude,
    assetDirs: docs.assetDirs,
    rules: docs.rules,
    repositoryUrl: config.notes.links.repository ?? (remote ? (webUrlFromRemote(remote)?.url ?? null) : null),
    rootSection: { id: sectionId(docs.rootSection?.id ?? title), title },
  };
}

function sectionId(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'docs'
  );
}

/** Prints problems as `file:line:column  message  [rule]`; returns the exit code. */
function report(result: CompileDocsResult, output: Output, strict: boolean, quietWhenClean = false): number {
  const errorsFound = result.messages.filter((m) => m.severity === 'error');
  const warnings = result.messages.filter((m) => m.severity === 'warning');
  const failed = errorsFound.length > 0 || (strict && warnings.length > 0);
  if (output.json && (failed || !quietWhenClean)) {
    output.out(
      JSON.stringify(
        {
          ok: !failed,
          errors: errorsFound.length,
          warnings: warnings.length,
          messages: result.messages,
          stats: result.stats,
        },
        null,
        2,
      ),
    );
  } else if (!output.json) {
    const lines = result.messages.map(formatMessage);
    if (lines.length > 0) output.info(lines.join('\n'));
    if (!quietWhenClean || failed || lines.length > 0) {
      output.info(
        `${result.stats.pages} pages: ${errorsFound.length} error${errorsFound.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}${strict ? ' (strict)' : ''}.`,
      );
    }
  }
  return failed ? 1 : 0;
}

export function formatMessage(m: DocMessage): string {
  return `${m.file}:${m.line}:${m.column}  ${m.severity === 'warning' ? 'warning  ' : ''}${m.message}  [${m.ruleId}]`;
}
