import * as z from 'zod/mini';

/**
 * `herald.report`: the release report after each announce run. Part of the one schema in
 * schema.ts, kept apart to keep that file on a screen.
 */

function about<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

export const report = z.strictObject({
  slack: about(
    z.optional(
      z.strictObject({
        channel: about(
          z.string().check(
            z.regex(/^[CGD][A-Z0-9]{2,}$/, {
              error: 'a Slack channel ID like C0123ABCD (in the channel details), not its #name',
            }),
          ),
          'Slack channel ID the report goes to (C…, from the channel details).',
        ),
        tokenEnv: about(
          z._default(
            z.string().check(z.regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'an environment variable name' })),
            'SLACK_BOT_TOKEN',
          ),
          'Environment variable holding the bot token that posts the report (default SLACK_BOT_TOKEN; without it the report goes to the Slack outbox).',
        ),
      }),
    ),
    'Where each announce run posts its report: one thread per release, updated in place.',
  ),
  remindAfterHours: about(
    z._default(z.number().check(z.positive()), 24),
    'A failure still unresolved after this long is reported again (a reply), at most once per period.',
  ),
});
