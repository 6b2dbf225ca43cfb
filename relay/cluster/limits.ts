// Rate limits and sign-in pauses kept in Redis, so they hold across every relay process on it:
// an address that used its budget or earned a pause on one process has it on all of them. Each
// step is one Lua script, atomic across processes, with the same rules as the in-memory
// counters (relay/rateLimit.ts). Times are the relay's clock, as in memory. Layout, P the prefix:
//
//   P limit:<name>:<key>        zset   one member per counted hit → its time; expires after the window
//   P signin:<key>:failures     zset   one member per failed sign-in → its time; expires after the window
//   P signin:<key>:pause        hash   until, pause (ms); expires a window after the pause ends

import { randomBytes } from "node:crypto";
import type { BackoffOptions, HitLimit, LimitCounters, SignInPauses } from "../rateLimit";
import { runScript, type RedisClient } from "../store/redis";

/** KEYS: the key's hits. ARGV: now, windowMs, limit, member. 1 when counted, 0 when over the limit. */
const TAKE = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * KEYS: the failures, the pause. ARGV: now, free, windowMs, firstMs, maxMs, member. The first
 * `free` failures in the window cost nothing; each after pauses twice as long as the one before
 * (while that one is recent), from firstMs up to maxMs. Returns the pause (0: none).
 */
const FAILED = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('PEXPIRE', KEYS[1], window)
if redis.call('ZCARD', KEYS[1]) <= tonumber(ARGV[2]) then return 0 end
local held = redis.call('HMGET', KEYS[2], 'until', 'pause')
local untilAt = tonumber(held[1] or '0')
local pause = tonumber(held[2] or '0')
if untilAt > now - window and pause > 0 then pause = math.min(pause * 2, tonumber(ARGV[5])) else pause = tonumber(ARGV[4]) end
redis.call('HSET', KEYS[2], 'until', now + pause, 'pause', pause)
redis.call('PEXPIRE', KEYS[2], pause + window)
return pause`;

/** Counts shared by every relay process on this Redis. */
export function redisCounters(client: RedisClient, prefix: string, now: () => number): LimitCounters {
  // Members must differ even for two hits in the same millisecond on two processes.
  const tag = randomBytes(6).toString("base64url");
  let n = 0;
  const member = (): string => `${now()}:${tag}:${++n}`;
  return {
    window(name: string, limit: number, windowMs: number): HitLimit {
      return {
        async take(key) {
          const at = now();
          return (
            (await runScript<number>(client, TAKE, [`${prefix}limit:${name}:${key}`], [at, windowMs, limit, member()])) === 1
          );
        },
      };
    },
    signIns(options: BackoffOptions): SignInPauses {
      const failures = (key: string): string => `${prefix}signin:${key}:failures`;
      const pause = (key: string): string => `${prefix}signin:${key}:pause`;
      return {
        async waitFor(key) {
          const until = await client.hGet(pause(key), "until");
          return until === null || until === undefined ? 0 : Math.max(0, Number(until) - now());
        },
        async failed(key) {
          const { free, windowMs, firstMs, maxMs } = options;
          await runScript(client, FAILED, [failures(key), pause(key)], [now(), free, windowMs, firstMs, maxMs, member()]);
        },
        async succeeded(key) {
          await client.unlink([failures(key), pause(key)]);
        },
      };
    },
  };
}
