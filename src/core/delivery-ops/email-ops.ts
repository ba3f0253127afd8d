import { type KeyCodec, parseCount } from './key-codec.js';

/** The email channel sends one message per subscriber, one ledger row each: `to:<subscriber id>`. */
export interface EmailOp {
  subscriber: number;
}

export const emailKeys: KeyCodec<EmailOp> = {
  format: (op) => `to:${op.subscriber}`,
  parse(key) {
    if (!key.startsWith('to:')) return null;
    const subscriber = parseCount(key.slice('to:'.length));
    return subscriber === null ? null : { subscriber };
  },
};
