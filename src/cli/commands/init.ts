import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyEdits, modify, type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import { createGitCli } from '../../adapters/git-cli.js';
import { findConfigFile } from '../../config/load-config.js';
import { positionOf } from '../../config/locate-json-path.js';
import { validateConfig } from '../../config/validate-config.js';
import { errors } from '../../errors/index.js';
import { parseCommandArgs } from '../args.js';
import { type Finding, type Proposal, proposeConfig } from '../init-proposal.js';
import type { Output } from '../output.js';

const initOptions = { force: { type: 'boolean' }, 'dry-run': { type: 'boolean' } } as const;

const CONFIG = '.releaserc.json';

export async function runInit(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values } = parseCommandArgs(argv, initOptions, 'init');
  const git = createGitCli(cwd);
  const root = await git.root();
  const { config, findings, hints } = await proposeConfig(root, git);
  validateConfig(config, CONFIG); // init never writes a config Herald would refuse

  const existing = await findConfigFile(root);
  const target = path.join(root, CONFIG);
  const show = (p: string) => path.relative(cwd, p) || p;
  if (existing && existing !== target) {
    output.out(JSON.stringify({ herald: config.herald }, null, 2));
    const name = path.basename(existing);
    const where = name === 'package.json' ? 'its "release" key' : name;
    throw errors.configExists(
      show(existing),
      `semantic-release reads one config file, this one, and so does Herald: add the "herald" settings printed above to ${where} (a second config file would split the settings).`,
    );
  }
  if (existing && !values.force) {
    throw errors.configExists(
      show(existing),
      'Run `herald init --force` to replace its "herald" settings (other keys and comments stay), or edit it by hand.',
    );
  }
  const text = existing ? await withHeraldSettings(existing, config, show(existing)) : render(config);
  if (!values['dry-run']) await writeFile(target, text);

  if (output.json) {
    output.out(
      JSON.stringify({ file: target, written: !values['dry-run'], findings, hints, config }, null, 2),
    );
    return 0;
  }
  if (values['dry-run']) output.out(`${text.trimEnd()}\n`);
  output.out(summary(findings, hints, values['dry-run'] ? null : show(target), config));
  return 0;
}

function render(config: Proposal['config']): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * --force on an existing .releaserc.json: its "herald" settings (and a missing "$schema") are
 * replaced in place, so semantic-release's keys, the order and the comments stay as they were.
 */
async function withHeraldSettings(
  file: string,
  config: Proposal['config'],
  display: string,
): Promise<string> {
  let text = await readFile(file, 'utf8');
  const problems: ParseError[] = [];
  const current = parse(text, problems, { allowTrailingComma: true }) as Record<string, unknown> | undefined;
  if (problems[0]) {
    throw errors.configSyntax(
      { file: display, ...positionOf(text, problems[0].offset) },
      printParseErrorCode(problems[0].error),
    );
  }
  if (text.trim() === '') text = '{}';
  const set = (key: string, value: unknown) => {
    text = applyEdits(
      text,
      modify(text, [key], value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }),
    );
  };
  if (!current?.$schema) set('$schema', config.$schema);
  if (current?.tagFormat === undefined && config.tagFormat !== undefined) set('tagFormat', config.tagFormat);
  set('herald', config.herald);
  return text.endsWith('\n') ? text : `${text}\n`;
}

function summary(
  findings: Finding[],
  hints: string[],
  written: string | null,
  config: Proposal['config'],
): string {
  const width = Math.max(...findings.map((f) => f.setting.length));
  const lines = [written ? `Wrote ${written}. Found:` : 'Found (nothing written):'];
  for (const f of findings) lines.push(`  ${f.setting.padEnd(width)}  ${f.value}  (${f.source})`);
  if (hints.length > 0) lines.push('', 'Check:', ...hints.map((h) => `  - ${h}`));
  const docs = (config.herald.docs as { dir?: string } | undefined)?.dir;
  lines.push(
    '',
    'Next steps:',
    '  herald notes         preview the notes of the next release',
    ...(docs ? [`  herald docs check    check the docs in ${docs}/ for broken links and pages`] : []),
    '  herald doctor        see which channels are set up (help centre, Slack, email) and what they need',
    `  git add ${CONFIG}  and commit it; semantic-release reads the same file`,
  );
  return lines.join('\n');
}
