import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/adapters/store/postgres-store.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite-store.js';
import {
  decideCancel,
  decideEdit,
  decideHold,
  decideSchedule,
  type Schedule,
} from '../../src/core/bundle-lifecycle.js';
import type { BundleStatus } from '../../src/model/index.js';
import type { StorePort } from '../../src/ports/index.js';
import { hashBundle } from '../../src/stages/prepare.js';
import { keyOf, makeBundle, prepare } from '../helpers/bundles.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * Random sequences of prepare / schedule / hold / cancel / edit against a tiny model of what
 * each bundle's status is and whether it is due. After every step the store's due list must be
 * the model's, and nothing may be due before its announce time by the store's clock.
 */
type When = 'now' | 'future' | 'past';
interface ModelBundle {
  status: BundleStatus;
  due: boolean;
  variant: number;
  revisions: number;
}
type Model = Map<string, ModelBundle>;
interface Real {
  store: StorePort;
}

const versions = ['1.0.0', '1.1.0', '2.0.0'];
const HOUR = 3_600_000;

async function scheduleOf(store: StorePort, when: When): Promise<Schedule> {
  if (when === 'now') return { at: 'now', zone: 'Europe/Berlin' };
  const now = await store.now();
  return { at: when === 'future' ? now + HOUR : now - HOUR, zone: 'Europe/Berlin' };
}

async function refused(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Every command checks the invariants after it ran. */
abstract class Checked implements fc.AsyncCommand<Model, Real> {
  abstract apply(model: Model, real: Real): Promise<void>;
  check(_model: Readonly<Model>): boolean {
    return true;
  }
  async run(model: Model, real: Real) {
    await this.apply(model, real);
    await checkInvariants(model, real.store);
  }
}

class Prepare extends Checked {
  constructor(
    readonly version: string,
    readonly variant: number,
    readonly when: When | null,
  ) {
    super();
  }
  async apply(model: Model, real: Real) {
    const schedule = this.when === null ? null : await scheduleOf(real.store, this.when);
    const outcome = await refused(
      prepare(real.store, this.version, { text: `variant ${this.variant}`, schedule }),
    );
    const current = model.get(this.version);
    if (this.when === 'past' && (!current || !['announcing', 'announced'].includes(current.status))) {
      expect(outcome).toBe('EPAST');
      return;
    }
    expect(outcome).toBeNull();
    if (!current) {
      model.set(this.version, {
        status: this.when ? 'scheduled' : 'draft',
        due: this.when === 'now',
        variant: this.variant,
        revisions: 1,
      });
      return;
    }
    if (current.variant !== this.variant) {
      current.variant = this.variant;
      current.revisions++;
    }
    if (this.when !== null) {
      current.status = 'scheduled';
      current.due = this.when === 'now';
    }
  }
  override toString = () => `prepare(${this.version}, v${this.variant}, ${this.when})`;
}

class ScheduleCommand extends Checked {
  constructor(
    readonly version: string,
    readonly when: When,
  ) {
    super();
  }
  async apply(model: Model, real: Real) {
    const schedule = await scheduleOf(real.store, this.when);
    const outcome = await refused(
      real.store.mutateBundle(keyOf(this.version), 'p', (c, now) =>
        decideSchedule(c, now, schedule, this.version),
      ),
    );
    const current = model.get(this.version);
    if (!current) {
      expect(outcome).toBe('EUNKNOWNVERSION');
      return;
    }
    if (this.when === 'past') {
      expect(outcome).toBe('EPAST');
      return;
    }
    expect(outcome).toBeNull();
    current.status = 'scheduled';
    current.due = this.when === 'now';
  }
  override toString = () => `schedule(${this.version}, ${this.when})`;
}

class HoldOrCancel extends Checked {
  constructor(
    readonly version: string,
    readonly action: 'hold' | 'cancel',
  ) {
    super();
  }
  async apply(model: Model, real: Real) {
    const outcome = await refused(
      real.store.mutateBundle(keyOf(this.version), 'p', (c) =>
        this.action === 'hold' ? decideHold(c, this.version) : decideCancel(c, this.version),
      ),
    );
    const current = model.get(this.version);
    if (!current) {
      expect(outcome).toBe('EUNKNOWNVERSION');
      return;
    }
    if (this.action === 'hold') {
      if (current.status === 'cancelled') {
        expect(outcome).toBe('ESTATUS');
        return;
      }
      expect(outcome).toBeNull();
      if (current.status === 'scheduled') current.status = 'held';
    } else {
      expect(outcome).toBeNull();
      current.status = 'cancelled';
    }
    current.due = false;
  }
  override toString = () => `${this.action}(${this.version})`;
}

class Edit extends Checked {
  constructor(
    readonly version: string,
    readonly variant: number,
  ) {
    super();
  }
  override check(model: Readonly<Model>) {
    return model.has(this.version);
  }
  async apply(model: Model, real: Real) {
    const record = (await real.store.findBundle(keyOf(this.version)))!;
    const bundle = makeBundle(this.version, `variant ${this.variant}`);
    const overlay = { customer: { intro: `edit ${this.variant}`, entries: {}, order: {} } };
    await real.store.mutateBundle(record.key, 'p', (c) =>
      decideEdit(c, {
        baseRevision: record.contentRevision,
        bundle,
        contentHash: hashBundle(bundle),
        overlay,
        force: false,
      }),
    );
    const current = model.get(this.version)!;
    if (current.variant !== this.variant) {
      current.variant = this.variant;
      current.revisions++;
    }
  }
  override toString = () => `edit(${this.version}, v${this.variant})`;
}

async function checkInvariants(model: Model, store: StorePort) {
  const due = await store.dueBundles();
  const now = await store.now();
  for (const bundle of due) expect(bundle.announceAt!).toBeLessThanOrEqual(now);
  const expected = [...model].filter(([, b]) => b.status === 'scheduled' && b.due).map(([v]) => v);
  expect(due.map((b) => b.key.version).sort()).toEqual(expected.sort());
  for (const [version, b] of model) {
    const record = (await store.findBundle(keyOf(version)))!;
    expect(record.status).toBe(b.status);
    expect(record.contentRevision).toBe(b.revisions);
  }
}

const version = fc.constantFrom(...versions);
const when = fc.constantFrom<When>('now', 'future', 'past');
const commands = fc.commands(
  [
    fc
      .tuple(version, fc.integer({ min: 0, max: 2 }), fc.option(when))
      .map(([v, n, w]) => new Prepare(v, n, w)),
    fc.tuple(version, when).map(([v, w]) => new ScheduleCommand(v, w)),
    fc
      .tuple(version, fc.constantFrom<'hold' | 'cancel'>('hold', 'cancel'))
      .map(([v, a]) => new HoldOrCancel(v, a)),
    fc.tuple(version, fc.integer({ min: 0, max: 2 })).map(([v, n]) => new Edit(v, n)),
  ],
  { maxCommands: 25 },
);

async function runModel(open: () => Promise<StorePort>, numRuns: number) {
  await fc.assert(
    fc.asyncProperty(commands, async (cmds) => {
      const store = await open();
      try {
        await fc.asyncModelRun(() => ({ model: new Map(), real: { store } }), cmds);
      } finally {
        await store.close();
      }
    }),
    { numRuns },
  );
}

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

describe('the store against a model of the release-manager commands', () => {
  it(
    'SQLite',
    () => runModel(() => openSqliteStore(':memory:'), Number(process.env.HERALD_MODEL_RUNS ?? 60)),
    300_000,
  );
  it('PostgreSQL', async () => {
    await runModel(
      async () => openPostgresStore(await postgres.freshDatabase()),
      Math.ceil(Number(process.env.HERALD_MODEL_RUNS ?? 60) / 4),
    );
  }, 300_000);
});
