import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BundleKey } from '../../model/index.js';
import type { Dashboard } from './context.js';
import { releaseKeyOf, releaseName } from './release-key.js';

export type ReleaseParams = { id: string };

/** The bundle a `/releases/:id` route names. */
export const keyOf = (dashboard: Dashboard, request: FastifyRequest<{ Params: ReleaseParams }>) =>
  releaseKeyOf(request.params.id, (request.query as { product?: string }).product, dashboard.product);

export function notFound(dashboard: Dashboard, request: FastifyRequest, reply: FastifyReply, key: BundleKey) {
  return dashboard.page(
    request,
    reply,
    'message',
    { title: 'No such release', section: 'releases' },
    {
      heading: 'No such release',
      problem: { message: `${releaseName(key)} is not prepared.`, fix: '`herald prepare` stores a release.' },
      back: '/releases',
    },
    404,
  );
}
