/** Block Kit and metadata checks of the Slack emulator: what chat.postMessage/chat.update refuse. */

export type Args = Record<string, unknown>;

export interface SlackMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** What an app declared about its metadata: required payload keys per event type, a size cap. */
export interface MetadataRules {
  schemas?: Record<string, string[]>;
  maxBytes?: number;
}

/** A Slack `{ok:false}` answer raised from inside a method handler, before it has any effect. */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Args = {},
  ) {
    super(code);
  }
}

const TEXT_TYPES = ['plain_text', 'mrkdwn'];
const MAX_TEXT = 40_000;
const MAX_BLOCKS = 50;
const MAX_BLOCK_TEXT_TOTAL = 13_200;
const EVENT_TYPE = /^[A-Za-z0-9_-]+$/;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** A non-empty string argument; form fields are strings, JSON bodies may carry numbers. */
export const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** Problems in a Block Kit array, each as Slack words it: `[ERROR] … [json-pointer:/blocks/…]`. */
function blockProblems(blocks: unknown[]): string[] {
  const problems: string[] = [];
  const fail = (pointer: string, message: string) => {
    problems.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  };
  const textObject = (value: unknown, pointer: string, max: number, types: string[]) => {
    if (!isRecord(value)) return fail(pointer, 'must be a text object');
    if (typeof value.type !== 'string' || !types.includes(value.type)) {
      fail(`${pointer}/type`, `must be one of: ${types.join(', ')}`);
    }
    if (typeof value.text !== 'string' || value.text.length === 0) {
      fail(`${pointer}/text`, 'must be more than 0 characters');
    } else if (value.text.length > max) fail(`${pointer}/text`, `must be less than ${max + 1} characters`);
  };
  const list = (value: unknown, pointer: string, max: number, each: (item: unknown, at: string) => void) => {
    if (!Array.isArray(value) || value.length === 0) return fail(pointer, 'must be a non-empty array');
    if (value.length > max) return fail(pointer, `no more than ${max} items allowed`);
    for (const [i, item] of value.entries()) each(item, `${pointer}/${i}`);
  };
  const block = (value: unknown, at: string) => {
    if (!isRecord(value)) return fail(at, 'must be an object');
    const id = value.block_id;
    if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 255)) {
      fail(`${at}/block_id`, 'must be a string of 1 to 255 characters');
    }
    switch (value.type) {
      case 'header':
        return textObject(value.text, `${at}/text`, 150, ['plain_text']);
      case 'section':
        if (value.text === undefined && value.fields === undefined) {
          return fail(at, 'must provide either text or fields');
        }
        if (value.text !== undefined) textObject(value.text, `${at}/text`, 3000, TEXT_TYPES);
        if (value.fields !== undefined) {
          list(value.fields, `${at}/fields`, 10, (field, p) => textObject(field, p, 2000, TEXT_TYPES));
        }
        return;
      case 'context':
        return list(value.elements, `${at}/elements`, 10, (element, p) => {
          if (isRecord(element) && element.type === 'image') {
            if (typeof element.image_url !== 'string' || typeof element.alt_text !== 'string') {
              fail(p, 'image elements need image_url and alt_text');
            }
          } else textObject(element, p, 3000, TEXT_TYPES);
        });
      case 'markdown':
        if (typeof value.text !== 'string' || value.text.length === 0) {
          return fail(`${at}/text`, 'must be more than 0 characters');
        }
        if (value.text.length > 12_000) fail(`${at}/text`, 'must be less than 12001 characters');
        return;
      case 'rich_text':
        if (!Array.isArray(value.elements)) fail(`${at}/elements`, 'must be an array');
        return;
      case 'divider':
        return;
      default:
        fail(`${at}/type`, `unsupported block type: ${String(value.type)}`);
    }
  };

  if (blocks.length > MAX_BLOCKS) fail('/blocks', `no more than ${MAX_BLOCKS} items allowed`);
  for (const [i, value] of blocks.entries()) block(value, `/blocks/${i}`);
  return problems;
}

/** Characters of every `text` string inside the blocks: what msg_blocks_too_long counts. */
function blockTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + blockTextLength(item), 0);
  if (!isRecord(value)) return 0;
  let sum = 0;
  for (const [key, item] of Object.entries(value)) {
    sum += key === 'text' && typeof item === 'string' ? item.length : blockTextLength(item);
  }
  return sum;
}

/**
 * Message metadata as Slack's metadata guide describes it: `event_type` "can contain letters,
 * numbers, underscores, and hyphens, but not periods or other punctuation. Metadata with an
 * invalid event_type returns an invalid_metadata_schema warning and is ignored" (the post still
 * goes out, without it). An app that declares a schema for the event type in its manifest gets
 * the invalid_metadata_schema error when a payload does not match it. metadata_too_large is a
 * documented error whose limit Slack does not publish: the emulator applies `maxBytes` only when
 * a test sets one.
 */
function checkMetadata(value: unknown, rules: MetadataRules): { metadata?: SlackMetadata; warning?: string } {
  if (
    !isRecord(value) ||
    typeof value.event_type !== 'string' ||
    value.event_type.length === 0 ||
    value.event_type.length > 255 ||
    !isRecord(value.event_payload)
  ) {
    throw new SlackApiError('invalid_metadata_format');
  }
  if (!EVENT_TYPE.test(value.event_type)) return { warning: 'invalid_metadata_schema' };
  const required = rules.schemas?.[value.event_type];
  if (required?.some((key) => !(key in (value.event_payload as Args))))
    throw new SlackApiError('invalid_metadata_schema');
  if (rules.maxBytes !== undefined && Buffer.byteLength(JSON.stringify(value)) > rules.maxBytes)
    throw new SlackApiError('metadata_too_large');
  return { metadata: { event_type: value.event_type, event_payload: value.event_payload } };
}

/** The message content of chat.postMessage/chat.update, validated; absent fields stay undefined. */
export function checkContent(
  args: Args,
  rules: MetadataRules = {},
): { text?: string; blocks?: unknown[]; metadata?: SlackMetadata; warning?: string } {
  const text = str(args.text);
  const blocks = args.blocks;
  if (blocks !== undefined && !Array.isArray(blocks)) throw new SlackApiError('invalid_blocks_format');
  if (text === undefined && !blocks?.length) throw new SlackApiError('no_text');
  if (text !== undefined && text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
  if (blocks) {
    const problems = blockProblems(blocks);
    if (problems.length) {
      throw new SlackApiError('invalid_blocks', { response_metadata: { messages: problems } });
    }
    if (blockTextLength(blocks) > MAX_BLOCK_TEXT_TOTAL) throw new SlackApiError('msg_blocks_too_long');
  }
  const checked = args.metadata === undefined ? {} : checkMetadata(args.metadata, rules);
  return { text, blocks, ...checked };
}
