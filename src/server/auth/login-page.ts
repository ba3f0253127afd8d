import Handlebars from 'handlebars';

// The sign-in page: labelled fields, an error announced to screen readers, no script and no
// inline style (the CSP allows neither); its stylesheet is /login.css.
const template = Handlebars.compile<{
  product: string;
  csrf: string;
  next: string;
  message: string | null;
  username: string;
}>(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in · {{product}} releases</title>
<link rel="stylesheet" href="/login.css"></head>
<body><main>
<h1>Sign in to {{product}} releases</h1>
{{#if message}}<p class="problem" role="alert" id="problem">{{message}}</p>{{/if}}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="{{csrf}}">
<input type="hidden" name="next" value="{{next}}">
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" required maxlength="64" value="{{username}}"{{#if message}} aria-describedby="problem"{{/if}}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<button type="submit">Sign in</button>
</form>
</main></body></html>
`);

export const LOGIN_CSS = `:root{color-scheme:light dark}
body{font:16px/1.5 system-ui,sans-serif;margin:0}
main{max-width:24rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:1rem 0 .25rem;font-weight:600}
input{font:inherit;width:100%;box-sizing:border-box;padding:.5rem}
button{font:inherit;margin-top:1.25rem;padding:.5rem 1.25rem;cursor:pointer}
.problem{border-left:4px solid #b00020;padding:.25rem .75rem}
`;

export function loginPage(values: {
  product: string;
  csrf: string;
  next: string;
  message?: string | null;
  username?: string;
}): string {
  return template({ message: null, username: '', ...values });
}
