import type { SlackBlock, SlackMessage } from './slack-message.js';

/**
 * Slack messages as a local HTML page that looks close to Slack: for `herald preview --channel
 * slack`, the Slack outbox and the dashboard. The mrkdwn comes from the Slack renderer, but this
 * treats it as untrusted anyway: the only markup in the output is what is built here.
 */
export interface SlackThreadView {
  message: SlackMessage;
  /** When it was (or would be) posted, for the timestamp; null: not posted yet. */
  postedAt: number | null;
  replies: SlackMessage[];
}

/** The only entities mrkdwn has: anything else that looks like one is text. */
const ENTITY = /^&(?:amp|lt|gt);/;
const LINK = /^<((?:https?:\/\/|mailto:)[^|<>\s"]+)(?:\|([^<>]*))?>/i;

/** Text (mrkdwn, entities already in place for & < >) → HTML with nothing from the text but text. */
function escapeText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '&') out += ENTITY.test(text.slice(i, i + 5)) ? '&' : '&amp;';
    else if (c === '<') out += '&lt;';
    else if (c === '>') out += '&gt;';
    else if (c === '"') out += '&quot;';
    else out += c;
  }
  return out;
}

/** `*bold*`, `_italic_`, `~strike~`, `` `code` `` inside one run of (already escaped) text. */
function formatRun(html: string): string {
  // Code spans are verbatim: emphasis applies only between them.
  return html
    .split(/(`[^`\n]+`)/)
    .map((piece, i) => (i % 2 === 1 ? `<code>${piece.slice(1, -1)}</code>` : emphasise(piece)))
    .join('');
}

// A mark opens after a space, bracket, another mark or a tag built here, and closes before one
// (`*_both_*`). Text's own < and > are entities by now, so a raw one is always ours; the text a
// mark wraps holds no tag, so the tags built here always nest.
const emphasis = (mark: string, tag: string) =>
  [
    new RegExp(
      `(^|[\\s(*_~>])\\${mark}(?=\\S)([^${mark}\\n<>]*?[^\\s<>])\\${mark}(?=$|[\\s).,:;!?*_~<])`,
      'g',
    ),
    `$1<${tag}>$2</${tag}>`,
  ] as const;
const EMPHASIS = [emphasis('*', 'b'), emphasis('_', 'i'), emphasis('~', 's')];

function emphasise(html: string): string {
  return EMPHASIS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), html);
}

/** One mrkdwn text → HTML: links become anchors, code fences stay verbatim, lines break. */
export function mrkdwnToHtml(mrkdwn: string): string {
  const parts = mrkdwn.split('```');
  // An unpaired fence is text, as Slack shows it.
  if (parts.length % 2 === 0) parts.splice(-2, 2, `${parts.at(-2)}\`\`\`${parts.at(-1)}`);
  return parts
    .map((part, i) => {
      if (i % 2 === 1 && i < parts.length - 1)
        return `<pre>${escapeText(part.replace(/^\n|\n$/g, ''))}</pre>`;
      let out = '';
      let run = '';
      for (let at = 0; at < part.length; ) {
        const link = part[at] === '<' ? LINK.exec(part.slice(at, at + 4096)) : null;
        if (!link) {
          run += part[at];
          at++;
          continue;
        }
        out += formatRun(escapeText(run));
        run = '';
        const href = escapeText(link[1]!);
        out += `<a href="${href}" rel="noopener noreferrer">${escapeText(link[2] ?? link[1]!)}</a>`;
        at += link[0].length;
      }
      out += formatRun(escapeText(run));
      return out.replace(/\n/g, '<br>');
    })
    .join('');
}

function blockHtml(block: SlackBlock): string {
  switch (block.type) {
    case 'header':
      return `<div class="header">${plain(block.text.text)}</div>`;
    case 'section':
      return `<div class="section">${mrkdwnToHtml(block.text.text)}</div>`;
    case 'context':
      return `<div class="context">${block.elements.map((e) => mrkdwnToHtml(e.text)).join(' ')}</div>`;
    case 'divider':
      return '<hr>';
    default:
      // Blocks Herald does not build (a page of an emulator may hold anything): shown as a marker.
      return `<div class="context">[${plain(String((block as { type?: unknown }).type ?? 'block'))}]</div>`;
  }
}

function messageHtml(message: SlackMessage, postedAt: number | null): string {
  const time = postedAt === null ? 'scheduled' : new Date(postedAt).toISOString().slice(11, 16);
  return `<div class="message"><div class="avatar">H</div><div class="body">
<div class="meta"><span class="name">Herald</span><span class="app">APP</span><span class="time">${time}</span></div>
${message.blocks.map(blockHtml).join('\n')}
</div></div>`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1d1c1d;--muted:#616061;--line:#e8e8e8;--link:#1264a3;--code:#f6f6f6}
@media (prefers-color-scheme:dark){:root{--bg:#1a1d21;--fg:#d1d2d3;--muted:#ababad;--line:#35373b;--link:#1d9bd1;--code:#222529}}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.46668 -apple-system,BlinkMacSystemFont,"Segoe UI",Lato,sans-serif}
.channel{font-weight:900;font-size:18px;padding:12px 20px;border-bottom:1px solid var(--line)}
.message{display:flex;gap:8px;padding:8px 20px}
.avatar{flex:none;width:36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center}
.body{min-width:0;flex:1}
.meta{display:flex;gap:6px;align-items:baseline}.name{font-weight:900}
.app{font-size:10px;font-weight:700;color:var(--muted);background:var(--line);padding:0 3px;border-radius:2px}
.time{font-size:12px;color:var(--muted)}
.header{font-size:18px;font-weight:900;margin:4px 0}
.section{margin:4px 0;white-space:normal;overflow-wrap:anywhere}
.context{font-size:13px;color:var(--muted);margin:4px 0}
hr{border:0;border-top:1px solid var(--line);margin:8px 0}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
code{font:12px Monaco,Menlo,Consolas,monospace;background:var(--code);border:1px solid var(--line);border-radius:3px;padding:1px 3px;color:#e01e5a}
pre{font:12px/1.5 Monaco,Menlo,Consolas,monospace;background:var(--code);border:1px solid var(--line);border-radius:4px;padding:8px;white-space:pre-wrap}
.thread{margin:0 20px 8px 64px;border-left:2px solid var(--line)}
.thread .message{padding-left:12px}
.replies{font-size:13px;font-weight:700;color:var(--link);margin:0 20px 4px 64px}
`;

/** A page showing each channel's announcements with their threads, as Slack would. */
export function renderSlackHtml(input: {
  title: string;
  channels: { name: string; threads: SlackThreadView[] }[];
}): string {
  const channel = (c: { name: string; threads: SlackThreadView[] }) =>
    `<section><div class="channel">${plain(c.name)}</div>\n${c.threads.map(threadHtml).join('\n')}</section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${plain(input.title)}</title><style>${STYLE}</style></head>
<body>
${input.channels.map(channel).join('\n')}
</body></html>
`;
}

function threadHtml(t: SlackThreadView): string {
  const replies =
    t.replies.length === 0
      ? ''
      : `<div class="replies">${t.replies.length} ${t.replies.length === 1 ? 'reply' : 'replies'}</div>
<div class="thread">${t.replies.map((r) => messageHtml(r, t.postedAt)).join('\n')}</div>`;
  return `${messageHtml(t.message, t.postedAt)}\n${replies}`;
}

/** Plain text (not mrkdwn) → HTML text. */
const plain = (text: string) => escapeText(text.replace(/&/g, '&amp;'));
