/** A language tag as Herald keeps it: `de`, `pt-br` (lower case, `-` between parts). */
const LOCALE = /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/;

/** `pt_BR` → `pt-br`; null when the text is not a language tag (`english`, `en-`, `../x`). */
export function normaliseLocale(text: string): string | null {
  const tag = text.trim().toLowerCase().replace(/_/g, '-');
  return LOCALE.test(tag) ? tag : null;
}
