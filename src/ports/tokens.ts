/** What a link in an email may do for one subscriber. */
export type TokenPurpose = 'confirm' | 'unsubscribe';

/**
 * Signs and checks the opaque tokens in subscription links. A token names one subscriber and one
 * purpose; it cannot be made without the secret, and one subscriber's token never acts on another.
 */
export interface TokenSigner {
  sign(purpose: TokenPurpose, subscriberId: number): string;
  /** The subscriber the token was made for, or null when it is forged, altered, expired or for another purpose. */
  verify(purpose: TokenPurpose, token: string): number | null;
}
