import { escapeHtml } from '../../core/html-text.js';

/** A plain page for refusals of the dashboard (403, 404, 429, an expired form). */
export function errorPage(heading: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(heading)}</title><link rel="stylesheet" href="/login.css"></head>
<body><main><h1>${escapeHtml(heading)}</h1><p>${escapeHtml(message)}</p>
<p><a href="/">Back to the start</a></p></main></body></html>
`;
}
