import { describe, expect, it } from 'vitest';
import { createClientAddress } from '../../src/server/client-address.js';
import { createRateLimiter } from '../../src/server/rate-limit.js';

describe('createRateLimiter', () => {
  it('allows `count` per period, then says how long until the next one', () => {
    const limiter = createRateLimiter({ count: 3, perMs: 3_000 });
    expect([0, 0, 0].map(() => limiter.take('a', 1_000))).toEqual([0, 0, 0]);
    expect(limiter.take('a', 1_000)).toBe(1_000);
    expect(limiter.take('b', 1_000)).toBe(0);
    // One refills per second.
    expect(limiter.take('a', 2_000)).toBe(0);
    expect(limiter.take('a', 2_000)).toBe(1_000);
  });

  it('stays bounded under a flood of new keys, forgetting quiet ones first', () => {
    const limiter = createRateLimiter({ count: 1, perMs: 60_000 }, 100);
    expect(limiter.take('busy', 0)).toBe(0);
    for (let i = 0; i < 10_000; i++) limiter.take(`k${i}`, 0);
    // The busy key may be forgotten (the map holds 100), but a flood never grows memory.
    expect(limiter.take('k9999', 0)).toBeGreaterThan(0);
  });
});

describe('createClientAddress', () => {
  const clientOf = createClientAddress(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);

  it('is the socket peer unless that peer is a trusted proxy', () => {
    expect(clientOf('203.0.113.5', '198.51.100.1')).toBe('203.0.113.5');
    expect(clientOf('::ffff:203.0.113.5', undefined)).toBe('203.0.113.5');
    expect(createClientAddress([])('127.0.0.1', '198.51.100.1')).toBe('127.0.0.1');
  });

  it('reads X-Forwarded-For from the right through trusted hops only', () => {
    expect(clientOf('127.0.0.1', '198.51.100.1')).toBe('198.51.100.1');
    expect(clientOf('127.0.0.1', '198.51.100.1, 10.1.2.3')).toBe('198.51.100.1');
    // Whatever the client wrote to the left of its own hop is ignored.
    expect(clientOf('127.0.0.1', '192.0.2.99, 198.51.100.1, 10.1.2.3')).toBe('198.51.100.1');
    expect(clientOf('127.0.0.1', ['192.0.2.99', '198.51.100.1'])).toBe('198.51.100.1');
    // Garbage from a trusted proxy: the proxy itself is the client.
    expect(clientOf('127.0.0.1', 'not-an-address, 10.1.2.3')).toBe('10.1.2.3');
    expect(clientOf('127.0.0.1', '')).toBe('127.0.0.1');
  });

  it('counts IPv6 clients per /64', () => {
    expect(clientOf('2001:db8:1:2:aaaa::1', undefined)).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:db8:1:2:bbbb:cccc:dddd:eeee', undefined)).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:db8::1', undefined)).toBe('2001:db8:0:0::/64');
    expect(clientOf('fd00::1', '2001:db8:5:6::7')).toBe('2001:db8:5:6::/64');
  });
});
