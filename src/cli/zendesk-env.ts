/** The Zendesk site root: ZENDESK_URL (emulator, proxy) or https://<ZENDESK_SUBDOMAIN>.zendesk.com. */
export function zendeskBase(env: Readonly<Record<string, string | undefined>>): string | null {
  if (env.ZENDESK_URL) return env.ZENDESK_URL;
  if (env.ZENDESK_SUBDOMAIN) return `https://${env.ZENDESK_SUBDOMAIN}.zendesk.com`;
  return null;
}
