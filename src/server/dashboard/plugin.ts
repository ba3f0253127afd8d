import type { FastifyPluginAsync } from 'fastify';
import { registerAssets } from './assets.js';
import { createDashboard, type DashboardOptions } from './context.js';
import { registerReleaseActions } from './release-actions.js';
import { registerReleasePages } from './release-pages.js';
import { registerStatus } from './status.js';
import { registerSubscribers } from './subscribers.js';

export type { DashboardOptions } from './context.js';

/**
 * The release manager's dashboard: releases, calendar, one release with previews and actions,
 * live delivery status, subscribers. Every page needs a viewer (the login layer sets
 * `request.viewer`); every POST needs a CSRF token and the manager role, and is audited under
 * the viewer's name. The stylesheet and scripts are public files.
 */
export const dashboardPlugin: FastifyPluginAsync<DashboardOptions> = async (fastify, options) => {
  registerAssets(fastify);
  const dashboard = createDashboard(options);
  await fastify.register(async (pages) => {
    pages.addHook('onRequest', async (request, reply) => {
      if (!request.viewer) return reply.redirect('/login', 303);
    });
    registerReleasePages(pages, dashboard);
    registerReleaseActions(pages, dashboard);
    registerStatus(pages, dashboard);
    registerSubscribers(pages, dashboard);
  });
};
