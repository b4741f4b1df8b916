// Failed authentications are rate-limited per client address: a token bucket per
// address, holding API_AUTH_FAILURES_PER_MINUTE tokens and refilling at that rate. A
// request with a missing or wrong key spends a token; with none left it is answered
// 429 (Retry-After) instead of 401. Requests with a valid key never spend or wait for
// a token, so a legitimate client behind the same address is not locked out by a
// noisy neighbour, and the limiter holds no state for them.
//
// In memory, per replica: keys are 256-bit random values, so the limit is about load
// and log noise, not about making guessing harder, and a shared store would put a
// dependency in front of every failed request. Behind a reverse proxy every client has
// the proxy's address: the limit then applies to all of them together.
import { isIPv6 } from 'node:net';

export interface AuthFailureLimiterOptions {
  /** Failures allowed per minute per client, and the burst allowed at once. */
  perMinute: number;
  /** @default Date.now */
  now?: () => number;
  /** Clients tracked at most; beyond, the least recently failing are forgotten. @default 10000 */
  maxClients?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class AuthFailureLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly now: () => number;
  private readonly maxClients: number;

  constructor(private readonly options: AuthFailureLimiterOptions) {
    this.perMs = options.perMinute / 60_000;
    this.now = options.now ?? Date.now;
    this.maxClients = options.maxClients ?? 10_000;
  }

  /**
   * Records a failed authentication of `client`: 0 when it is within its limit (answer
   * 401), else the seconds until it has a token again (answer 429 with Retry-After).
   */
  fail(client: string): number {
    const now = this.now();
    const bucket = this.refilled(client, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.remember(client, bucket);
      return 0;
    }
    this.remember(client, bucket);
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  private refilled(client: string, now: number): Bucket {
    const capacity = this.options.perMinute;
    const bucket = this.buckets.get(client);
    if (!bucket) return { tokens: capacity, at: now };
    return { tokens: Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs), at: now };
  }

  private remember(client: string, bucket: Bucket): void {
    // Deleted first so the Map's insertion order is the order of the last failures.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    while (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
  }
}

/**
 * The client a remote address stands for: an IPv4 address (also when mapped into IPv6),
 * or the /64 network of an IPv6 address, since one host commonly holds a whole /64.
 */
export function clientOfAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head, tail = ''] = address.split('%')[0].split('::');
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const fill = Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...(address.includes('::') ? fill : []), ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}
