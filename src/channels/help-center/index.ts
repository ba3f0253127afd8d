import { helpCenterKeys } from '../../core/delivery-ops/index.js';
import { HELP_CENTER_TARGET, planHelpCenter } from '../../core/help-center-plan.js';
import { deliveryFailures } from '../../errors/delivery-failures.js';
import type { DeliveryRow } from '../../model/index.js';
import type { Channel, HelpCenterPort } from '../../ports/index.js';
import { type HelpCenterSettings, type HelpCenterStore, helpCenterContext } from './context.js';
import { deliverOp, reconcileOp } from './operations.js';

export type { HelpCenterSettings } from './context.js';

const opOf = (row: DeliveryRow) => {
  const op = helpCenterKeys.parse(row.key);
  if (!op) throw deliveryFailures.unknownDelivery('help-centre', row.key);
  return op;
};

/**
 * The help-centre channel: release notes as one article per bundle, and the product docs kept in
 * sync (create, update, archive; nothing for unchanged pages), on any `HelpCenterPort`.
 */
export function createHelpCenterChannel(
  port: HelpCenterPort,
  store: HelpCenterStore,
  settings: HelpCenterSettings,
): Channel {
  const ctx = helpCenterContext(port, store, settings);
  return {
    target: HELP_CENTER_TARGET,
    description: port.description,
    site: port.site,
    concurrency: settings.concurrency,

    async plan({ record, bundle, syncDocs }) {
      return planHelpCenter(
        {
          docs: bundle.docs,
          notesHash: ctx.notesHash(bundle),
          objects: await ctx.objectsOf(bundle, true),
          locale: settings.locale,
          sections: settings.sections,
          releaseNotesSection: settings.releaseNotesSection,
          syncDocs,
          revision: record.revision,
        },
        bundle.version,
      );
    },

    deliver: async (row, { bundle }) => deliverOp(ctx, opOf(row), bundle),

    async reconcile(row, { bundle }) {
      const op = helpCenterKeys.parse(row.key);
      return op ? reconcileOp(ctx, op, row, bundle) : null;
    },

    verify: () =>
      port.verify({
        locales: [settings.locale],
        sectionIds: [
          ...Object.values(settings.sections),
          ...(settings.releaseNotesSection === null ? [] : [settings.releaseNotesSection]),
        ],
        permissionGroupId: settings.permissionGroupId,
        userSegmentId: settings.userSegmentId,
        categoryId: settings.categoryId,
      }),

    close: () => port.close?.() ?? Promise.resolve(),
  };
}
