import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { mergeChangelog, upsertChangelogSection } from '../../core/changelog.js';
import { errors } from '../../errors/index.js';
import { rebuildChangelog } from '../../stages/changelog.js';
import { generateNotes } from '../../stages/notes.js';
import { changelogRenderOptions, createNotesRenderer } from '../../stages/render-notes.js';
import { parseCommandArgs } from '../args.js';
import type { Output } from '../output.js';
import { createRuntime, releaseSettingsOf } from '../runtime.js';

export const notesHelp = `Usage: herald notes [options]

Prints the release notes for the changes since the previous release tag.

Options:
  --from <ref>              start after this ref (default: the previous release tag)
  --to <ref>                release this ref (default: HEAD)
  --release-version <v>     the version being released (default: the target's tag, else computed)
  --audience <name>         customer (default), internal, or one defined in config
  --package <name>          monorepo package (its tagFormat and path from config)
  --path <dir>              only commits touching this directory
  --write                   write release-notes/<version>.md and update CHANGELOG.md
  --html                    print the notes as HTML, compiled like the docs (help-centre article)
  --json                    print the notes model as JSON
  --cwd <dir>, --config <file>, -h/--help`;

export const changelogHelp = `Usage: herald changelog --rebuild [options]

Regenerates the whole CHANGELOG.md, one section per release tag, in one pass over history.

Options:
  --rebuild                 required: rewrite CHANGELOG.md from all release tags
  --to <ref>                newest release to include (default: HEAD)
  --audience <name>         customer (default) or internal
  --package <name>, --path <dir>
  --stdout                  print the rebuilt file instead of writing it
  --dry-run                 print what would change, as a unified diff
  --force                   replace sections that differ from what Herald generates (hand edits)
  --json                    print the sections as JSON

Everything above the first release section, and sections of versions Herald does not generate
(releases before its tags, hand-written entries), are kept as written. A release section that
differs from what Herald generates is not overwritten without --force.
  --cwd <dir>, --config <file>, -h/--help`;

const notesOptions = {
  from: { type: 'string' },
  to: { type: 'string' },
  'release-version': { type: 'string' },
  audience: { type: 'string' },
  package: { type: 'string' },
  path: { type: 'string' },
  write: { type: 'boolean' },
  html: { type: 'boolean' },
} as const;

export async function runNotes(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values } = parseCommandArgs(argv, notesOptions, 'notes');
  const runtime = await createRuntime(
    { cwd, config: values.config },
    { package: values.package, path: values.path, prefetchRef: values.to ?? 'HEAD', scope: 'notes' },
    output,
  );
  const audience = values.audience ?? 'customer';
  const outcome = await generateNotes(
    {
      ...releaseSettingsOf(runtime),
      from: values.from,
      to: values.to,
      releaseVersion: values['release-version'],
      audiences: [audience],
    },
    runtime,
  );
  if (outcome.kind === 'nothing') {
    if (output.json)
      output.out(
        JSON.stringify(
          { ok: true, release: null, reason: outcome.reason, range: outcome.collected.range },
          null,
          2,
        ),
      );
    else output.info(`Nothing to release: ${outcome.reason}.`);
    return 0;
  }
  const markdown = outcome.markdown[audience]!;
  if (values.write) {
    const base = path.join(runtime.root, runtime.path ?? '');
    const notesFile = path.join(base, 'release-notes', `${outcome.version}.md`);
    await writeAtomically(notesFile, markdown);
    const changelogFile = path.join(base, 'CHANGELOG.md');
    const existing = await readFile(changelogFile, 'utf8').catch(() => '');
    // CHANGELOG.md's section is written as `herald changelog --rebuild` writes it (commit links…).
    const template = runtime.config.notes.audiences[audience]!.template;
    const section = (await (await createNotesRenderer(runtime.templates))(template))(
      outcome.notes[audience]!,
      changelogRenderOptions(runtime.config.notes.changelog),
    );
    const updated = upsertChangelogSection(existing, outcome.version, section, semver.compare);
    if (updated !== existing) await writeAtomically(changelogFile, updated);
    output.info(
      `Wrote ${path.relative(process.cwd(), notesFile)} and ${path.relative(process.cwd(), changelogFile)}${updated === existing ? ' (unchanged)' : ''}.`,
    );
  }
  if (output.json) {
    output.out(
      JSON.stringify(
        {
          ok: true,
          release: { version: outcome.version, tag: outcome.tag },
          range: outcome.collected.range,
          warnings: outcome.collected.warnings,
          notes: outcome.notes[audience],
          markdown,
        },
        null,
        2,
      ),
    );
  } else if (values.html) {
    // The docs pipeline is loaded only here: plain notes start faster without it.
    const { compileMarkdown } = await import('../../core/docs/compile-page.js');
    output.out(compileMarkdown(markdown));
  } else if (!values.write) {
    output.out(markdown);
  }
  return 0;
}

const changelogOptions = {
  rebuild: { type: 'boolean' },
  to: { type: 'string' },
  audience: { type: 'string' },
  package: { type: 'string' },
  path: { type: 'string' },
  stdout: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
} as const;

export async function runChangelog(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values } = parseCommandArgs(argv, changelogOptions, 'changelog');
  if (!values.rebuild)
    throw errors.usage(
      'herald changelog needs --rebuild',
      'Run `herald changelog --rebuild`; `herald notes --write` updates one release.',
    );
  const runtime = await createRuntime(
    { cwd, config: values.config },
    { package: values.package, path: values.path, scope: 'notes' },
    output,
  );
  const audience = values.audience ?? 'customer';
  if (!runtime.config.notes.audiences[audience])
    throw errors.unknownAudience(audience, Object.keys(runtime.config.notes.audiences));
  const result = await rebuildChangelog(
    {
      ...releaseSettingsOf(runtime),
      to: values.to,
      audience,
    },
    runtime,
  );
  const file = path.join(runtime.root, runtime.path ?? '', 'CHANGELOG.md');
  const existing = await readFile(file, 'utf8').catch(() => '');
  const merged = mergeChangelog(existing, result.sections, semver.compare);
  const shown = path.relative(process.cwd(), file) || file;
  if (output.json) {
    const { text: _text, ...report } = merged;
    output.out(JSON.stringify({ ok: true, sections: result.sections, ...report }, null, 2));
  } else if (values.stdout) {
    output.out(merged.text);
  } else if (values['dry-run']) {
    // Loaded here: `herald notes` shares this module and must start fast.
    const { createTwoFilesPatch } = await import('diff');
    output.out(
      merged.text === existing
        ? `${shown} is up to date.`
        : createTwoFilesPatch(`a/${shown}`, `b/${shown}`, existing, merged.text, undefined, undefined, {
            context: 3,
          }).trimEnd(),
    );
  } else {
    if (merged.differing.length > 0 && !values.force) throw errors.changelogEdited(shown, merged.differing);
    if (merged.text !== existing) await writeAtomically(file, merged.text);
    const kept =
      merged.kept.length > 0 ? `; kept ${merged.kept.length} section(s) Herald does not generate` : '';
    output.info(
      `Wrote ${shown} with ${result.sections.length} release${result.sections.length === 1 ? '' : 's'}${kept}${merged.text === existing ? ' (unchanged)' : ''}.`,
    );
  }
  return 0;
}

/** Write to a temporary file and rename it over the target: a crash never leaves half a file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    throw errors.fileWrite(file, (error as Error).message);
  }
}
