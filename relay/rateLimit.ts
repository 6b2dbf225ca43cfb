// Rate limits and sign-in pauses. Limits on what a client may ask for (registrations, pairing
// attempts, notifications, commands over HTTP) and the pause after failed sign-ins count per
// address or host across every relay process: with `--redis` their counts live in Redis
// (relay/cluster/limits.ts), so a client cannot multiply its budget by reaching another process
// behind the same address; a relay alone keeps them in memory. Per-device event budgets stay per
// process: they protect the process's CPU, a device's socket is on one process, and a host's
// thousands of events a second would each cost a round trip to Redis. So do the operator's
// endpoints (/healthz, /metrics): a load balancer checks each process on its own.

import type { DeviceKind } from "#protocol";

/** At most `limit` hits per window for each key. */
export interface HitLimit {
  /** Counts a hit for `key`; false when the key is over its limit (the hit is not counted). */
  take(key: string): Promise<boolean>;
}

/** The pause after failed sign-ins, per address (see AuthBackoff). */
export interface SignInPauses {
  /** Milliseconds until `key` may try again; 0 when it may now. */
  waitFor(key: string): Promise<number>;
  failed(key: string): Promise<void>;
  succeeded(key: string): Promise<void>;
}

export interface BackoffOptions {
  free: number;
  windowMs: number;
  firstMs: number;
  maxMs: number;
}

/** Where limits keep their counts: this process's memory, or Redis shared by every process. */
export interface LimitCounters {
  /** A sliding window; `name` keeps apart limits that count the same keys (an address). */
  window(name: string, limit: number, windowMs: number): HitLimit;
  signIns(options: BackoffOptions): SignInPauses;
}

/** Counts in this process: a relay that runs alone (SQLite). */
export function memoryCounters(now: () => number = Date.now): LimitCounters {
  return {
    window(_name, limit, windowMs) {
      const limiter = new RateLimiter(limit, windowMs, now);
      return { take: (key) => Promise.resolve(limiter.take(key)) };
    },
    signIns(options) {
      const backoff = new AuthBackoff(options, now);
      return {
        waitFor: (key) => Promise.resolve(backoff.waitFor(key)),
        failed: (key) => Promise.resolve(backoff.failed(key)),
        succeeded: (key) => Promise.resolve(backoff.succeeded(key)),
      };
    },
  };
}

/** A sliding-window counter per key, in this process. */

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a hit for `key`; false when the key is over its limit (the hit is not counted). */
  take(key: string): boolean {
    const now = this.now();
    const since = now - this.windowMs;
    const recent = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.prune(since);
    return true;
  }

  private prune(since: number): void {
    for (const [key, times] of this.hits) {
      if (times.every((t) => t <= since)) this.hits.delete(key);
    }
  }
}

/**
 * A token bucket per key: `rate` hits a second on average, up to `burst` at once. Constant time
 * and one small entry per key, for limits that are high (a host publishing thousands of events
 * a second) where a list of timestamps would not do.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`; false when its bucket is empty (nothing is taken). */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (!bucket) {
      // With many devices at once most buckets are in use: a scan a minute, not one per new key.
      if (this.buckets.size >= 10_000 && now >= this.nextPrune) this.prune(now);
      this.buckets.set(key, { tokens: this.burst - 1, at: now });
      return true;
    }
    // A clock that stepped back (NTP) refills nothing rather than draining the bucket.
    bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) * this.rate) / 1000);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Full buckets carry no state worth keeping. */
  private nextPrune = 0;

  private prune(now: number): void {
    this.nextPrune = now + 60_000;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.rate) / 1000 >= this.burst) this.buckets.delete(key);
    }
  }
}

/**
 * Failed authentications per key (an IP address). The first `free` failures within `windowMs`
 * cost nothing; each one after that refuses the key for a pause that doubles, from `firstMs` up
 * to `maxMs`. A success ends the pause and forgets the failures.
 */
export class AuthBackoff {
  private readonly keys = new Map<string, { failures: number[]; until: number; pause: number }>();

  constructor(
    private readonly options: BackoffOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  waitFor(key: string): number {
    const entry = this.keys.get(key);
    return entry ? Math.max(0, entry.until - this.now()) : 0;
  }

  failed(key: string): void {
    const now = this.now();
    const { free, windowMs, firstMs, maxMs } = this.options;
    let entry = this.keys.get(key);
    if (!entry) {
      if (this.keys.size >= 10_000 && now >= this.nextPrune) this.prune(now);
      this.keys.set(key, (entry = { failures: [], until: 0, pause: 0 }));
    }
    entry.failures = entry.failures.filter((t) => t > now - windowMs);
    entry.failures.push(now);
    if (entry.failures.length <= free) return;
    entry.pause = entry.until > now - windowMs && entry.pause > 0 ? Math.min(entry.pause * 2, maxMs) : firstMs;
    entry.until = now + entry.pause;
  }

  succeeded(key: string): void {
    this.keys.delete(key);
  }

  private nextPrune = 0;

  private prune(now: number): void {
    this.nextPrune = now + 60_000;
    for (const [key, e] of this.keys) {
      if (e.until <= now && e.failures.every((t) => t <= now - this.options.windowMs)) this.keys.delete(key);
    }
  }
}

/** Events a second each authenticated device may send, by kind; bursts of ten seconds' worth. */
export interface EventRates {
  phone: number;
  host: number;
}

export const DEFAULT_EVENT_RATES: EventRates = { phone: 50, host: 5_000 };

/** Per-device event budgets, so one device (buggy or hostile) cannot take a relay's CPU. */
export class DeviceBudget {
  private readonly byKind: Record<DeviceKind, TokenBuckets>;

  constructor(rates: EventRates, now: () => number = Date.now) {
    this.byKind = {
      phone: new TokenBuckets(rates.phone, rates.phone * 10, now),
      host: new TokenBuckets(rates.host, rates.host * 10, now),
    };
  }

  take(device: { id: string; kind: DeviceKind }): boolean {
    return this.byKind[device.kind].take(device.id);
  }
}

/** Sign-ins with unknown or revoked tokens, per address: ten a minute free, then 1 s doubling to 5 min. */
export const SIGN_IN_BACKOFF: BackoffOptions = { free: 10, windowMs: 60_000, firstMs: 1_000, maxMs: 5 * 60_000 };
