/** How Herald signs in to Zendesk: an agent's API token, or an OAuth token. */
export interface ZendeskCredentials {
  /** `https://<subdomain>.zendesk.com`, or ZENDESK_URL (an emulator or any compatible server). */
  baseUrl: string;
  email: string | null;
  apiToken: string | null;
  oauthToken: string | null;
}

/** The Authorization header for these credentials (OAuth Bearer, else Basic `email/token:…`). */
export function zendeskAuthorization(credentials: ZendeskCredentials): string {
  return credentials.oauthToken !== null
    ? `Bearer ${credentials.oauthToken}`
    : `Basic ${Buffer.from(`${credentials.email}/token:${credentials.apiToken}`).toString('base64')}`;
}
