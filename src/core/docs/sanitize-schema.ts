import { defaultSchema, type Schema } from 'hast-util-sanitize';
import { ADMONITION_KINDS } from './admonitions.js';

/**
 * GitHub's allow-list (hast-util-sanitize's default) with two changes:
 * - `clobber: []`: remark-rehype already prefixes footnote ids with `user-content-`; the default
 *   would prefix them again (`user-content-user-content-fn-1`) while links keep one prefix.
 * - the admonition classes Herald generates itself.
 * Raw HTML never reaches this point (remark-rehype drops it), so this guards what Markdown
 * itself can express: `javascript:` and `data:` URLs, unexpected attributes.
 */
export const sanitizeSchema: Schema = {
  ...defaultSchema,
  clobber: [],
  protocols: { ...defaultSchema.protocols, href: ['http', 'https', 'mailto'], src: ['http', 'https'] },
  attributes: {
    ...defaultSchema.attributes,
    div: [
      ...(defaultSchema.attributes?.div ?? []),
      ['className', 'admonition', ...ADMONITION_KINDS.map((k) => `admonition-${k}`)],
    ],
    p: [...(defaultSchema.attributes?.p ?? []), ['className', 'admonition-title']],
  },
};
