import type { ZendeskCredentials } from '../adapters/zendesk-auth.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What to set for Zendesk, as error messages name it. */
export const ZENDESK_VARIABLES =
  'ZENDESK_SUBDOMAIN (or ZENDESK_URL) with ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN';

/**
 * Zendesk credentials from the environment (never the config file): the site root, ZENDESK_URL
 * (emulator, proxy) or https://<ZENDESK_SUBDOMAIN>.zendesk.com, with an API token or an OAuth
 * token. Null unless both the site and a way to sign in are set.
 */
export function zendeskCredentialsOf(env: Env): ZendeskCredentials | null {
  const baseUrl =
    env.ZENDESK_URL || (env.ZENDESK_SUBDOMAIN ? `https://${env.ZENDESK_SUBDOMAIN}.zendesk.com` : null);
  if (!baseUrl || !(env.ZENDESK_OAUTH_TOKEN || (env.ZENDESK_EMAIL && env.ZENDESK_API_TOKEN))) return null;
  return {
    baseUrl,
    email: env.ZENDESK_EMAIL ?? null,
    apiToken: env.ZENDESK_API_TOKEN ?? null,
    oauthToken: env.ZENDESK_OAUTH_TOKEN || null,
  };
}
