import { HeraldError } from '../../errors/herald-error.js';
import type { StorePort } from '../../ports/index.js';
import { type PreflightSettings, preflightBundle } from '../../stages/preflight.js';
import { parseCommandArgs } from '../args.js';
import { chooseChannels, preflightSettingsOf } from '../channels.js';
import { common, listReleases, withContext } from '../context.js';
import { versionOf } from '../format.js';
import type { Output } from '../output.js';
import type { Runtime } from '../runtime.js';

// `herald doctor`: the store and each channel's credentials and settings, checked before announce day.

export async function runDoctor(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values } = parseCommandArgs(argv, common, 'doctor');
  return withContext(values, output, cwd, async ({ runtime, store, products }) => {
    const before = Date.now();
    const storeNow = await store.now();
    const skew = storeNow - Math.round((before + Date.now()) / 2);
    const findings = [
      {
        channel: 'store',
        ok: Math.abs(skew) < 5_000,
        check: `${store.dialect} store`,
        detail: `reachable; its clock is ${skew >= 0 ? '+' : ''}${skew} ms from this machine's`,
        ...(Math.abs(skew) >= 5_000
          ? { fix: "Sync this machine's clock (NTP): announce times are judged by the store's clock." }
          : {}),
      },
    ];
    const choice = await chooseChannels(runtime, store);
    try {
      for (const channel of choice.channels)
        for (const finding of await channel.verify()) findings.push({ channel: channel.target, ...finding });
    } finally {
      await Promise.all(choice.channels.map((c) => c.close?.()));
    }
    findings.push(...(await preflightFindings(runtime, store, products)));
    const ok = findings.every((f) => f.ok);
    if (output.json) {
      output.out(JSON.stringify({ ok, targets: choice.notes, findings }, null, 2));
      return ok ? 0 : 1;
    }
    for (const note of choice.notes) output.out(note);
    for (const f of findings)
      output.out(
        `  ${f.ok ? 'ok  ' : 'FAIL'} ${f.channel}: ${f.check}: ${f.detail}${'fix' in f && f.fix ? `\n       fix: ${f.fix}` : ''}`,
      );
    return ok ? 0 : 1;
  });
}

/**
 * The preflight of every release not yet announced, against the config as it is now: a setting
 * changed since `prepare` (a section mapping removed, a template broken) shows before announce day.
 */
async function preflightFindings(runtime: Runtime, store: StorePort, products: string[]) {
  const finding = (ok: boolean, check: string, detail: string, fix?: string) => ({
    channel: 'preflight',
    ok,
    check,
    detail,
    ...(fix ? { fix } : {}),
  });
  let settings: PreflightSettings;
  try {
    settings = await preflightSettingsOf(runtime);
  } catch (error) {
    if (!(error instanceof HeraldError)) throw error;
    return [finding(false, 'templates', error.message, error.fix)];
  }
  const open = (await listReleases(store, products, { limit: 50 })).filter(
    (b) => b.status !== 'announced' && b.status !== 'cancelled',
  );
  const findings = [];
  for (const bundle of open) {
    const revision = await store.readRevision(bundle.id);
    if (!revision) continue;
    const problems = preflightBundle(revision.bundle, settings);
    findings.push(
      finding(
        problems.length === 0,
        `release ${versionOf(bundle.key)} (${bundle.status})`,
        problems.length === 0
          ? 'would publish as configured'
          : problems.map((p) => `${p.location?.file ?? ''} ${p.message}`.trim()).join('; '),
        problems[0]?.fix,
      ),
    );
  }
  return findings;
}
