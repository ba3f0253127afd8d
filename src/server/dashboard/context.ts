import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SlackDestination } from '../../channels/slack.js';
import type { Runtime } from '../../cli/runtime.js';
import { HeraldError } from '../../errors/index.js';
import type { StorePort } from '../../ports/index.js';
import { canAct } from '../viewer.js';
import { type Frame, renderPage } from './views.js';
import { viewerZone } from './zones.js';

/**
 * What the pages work with: the store (its clock judges every schedule), and the runtime `herald
 * serve` loaded (config, product, templates), so previews use the renderers `herald preview` uses.
 */
export interface DashboardOptions {
  store: StorePort;
  runtime: Pick<Runtime, 'config' | 'product' | 'root' | 'templates'>;
}

/** What each group of routes gets: the options and the page helpers. */
export interface Dashboard extends DashboardOptions {
  product: string;
  /** The configured Slack channels (their opening templates compiled once). */
  slack: () => Promise<SlackDestination[]>;
  zone: (request: FastifyRequest) => string;
  page: (
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    frame: Pick<Frame, 'title' | 'section' | 'scripts'>,
    data: Record<string, unknown>,
    status?: number,
  ) => Promise<FastifyReply>;
  /** Unless the viewer may act: answers 403 with a page saying why, and returns true. */
  refuseViewer: (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;
}

/** A HeraldError as the pages show it; its exit code 2 (bad input) is a 400, else a 409. */
export function problemOf(error: unknown) {
  if (!(error instanceof HeraldError)) throw error;
  return {
    status: error.exitCode === 2 ? 400 : 409,
    problem: {
      message: error.message,
      fix: error.fix ?? null,
      details: error.problems.map(
        (p) => `${p.location?.line ? `line ${p.location.line}: ` : ''}${p.message}`,
      ),
    },
  };
}

/** The page helpers every group of routes shares. */
export function createDashboard(options: DashboardOptions): Dashboard {
  let slack: Promise<SlackDestination[]> | null = null;
  const dashboard: Dashboard = {
    ...options,
    product: options.runtime.product,
    slack: () =>
      (slack ??= import('../../cli/channels.js').then(({ slackDestinations }) =>
        slackDestinations(options.runtime.config, options.runtime.root),
      )),
    zone: (request) =>
      viewerZone(
        request.query as { tz?: string },
        request.cookies,
        options.runtime.config.schedule.timeZone ?? null,
      ),
    async page(request, reply, name, frame, data, status = 200) {
      const acts = canAct(request.viewer);
      const html = renderPage(
        name,
        { ...frame, viewer: request.viewer, canAct: acts, csrf: acts ? await reply.generateCsrf() : null },
        data,
      );
      return reply
        .code(status)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(html);
    },
    async refuseViewer(request, reply) {
      if (canAct(request.viewer)) return false;
      // Not returned: a reply is thenable, and awaiting it would wait for the response.
      await dashboard.page(
        request,
        reply,
        'message',
        { title: 'Not allowed', section: 'releases' },
        {
          heading: 'Not allowed',
          problem: {
            message: `${request.viewer?.name ?? 'You'} can look, not act: the viewer role only reads.`,
            fix: 'Ask a manager, or an admin to run `herald users add <name> --role manager`.',
          },
          back: '/releases',
        },
        403,
      );
      return true;
    },
  };
  return dashboard;
}
