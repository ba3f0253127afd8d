import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorePort } from '../../src/ports/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { storeDialects } from '../helpers/stores.js';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

const LONG = { idleMs: 3_600_000, absoluteMs: 86_400_000 };

describe.each(storeDialects(() => postgres))('dashboard users in the $name store', ({ fresh, open }) => {
  let store: StorePort;
  beforeAll(async () => {
    store = await open(await fresh());
  });
  afterAll(async () => {
    await store?.close();
  });

  it('keeps users, and a removal or a reset ends their sessions', async () => {
    expect(await store.addUser('ada', 'manager', 'hash-1')).toBe(true);
    expect(await store.addUser('ada', 'viewer', 'hash-2')).toBe(false);
    expect(await store.addUser('vic', 'viewer', 'hash-3')).toBe(true);
    expect((await store.listUsers()).map((u) => [u.name, u.role])).toEqual([
      ['ada', 'manager'],
      ['vic', 'viewer'],
    ]);
    await store.writeSession('s-ada', { userName: 'ada', data: { user: 'ada', _csrf: 'x' } }, LONG);
    await store.writeSession('s-vic', { userName: 'vic', data: { user: 'vic' } }, LONG);
    expect(await store.readSession('s-ada', LONG)).toEqual({
      userName: 'ada',
      data: { user: 'ada', _csrf: 'x' },
    });

    expect(await store.resetUser('ada', 'hash-4', 'viewer')).toBe(true);
    expect(await store.readSession('s-ada', LONG)).toBeNull();
    expect(await store.findUser('ada')).toMatchObject({ role: 'viewer', passwordHash: 'hash-4' });
    expect(await store.removeUser('vic')).toBe(true);
    expect(await store.readSession('s-vic', LONG)).toBeNull();
    expect(await store.removeUser('vic')).toBe(false);
    expect(await store.resetUser('vic', 'hash')).toBe(false);
  });

  it('ends sessions by the store clock: unused too long, or past their absolute lifetime', async () => {
    await store.writeSession(
      'idle',
      { userName: null, data: {} },
      { idleMs: 0, absoluteMs: LONG.absoluteMs },
    );
    expect(await store.readSession('idle', LONG)).toBeNull();
    await store.writeSession('old', { userName: null, data: {} }, LONG);
    expect(await store.readSession('old', { idleMs: LONG.idleMs, absoluteMs: 0 })).toBeNull();
    await store.writeSession('live', { userName: null, data: { _csrf: 'y' } }, LONG);
    expect(await store.readSession('live', LONG)).toEqual({ userName: null, data: { _csrf: 'y' } });
    expect(await store.pruneSessions()).toBeGreaterThanOrEqual(1);
    expect(await store.readSession('live', LONG)).not.toBeNull();
    await store.deleteSession('live');
    expect(await store.readSession('live', LONG)).toBeNull();
  });

  it('counts failed sign-ins per name in a window, cleared by a success that remembers the address', async () => {
    const window = 600_000;
    expect(await store.loginWait('ada', 2, window)).toBe(0);
    await store.recordLoginFailure('ada', window);
    expect(await store.loginWait('ada', 2, window)).toBe(0);
    await store.recordLoginFailure('ada', window);
    const wait = await store.loginWait('ada', 2, window);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(window);
    // A window of 0 has always ended: the count starts again.
    await store.recordLoginFailure('ada', 0);
    expect(await store.loginWait('ada', 2, window)).toBe(0);
    await store.recordLoginFailure('ada', window);
    await store.recordLoginSuccess('ada', '203.0.113.7');
    expect(await store.loginWait('ada', 1, window)).toBe(0);
    expect((await store.findUser('ada'))?.knownClients).toEqual(['203.0.113.7']);
  });

  it('makes a shared secret once, whoever asks first', async () => {
    const first = await store.sharedSecret('cookie', () => 'one');
    expect(first).toBe('one');
    expect(await store.sharedSecret('cookie', () => 'two')).toBe('one');
  });
});
