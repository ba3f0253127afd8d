import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEditDocument, renderEditDocument } from '../../core/notes-overlay.js';
import { errors } from '../../errors/index.js';
import type { BundleKey } from '../../model/index.js';
import { storeNotesEdit } from '../../stages/edit-notes.js';
import { resolveActor } from '../actor.js';
import { parseCommandArgs } from '../args.js';
import { common, requireBundle, versionArg, withContext } from '../context.js';
import { recordJson, versionArgs, versionOf } from '../format.js';
import type { Output } from '../output.js';

// `herald edit <version>`: reword, hide or reorder a release's notes, add an intro.

export async function runEdit(argv: string[], output: Output, cwd: string): Promise<number> {
  const options = {
    file: { type: 'string' },
    print: { type: 'boolean' },
    audience: { type: 'string' },
    force: { type: 'boolean' },
    ...common,
  } as const;
  const { values, positionals } = parseCommandArgs(argv, options, 'edit');
  const version = versionArg(positionals, 'edit');
  return withContext(values, output, cwd, async ({ runtime, store, key, products }) => {
    const record = await requireBundle(store, key(version), products);
    const revision = (await store.readRevision(record.id))!;
    const audience = values.audience ?? 'customer';
    const current = revision.bundle.notes[audience];
    if (!current) throw errors.unknownAudience(audience, Object.keys(revision.bundle.notes));
    const document = renderEditDocument(current.generated, record.overlay[audience]);
    if (values.print) {
      output.out(document.trimEnd());
      return 0;
    }
    const { text, file, keep } = await obtainEdit(document, values.file, record.key);
    if (text.trim() === '' || text === document) {
      output.info('Nothing changed.');
      return 0;
    }
    const parsed = parseEditDocument(text, current.generated, file);
    if (!parsed.ok) {
      // The release manager's text is never thrown away: it stays where the editor saved it.
      await keep();
      if (values.file === undefined)
        output.warn(
          `Your edited text is kept in ${file}: fix it, then run herald edit ${versionArgs(record.key)} --file ${file}`,
        );
      throw errors.editSyntax(file, parsed.problems);
    }
    const config = runtime.config.notes.audiences[audience];
    const { result, record: written } = await storeNotesEdit(store, {
      record,
      revision,
      audience,
      parsed: parsed.overlay,
      template: config?.template ?? `${audience}.hbs`,
      templates: runtime.templates,
      actor: await resolveActor(runtime.root),
      force: values.force === true,
      baseRevision: record.contentRevision,
    });
    if (output.json)
      output.out(JSON.stringify({ ok: true, changed: result.changed, ...recordJson(written!) }, null, 2));
    else
      output.info(
        result.changed
          ? `Stored the edit of ${versionOf(record.key)}'s ${audience} notes (content revision ${written!.contentRevision}); prepare keeps it.`
          : 'Nothing changed.',
      );
    return 0;
  });
}

/** The edited text: from --file (or stdin with '-'), else from $VISUAL/$EDITOR on a temp file. */
async function obtainEdit(
  document: string,
  file: string | undefined,
  key: BundleKey,
): Promise<{ text: string; file: string; keep: () => Promise<void> }> {
  const keep = async () => {};
  if (file === '-') return { text: await readStdin(), file: '<stdin>', keep };
  if (file !== undefined) {
    try {
      return { text: await readFile(file, 'utf8'), file, keep };
    } catch (error) {
      throw errors.usage(
        `cannot read ${file}: ${(error as Error).message}`,
        'Pass an existing file, or - for stdin.',
      );
    }
  }
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor || !process.stdin.isTTY)
    throw errors.usage(
      editor ? 'no terminal for the editor' : 'no editor: $VISUAL and $EDITOR are not set',
      `Set EDITOR, or run \`herald edit ${versionArgs(key)} --print > notes.txt\`, edit it, then \`herald edit ${versionArgs(key)} --file notes.txt\`.`,
    );
  const dir = await mkdtemp(path.join(tmpdir(), 'herald-edit-'));
  const temp = path.join(dir, `release-notes-${versionOf(key)}.txt`);
  const saved = path.resolve(`herald-edit-${versionOf(key)}.txt`);
  try {
    await writeFile(temp, document);
    // The editor command may carry arguments ("code --wait"): run it through the shell.
    const status = spawnSync(`${editor} "$HERALD_EDIT_FILE"`, {
      shell: true,
      stdio: 'inherit',
      env: { ...process.env, HERALD_EDIT_FILE: temp },
    }).status;
    if (status !== 0)
      throw errors.usage(
        `the editor exited with status ${status}; nothing was saved`,
        'Run the command again.',
      );
    const text = await readFile(temp, 'utf8');
    return {
      text,
      file: saved,
      keep: async () => {
        await writeFile(saved, text);
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
