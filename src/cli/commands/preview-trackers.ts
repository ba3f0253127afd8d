import { releaseDraftOf } from '../../channels/trackers/release-page.js';
import { selectTrackerItems } from '../../core/tracker-items.js';
import type { ReleaseBundle } from '../../model/index.js';
import type { Output } from '../output.js';
import type { Runtime } from '../runtime.js';
import { configuredTrackers, trackerSettingsOf } from '../tracker-channels.js';

/** What `{{url}}` becomes in a preview: the article exists only once the help centre published it. */
const ARTICLE = '<the release-notes article>';

export interface TrackerPreview {
  tracker: string;
  comments: { item: string; text: string; labels: string[]; transition: string | null }[];
  release: { tag: string; name: string; body: string; latest: boolean; updateExisting: boolean } | null;
}

/** Every comment and release page announce would make on the trackers, with its text; no call made. */
export function previewTrackers(runtime: Pick<Runtime, 'config'>, bundle: ReleaseBundle, url: string | null) {
  return configuredTrackers(runtime.config).map((tracker): TrackerPreview => {
    const settings = trackerSettingsOf(runtime.config, tracker);
    const labels = settings.labels(bundle);
    const name = (id: string, kind: string) =>
      tracker === 'jira'
        ? id
        : `${settings.selection.repository ?? ''}${tracker === 'gitlab' && kind === 'pull' ? '!' : '#'}${id}`;
    const draft = settings.release ? releaseDraftOf(bundle, settings.release, url) : null;
    return {
      tracker,
      comments: selectTrackerItems(bundle, settings.selection).map((item) => ({
        item: name(item.id, item.kind),
        text: settings.comment(bundle, url ?? ARTICLE),
        labels,
        transition: settings.transition,
      })),
      release:
        draft && settings.release ? { ...draft, updateExisting: settings.release.updateExisting } : null,
    };
  });
}

export function printTrackerPreview(output: Output, version: string, previews: TrackerPreview[]): void {
  if (output.json) {
    output.out(JSON.stringify({ ok: true, version, trackers: previews }, null, 2));
    return;
  }
  if (previews.length === 0) {
    output.info('No trackers are configured (herald.trackers.github, gitlab or jira).');
    return;
  }
  output.out(trackerPreviewLines(previews).join('\n'));
}

/** The comments (with labels and transition) and release pages, as lines of text. */
export function trackerPreviewLines(previews: TrackerPreview[]): string[] {
  const lines: string[] = [];
  for (const p of previews) {
    lines.push(`${p.tracker}: ${p.comments.length} comment${p.comments.length === 1 ? '' : 's'}`);
    for (const c of p.comments) {
      lines.push(`  ${c.item}: ${c.text}`);
      if (c.labels.length > 0) lines.push(`    labels: ${c.labels.join(', ')}`);
      if (c.transition) lines.push(`    transition: ${c.transition}`);
    }
    if (p.release) {
      lines.push(
        `  release page ${p.release.tag} "${p.release.name}"${p.release.latest ? ' (latest)' : ''}${p.release.updateExisting ? '' : ' (an existing page is left alone)'}:`,
      );
      for (const line of p.release.body.split('\n')) lines.push(`    ${line}`);
    }
  }
  return lines;
}
