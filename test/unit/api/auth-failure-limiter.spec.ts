import fc from 'fast-check';
import { AuthFailureLimiter, clientOfAddress } from '../../../src/api/auth/auth-failure-limiter';

describe('AuthFailureLimiter', () => {
  it('allows a burst of perMinute failures, then one more per 60/perMinute seconds', () => {
    let now = 1_000_000;
    const limiter = new AuthFailureLimiter({ perMinute: 6, now: () => now });
    expect(Array.from({ length: 6 }, () => limiter.fail('a'))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(limiter.fail('a')).toBe(10);
    now += 9_999;
    expect(limiter.fail('a')).toBe(1);
    now += 1;
    expect(limiter.fail('a')).toBe(0);
    expect(limiter.fail('a')).toBe(10);
    now += 10 * 60_000;
    expect(Array.from({ length: 7 }, () => limiter.fail('a'))).toEqual([0, 0, 0, 0, 0, 0, 10]);
  });

  it('never lets more than the burst plus the refill through, whatever the timing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 300 }), (perMinute, gaps) => {
        let now = 0;
        const limiter = new AuthFailureLimiter({ perMinute, now: () => now });
        let allowed = 0;
        for (const gap of gaps) {
          now += gap;
          const wait = limiter.fail('c');
          if (wait === 0) allowed++;
          else expect(wait).toBeGreaterThanOrEqual(1);
        }
        expect(allowed).toBeLessThanOrEqual(perMinute + Math.floor((now * perMinute) / 60_000));
      }),
    );
  });

  it('keeps clients apart and forgets the least recently failing beyond maxClients', () => {
    const limiter = new AuthFailureLimiter({ perMinute: 1, now: () => 0, maxClients: 2 });
    expect(limiter.fail('a')).toBe(0);
    expect(limiter.fail('b')).toBe(0);
    expect(limiter.fail('a')).toBe(60);
    expect(limiter.fail('c')).toBe(0); // forgets b, the least recent
    expect(limiter.fail('b')).toBe(0);
  });

  it('treats an IPv4 address mapped into IPv6 as the IPv4 address, and an IPv6 address as its /64', () => {
    expect(clientOfAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientOfAddress('192.0.2.7')).toBe('192.0.2.7');
    expect(clientOfAddress('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(clientOfAddress('2001:0db8:0000:0001:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
    expect(clientOfAddress('::1')).toBe('0:0:0:0::/64');
    expect(clientOfAddress(undefined)).toBe('unknown');
  });
});
