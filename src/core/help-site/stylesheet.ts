// The static help centre's one stylesheet (light and dark).

export const STYLESHEET = `:root {
  color-scheme: light dark;
  --text: #1d2330;
  --muted: #5b6472;
  --bg: #ffffff;
  --surface: #f4f5f7;
  --border: #d0d4db;
  --link: #2456b3;
  --link-visited: #6a3fb0;
  --note: #4a7bd0;
  --note-bg: #f3f6fc;
  --warn: #c9662b;
  --warn-bg: #fcf5f0;
  --danger: #c0392b;
  --danger-bg: #fcf1f0;
  --tip: #2e8b57;
  --tip-bg: #f0f8f3;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #e3e6eb;
    --muted: #9aa3b2;
    --bg: #15181d;
    --surface: #1f242c;
    --border: #363d49;
    --link: #8ab4f8;
    --link-visited: #c3a6f5;
    --note: #6d9be6;
    --note-bg: #1b2433;
    --warn: #e08a50;
    --warn-bg: #2e2219;
    --danger: #e57368;
    --danger-bg: #311c1a;
    --tip: #5cbf86;
    --tip-bg: #18291f;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 1rem/1.65 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  overflow-wrap: break-word;
}
.site-header, main, .site-footer { max-width: 46rem; margin: 0 auto; padding: 0 1.25rem; }
.site-header { padding-top: 1.25rem; padding-bottom: .75rem; border-bottom: 1px solid var(--border); }
.site-title { font-weight: 700; font-size: 1.1rem; color: var(--text); text-decoration: none; }
main { padding-top: 1.5rem; padding-bottom: 2.5rem; }
.site-footer { padding-top: 1rem; padding-bottom: 2rem; border-top: 1px solid var(--border); color: var(--muted); font-size: .9rem; }
a { color: var(--link); text-underline-offset: .15em; }
a:visited { color: var(--link-visited); }
a:focus-visible { outline: 2px solid var(--link); outline-offset: 2px; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.8em 0 .6em; }
h1 { font-size: 2rem; margin-top: .4em; }
h2 { font-size: 1.45rem; }
h3 { font-size: 1.2rem; }
p, ul, ol, dl, table, pre, blockquote, figure { margin: 0 0 1rem; }
img, video { max-width: 100%; height: auto; }
hr { border: 0; border-top: 1px solid var(--border); margin: 2rem 0; }
blockquote { margin-left: 0; padding: .1rem 1rem; border-left: 4px solid var(--border); color: var(--muted); }
code, kbd, samp, pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: .9em; }
:not(pre) > code { background: var(--surface); padding: .1em .35em; border-radius: 4px; }
pre { background: var(--surface); border: 1px solid var(--border); border-radius: 6px; padding: .8rem 1rem; overflow-x: auto; line-height: 1.5; tab-size: 2; }
table { display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse; }
th, td { border: 1px solid var(--border); padding: .4rem .7rem; text-align: left; vertical-align: top; }
th { background: var(--surface); font-weight: 600; }
.admonition { margin: 0 0 1rem; padding: .6rem 1rem; border-left: 4px solid var(--note); background: var(--note-bg); border-radius: 0 6px 6px 0; }
.admonition > :last-child { margin-bottom: 0; }
.admonition-title { font-weight: 600; margin-bottom: .3rem; }
.admonition-warning, .admonition-caution { border-color: var(--warn); background: var(--warn-bg); }
.admonition-danger, .admonition-important { border-color: var(--danger); background: var(--danger-bg); }
.admonition-tip, .admonition-success { border-color: var(--tip); background: var(--tip-bg); }
.breadcrumbs ol, .languages ul { list-style: none; margin: 0 0 1rem; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem .5rem; font-size: .9rem; color: var(--muted); }
.breadcrumbs li + li::before { content: "\\203A"; margin-right: .5rem; color: var(--muted); }
.languages ul { gap: .25rem 1rem; }
.languages [aria-current] { font-weight: 600; }
.published, .date, .count, .empty { color: var(--muted); }
.published { font-size: .9rem; margin-top: -.3rem; }
.date, .count { font-size: .9rem; margin-left: .35rem; white-space: nowrap; }
.article-list, .section-list { padding-left: 1.2rem; }
.article-list li, .section-list li { margin: .35rem 0; }
.more { font-size: .95rem; }
@media (max-width: 40rem) {
  body { font-size: .97rem; }
  h1 { font-size: 1.6rem; }
  .site-header, main, .site-footer { padding-left: 1rem; padding-right: 1rem; }
}
@media print {
  .site-header, .site-footer, .languages { display: none; }
  a { color: inherit; }
}
`;
