/** Environment variable names whose values are secrets. */
const SECRET_NAME =
  /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIALS?)$|^(SMTP_URL|HERALD_DATABASE_URL|DATABASE_URL)$/i;

/** Query parameters that carry a secret (`postgres://u@h/db?password=…`, libpq's `sslpassword`). */
const SECRET_PARAM = /([?&](?:ssl)?(?:password|passwd|pass|pwd)=)[^&#\s]*/gi;

/** Command-line flags whose values are connection URLs that may hold a password. */
const URL_FLAGS = ['--store'];

/**
 * Builds a redactor that masks every secret value from the environment, plain and URL-encoded,
 * plus passwords embedded in URLs (`https://user:pass@host`, `?password=`), and the URLs given to
 * `--store` on the command line. Every line Herald prints passes it.
 */
export function createRedactor(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[] = [],
): (text: string) => string {
  const values = new Set<string>();
  const addUrlSecrets = (value: string) => {
    for (const secret of urlSecrets(value)) {
      values.add(secret);
      values.add(encodeURIComponent(secret));
    }
  };
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 4 || !SECRET_NAME.test(name)) continue;
    // A connection URL with no password and no query (`smtp://127.0.0.1:2525`) holds no secret:
    // it stays readable in "email: SMTP relay smtp://127.0.0.1:2525".
    if (
      /_URL$/i.test(name) &&
      /^[a-z][\w+.-]*:\/\/[^:/@?#\s]*@?[^:/@?#\s]*(:\d+)?\/?[^?#:@\s]*$/i.test(value)
    )
      continue;
    values.add(value);
    values.add(encodeURIComponent(value));
    addUrlSecrets(value);
  }
  for (const url of flagValues(argv, URL_FLAGS)) addUrlSecrets(url);
  const sorted = [...values].filter((v) => v.length >= 3).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const value of sorted) if (out.includes(value)) out = out.split(value).join('[redacted]');
    return out
      .replace(/(\b[a-z][\w+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/gi, '$1[redacted]@')
      .replace(SECRET_PARAM, '$1[redacted]');
  };
}

/** A URL without its password, for messages: `postgres://herald:[redacted]@db/herald`. */
export function redactUrl(url: string): string {
  const userinfo = userinfoOf(url);
  const masked =
    userinfo?.password === undefined
      ? url
      : `${url.slice(0, userinfo.passwordAt)}[redacted]${url.slice(userinfo.passwordAt + userinfo.password.length)}`;
  return masked.replace(SECRET_PARAM, '$1[redacted]');
}

/**
 * Where a URL's password sits. The password may hold characters a URL should encode but people
 * type anyway (a space, `/`, `@`), so the userinfo runs to the LAST `@` before the query, not to
 * the first `/`.
 */
function userinfoOf(url: string): { password: string; passwordAt: number } | null {
  const scheme = /^[a-z][\w+.-]*:\/\//i.exec(url);
  if (!scheme) return null;
  const query = url.indexOf('?', scheme[0].length);
  const at = url.lastIndexOf('@', query === -1 ? url.length : query);
  if (at < scheme[0].length) return null;
  const colon = url.indexOf(':', scheme[0].length);
  if (colon === -1 || colon > at) return null;
  return { password: url.slice(colon + 1, at), passwordAt: colon + 1 };
}

/** The secret parts of a connection URL: its password (raw and decoded) and secret query values. */
function urlSecrets(url: string): string[] {
  const secrets: string[] = [];
  const password = userinfoOf(url)?.password;
  if (password) secrets.push(password, safeDecode(password));
  for (const match of url.matchAll(/[?&](?:ssl)?(?:password|passwd|pass|pwd)=([^&#]*)/gi))
    if (match[1]) secrets.push(match[1], safeDecode(match[1]));
  return secrets;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Values of the named flags, as `--flag value` or `--flag=value`. */
function flagValues(argv: readonly string[], flags: readonly string[]): string[] {
  const found: string[] = [];
  for (const [i, arg] of argv.entries()) {
    for (const flag of flags) {
      if (arg === flag && argv[i + 1] !== undefined) found.push(argv[i + 1]!);
      else if (arg.startsWith(`${flag}=`)) found.push(arg.slice(flag.length + 1));
    }
  }
  return found;
}
