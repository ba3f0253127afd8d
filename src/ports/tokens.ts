/** What a link in an email may do for one subscriber. */
export type TokenPurpose = 'confirm' | 'unsubscribe';

/**
 * Signs and checks the opaque tokens in subscription links. A token names one subscriber and one
 * purpose; it cannot be made without the secret, and one subscriber's token never acts on another.
 */
export interface TokenSigner {
  /**
   * `binding` (a confirmation link's sign-up nonce) is part of the MAC, not of the token: the
   * token verifies only against the same binding, so a new sign-up voids the links of an old one.
   */
  sign(purpose: TokenPurpose, subscriberId: number, binding?: string | null): string;
  /** The subscriber the token was made for, or null when it is forged, altered, expired, for another purpose or binding. */
  verify(purpose: TokenPurpose, token: string, binding?: string | null): number | null;
  /** The subscriber a well-formed token names, NOT verified: to look up the binding to verify with. */
  subjectOf(token: string): number | null;
}
