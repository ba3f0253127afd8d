import { headerText, MAX_NAME } from '../core/email-address.js';
import { escapeHtml } from '../core/html-text.js';
import type { EmailAddress, OutgoingEmail } from '../ports/index.js';

/** An answer of `herald serve`, as data: the HTTP plumbing writes it. */
export interface PageAnswer {
  status: number;
  headers?: Record<string, string>;
  heading: string;
  /** HTML, built from escaped parts. */
  body: string;
}

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // Tokens are in the URL: never send it elsewhere.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

/** The full response of an answer: status, headers and the HTML page around its body. */
export function renderPage(
  answer: PageAnswer,
  title: string,
): { status: number; headers: Record<string, string>; html: string } {
  return {
    status: answer.status,
    headers: { ...HEADERS, ...answer.headers },
    html: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(answer.heading)} · ${escapeHtml(title)}</title>
<style>:root{color-scheme:light dark}body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}
input,button{font:inherit;padding:.4rem .6rem}label{display:block;margin:.6rem 0}button{cursor:pointer}.muted{opacity:.75}</style></head>
<body><h1>${escapeHtml(answer.heading)}</h1>
${answer.body}
</body></html>
`,
  };
}

/** The sign-up form, with a message above it. */
export function signupForm(topics: readonly string[], message = ''): string {
  return `${message}
<form method="post" action="subscribe">
<label>Email <input type="email" name="email" required maxlength="254" autocomplete="email"></label>
<label>Name (optional) <input name="name" maxlength="${MAX_NAME}" autocomplete="name"></label>
${
  topics.length > 0
    ? `<fieldset><legend>Send me changes to (none ticked: everything)</legend>${topics
        .map(
          (t) =>
            `<label><input type="checkbox" name="topics" value="${escapeHtml(t)}"> ${escapeHtml(t)}</label>`,
        )
        .join('')}</fieldset>`
    : ''
}
<button type="submit">Subscribe</button>
</form>`;
}

/** A page with one button that POSTs `token` to `action`: link scanners follow GETs, never forms. */
export function buttonForm(action: 'confirm' | 'unsubscribe', token: string, label: string): string {
  return `<form method="post" action="${action}?token=${escapeHtml(encodeURIComponent(token))}"><button type="submit">${escapeHtml(label)}</button></form>`;
}

export interface ConfirmationEmailSettings {
  product: string;
  from: EmailAddress;
  replyTo: EmailAddress | null;
  /** The confirmation page's URL, with the token. */
  url: string;
  to: EmailAddress;
  messageId: string;
}

/** The double opt-in email: who asked, the link to the confirmation page, what happens if ignored. */
export function confirmationEmail(s: ConfirmationEmailSettings): OutgoingEmail {
  const title = `${s.product} release notes`;
  return {
    messageId: s.messageId,
    from: s.from,
    to: s.to,
    replyTo: s.replyTo,
    subject: headerText(`Confirm your subscription to ${title}`),
    text: `Someone, hopefully you, asked to get the ${title} by email at ${s.to.address}.\n\nConfirm here: ${s.url}\n\nIf it was not you, ignore this email: nothing will be sent.\n`,
    html: `<p>Someone, hopefully you, asked to get the ${escapeHtml(title)} by email at ${escapeHtml(s.to.address)}.</p>
<p><a href="${escapeHtml(s.url)}">Confirm the subscription</a></p>
<p style="opacity:.75">If it was not you, ignore this email: nothing will be sent.</p>`,
    unsubscribe: null,
    listId: null,
  };
}
