import { DeliveryFailure } from '../errors/delivery-failure.js';
import { deliveryFailures } from '../errors/delivery-failures.js';
import type { HelpCenterPort, VerifyFinding } from '../ports/index.js';
import type { ZendeskApi } from './zendesk-api.js';

type VerifySettings = Parameters<HelpCenterPort['verify']>[0];

/**
 * `herald doctor` for Zendesk Guide: the credentials first (nothing else can be checked without
 * them), then every setting announce day needs, each a finding with its fix.
 */
export async function verifyZendesk(api: ZendeskApi, settings: VerifySettings): Promise<VerifyFinding[]> {
  const check = checker(api);
  const me = await check(
    'credentials',
    async () => {
      const user = (await api.run('GET users/me', false, () => api.core.users.me())) as {
        email?: string;
        role?: string;
      };
      return `signed in as ${user.email ?? 'unknown'} (${user.role ?? 'unknown role'})`;
    },
    'Check ZENDESK_EMAIL / ZENDESK_API_TOKEN or ZENDESK_OAUTH_TOKEN.',
  );
  if (!me.ok) return [me];
  const findings: VerifyFinding[] = [me];
  for (const id of settings.sectionIds) findings.push(await checkSection(api, check, id));
  if (settings.categoryId !== null) findings.push(await checkCategory(api, check, settings.categoryId));
  findings.push(await checkPermissionGroup(api, check, settings.permissionGroupId));
  if (settings.userSegmentId !== null)
    findings.push(await checkUserSegment(api, check, settings.userSegmentId));
  findings.push(await checkLocales(api, check, settings.locales));
  findings.push(
    await check(
      'article labels',
      async () =>
        (await api.labelsWork())
          ? 'available: an article whose create was lost is found again by its label'
          : 'not on this Guide plan: an article whose create was lost is found again by section, exact title and creation time (keep titles unique within a section)',
      'Run `herald doctor` again; labels are only a convenience for finding lost creates.',
    ),
  );
  return findings;
}

/** One finding: what the probe found, or why it failed and how to fix it. */
type Check = (name: string, probe: () => Promise<string>, fix: string) => Promise<VerifyFinding>;

function checker(api: ZendeskApi): Check {
  return async (name, probe, fix) => {
    try {
      return { ok: true, check: name, detail: await probe() };
    } catch (error) {
      const f = error instanceof DeliveryFailure ? error : api.failure(error, name, false);
      return { ok: false, check: name, detail: f.message, fix: f.fix ?? fix };
    }
  };
}

function checkSection(api: ZendeskApi, check: Check, id: string): Promise<VerifyFinding> {
  return check(
    `section ${id}`,
    async () => {
      const section = (await api.run(`GET section ${id}`, false, () => api.hc.sections.show(Number(id)))) as {
        name?: string;
      };
      return `"${section.name ?? id}"`;
    },
    'Use an existing section id (Guide admin › Arrange content).',
  );
}

function checkCategory(api: ZendeskApi, check: Check, categoryId: number): Promise<VerifyFinding> {
  return check(
    `category ${categoryId}`,
    async () => {
      const category = (await api.run(`GET category ${categoryId}`, false, () =>
        api.hc.categories.show(categoryId),
      )) as { name?: string };
      return `"${category.name ?? categoryId}"`;
    },
    'Use an existing category id for herald.helpCenter.categoryId.',
  );
}

async function checkPermissionGroup(
  api: ZendeskApi,
  check: Check,
  permissionGroupId: number | null,
): Promise<VerifyFinding> {
  if (permissionGroupId === null)
    return {
      ok: false,
      check: 'permission group',
      detail: 'not set: Zendesk requires one to create articles',
      fix: 'Set herald.helpCenter.permissionGroupId (Guide admin › Settings › Permissions).',
    };
  return check(
    `permission group ${permissionGroupId}`,
    async () => {
      const groups = (await api.run('GET permission groups', false, () =>
        api.core.permissiongroups.list(),
      )) as {
        id: number;
        name: string;
      }[];
      const group = groups.find((g) => g.id === permissionGroupId);
      if (!group)
        throw deliveryFailures.settingMissing(
          'no such permission group',
          `Known: ${groups.map((g) => `${g.id} (${g.name})`).join(', ')}.`,
        );
      return `"${group.name}"`;
    },
    'Set herald.helpCenter.permissionGroupId to an existing permission group.',
  );
}

function checkUserSegment(api: ZendeskApi, check: Check, segment: number): Promise<VerifyFinding> {
  return check(
    `user segment ${segment}`,
    async () => {
      const body = (await api.run(`GET user segment ${segment}`, false, () =>
        api.hc.usersegments.show(segment),
      )) as {
        user_segment?: { name?: string };
      };
      return `"${body.user_segment?.name ?? segment}"`;
    },
    'Set herald.helpCenter.userSegmentId to an existing user segment, or null for everyone.',
  );
}

function checkLocales(api: ZendeskApi, check: Check, locales: string[]): Promise<VerifyFinding> {
  return check(
    `locales ${locales.join(', ')}`,
    async () => {
      const body = (await api.run('GET locales', false, () => api.hc.articles.get(['locales']))) as {
        locales?: string[];
      };
      const enabled = (body.locales ?? []).map((l) => l.toLowerCase());
      const missing = locales.filter((l) => !enabled.includes(l.toLowerCase()));
      if (missing.length > 0)
        throw deliveryFailures.settingMissing(
          `not enabled in Guide: ${missing.join(', ')}`,
          `Enabled: ${enabled.join(', ')}. Set herald.helpCenter.locale or enable the locale in Guide.`,
        );
      return 'enabled';
    },
    'Enable the locale in Guide settings.',
  );
}
