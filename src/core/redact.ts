/** Environment variable names whose values are secrets. */
const SECRET_NAME =
  /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIALS?)$|^(SMTP_URL|HERALD_DATABASE_URL|DATABASE_URL)$/i;

/**
 * Builds a redactor that masks every secret value from the environment, plain and URL-encoded,
 * plus passwords embedded in URLs (`https://user:pass@host`). Every line Herald prints passes it.
 */
export function createRedactor(env: Readonly<Record<string, string | undefined>>): (text: string) => string {
  const values = new Set<string>();
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
    const password = /^[a-z][\w+.-]*:\/\/[^:/@]*:([^@/]+)@/i.exec(value)?.[1];
    if (password && password.length >= 3) values.add(password);
  }
  const sorted = [...values].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const value of sorted) if (out.includes(value)) out = out.split(value).join('[redacted]');
    return out.replace(/(\b[a-z][\w+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/gi, '$1[redacted]@');
  };
}

/** A URL without its password, for messages: `postgres://herald:[redacted]@db/herald`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][\w+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/i, '$1[redacted]@');
}
