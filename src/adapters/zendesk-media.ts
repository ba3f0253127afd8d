import { DeliveryFailure } from '../errors/delivery-failure.js';
import type { AttachmentInput } from '../ports/index.js';
import { ZendeskHttpError } from './zendesk-http.js';
import { unreadableAnswer, webUrl } from './zendesk-status.js';

/**
 * Article images through Guide media, as the Help Center reference now asks ("article
 * attachments: `file` or `guide_media_id`"; uploading `file` directly is being retired):
 *   1. POST /api/v2/guide/medias/upload_url {content_type, file_size} → {upload_url: {url,
 *      asset_upload_id, headers}};
 *   2. PUT the bytes to that url with exactly those headers (a storage bucket: no credentials);
 *   3. POST /api/v2/guide/medias {asset_upload_id, filename} → {media: {id, …}};
 *   4. POST /api/v2/help_center/articles/{id}/attachments (multipart) with guide_media_id,
 *      inline=true and the translation's locale → {article_attachment: {content_url}}.
 * An account whose media endpoints are missing (404/403/405/410) gets the direct `file` upload.
 * Inline attachments belong to one translation: Zendesk deletes one when its translation stops
 * embedding it, so each upload names its locale.
 */

export interface MediaDeps {
  base: string;
  authorization: string;
  timeoutMs: number;
  send(uri: string, init: RequestInit): Promise<Response>;
  failure(error: unknown, what: string, write: boolean): DeliveryFailure;
}

/** Statuses that say the media endpoints are not there for this account. */
const NO_MEDIA = new Set([403, 404, 405, 410]);

export function createZendeskAttachments(deps: MediaDeps) {
  const { base, authorization, failure } = deps;
  let mediaMissing = false;

  const post = async (
    what: string,
    path: string,
    body: string | FormData,
    json: boolean,
  ): Promise<unknown> => {
    let response: Response;
    try {
      response = await deps.send(`${base}${path}`, {
        method: 'POST',
        headers: {
          Authorization: authorization,
          Accept: 'application/json',
          ...(json ? { 'Content-Type': 'application/json' } : {}),
        },
        body,
      });
    } catch (error) {
      throw failure(error, what, true);
    }
    try {
      return await response.json();
    } catch {
      throw unreadableAnswer(what, true, 'JSON body');
    }
  };

  /** Steps 1–3: the Guide media id, or null when this account has no media endpoints. */
  const createMedia = async (input: AttachmentInput): Promise<string | null> => {
    let answer: unknown;
    try {
      answer = await post(
        `ask for an upload URL for ${input.fileName}`,
        '/api/v2/guide/medias/upload_url',
        JSON.stringify({ content_type: input.contentType, file_size: input.bytes.length }),
        true,
      );
    } catch (error) {
      if (error instanceof DeliveryFailure && NO_MEDIA.has(error.status ?? 0)) return null;
      throw error;
    }
    const slot = readSlot(answer);
    if (!slot) throw unreadableAnswer(`the upload URL for ${input.fileName}`, true, 'upload_url');
    await putInStorage(slot, input, deps);
    const created = `create the Guide media for ${input.fileName}`;
    const media = (await post(
      created,
      '/api/v2/guide/medias',
      JSON.stringify({ asset_upload_id: slot.assetUploadId, filename: input.fileName }),
      true,
    )) as { media?: { id?: unknown } } | null;
    const id = media?.media?.id;
    if (typeof id !== 'string' || !/^[0-9A-Za-z]{10,40}$/.test(id))
      throw unreadableAnswer(created, true, 'media id');
    return id;
  };

  /** Step 4 (or the direct upload): attaches the file to the article's translation in `locale`. */
  const attach = async (articleId: string, input: AttachmentInput, mediaId: string | null) => {
    const what = `attach ${input.fileName} to article ${articleId}${input.locale ? ` (${input.locale})` : ''}`;
    const form = new FormData();
    if (mediaId === null)
      form.append('file', new Blob([input.bytes], { type: input.contentType }), input.fileName);
    else form.append('guide_media_id', mediaId);
    form.append('inline', 'true');
    if (input.locale) form.append('locale', input.locale);
    const answer = (await post(
      what,
      `/api/v2/help_center/articles/${articleId}/attachments.json`,
      form,
      false,
    )) as {
      article_attachment?: { content_url?: unknown };
    } | null;
    const url = webUrl(answer?.article_attachment?.content_url);
    if (url === null) throw unreadableAnswer(what, true, 'article_attachment.content_url');
    return { url };
  };

  return async (articleId: string, input: AttachmentInput): Promise<{ url: string }> => {
    const mediaId = mediaMissing ? null : await createMedia(input);
    if (mediaId === null) mediaMissing = true;
    return attach(articleId, input, mediaId);
  };
}

/** The upload slot, nested as documented (`upload_url: {url, asset_upload_id, headers}`) or flat. */
function readSlot(
  answer: unknown,
): { url: string; assetUploadId: string; headers: Record<string, string> } | null {
  const a = (answer ?? {}) as Record<string, unknown>;
  const nested =
    a.upload_url && typeof a.upload_url === 'object' ? (a.upload_url as Record<string, unknown>) : a;
  const url = webUrl(typeof nested.url === 'string' ? nested.url : a.upload_url);
  const assetUploadId = nested.asset_upload_id ?? a.asset_upload_id;
  const headers = (nested.headers ?? a.headers ?? {}) as Record<string, unknown>;
  if (url === null || typeof assetUploadId !== 'string' || !assetUploadId) return null;
  return {
    url,
    assetUploadId,
    headers: Object.fromEntries(
      Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    ),
  };
}

/** Step 2: the bytes to the storage URL. It is not Zendesk: no Authorization, only the headers Zendesk named. */
async function putInStorage(
  slot: { url: string; headers: Record<string, string> },
  input: AttachmentInput,
  deps: MediaDeps,
): Promise<void> {
  const what = `upload ${input.fileName} to Guide media storage`;
  let stored: Response;
  try {
    stored = await fetch(slot.url, {
      method: 'PUT',
      headers: slot.headers,
      body: input.bytes,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
  } catch (error) {
    throw deps.failure(error, what, true);
  }
  if (stored.status < 200 || stored.status >= 300)
    throw deps.failure(new ZendeskHttpError(stored.status, null, stored.statusText), what, true);
  await stored.body?.cancel();
}
