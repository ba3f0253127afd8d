import type {} from 'fastify';

/**
 * Who is looking at the dashboard. The auth layer (login sessions, or a trusted proxy's identity
 * header) sets `request.viewer`; pages read it, and actions require `role === 'manager'`.
 * Anonymous requests carry `null` and only ever reach the login page and the public
 * subscription endpoints.
 */
export type DashboardRole = 'viewer' | 'manager';

export interface Viewer {
  readonly name: string;
  readonly role: DashboardRole;
}

export const DASHBOARD_ROLES: readonly DashboardRole[] = ['viewer', 'manager'];

export function canAct(viewer: Viewer | null): boolean {
  return viewer?.role === 'manager';
}

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer | null;
  }
}
