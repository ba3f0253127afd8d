import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '../viewer.js';
import { errorPage } from './error-page.js';

/** Only signed-in users: anyone else is sent to the sign-in page, and back here after it. */
export async function requireViewer(request: FastifyRequest, reply: FastifyReply) {
  if (request.viewer) return;
  // After signing in, a GET page is shown again; a form's POST is not replayed.
  const next = request.method === 'GET' ? request.url : '/';
  return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
}

/** Only managers may act: a viewer gets 403, an anonymous visitor the sign-in page. */
export async function requireManager(request: FastifyRequest, reply: FastifyReply) {
  if (!request.viewer) return requireViewer(request, reply);
  if (request.viewer.role === 'manager') return;
  return reply
    .code(403)
    .type('text/html; charset=utf-8')
    .send(
      errorPage(
        'Not allowed',
        'Your role is viewer: only a manager can do this. Ask one to change your role.',
      ),
    );
}
