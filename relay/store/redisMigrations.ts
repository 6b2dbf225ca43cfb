// The Redis store's layout changes, run once when a relay starts on Redis. The layout's version
// is `layout` in `P meta`; each step brings data written by an older relay up to date.
//
// Layout 2 (retention): events stored before retention existed have no entry in their host's
// `P host:<id>:ages`, count nothing in `P host:<id>:bytes`, and their host may be missing from
// `P hosts-with-events`; the sweep, which reads only those, would never delete them. The step
// walks every host's threads (`P host:<id>:threads`) and indexes their events in batches. Each
// batch is one script and an event is indexed only if it has no entry yet (ZADD NX), with its
// bytes counted only then: a step cut short is taken up again at the next start, and two relay
// processes starting at once index each event once. The version is written last.

import type { Logger } from "../log";
import { runScript, type RedisClient } from "./redis";

export const LAYOUT = 2;
const BATCH = 1_000;

/**
 * KEYS: the thread's events, the host's events by age, its sealed bytes, the hosts with events.
 * ARGV: threadId, hostId, the lowest seq to read (a ZRANGE bound), batch. Returns
 * { indexed, last seq read, rows read }.
 */
const INDEX_EVENTS = `
local rows = redis.call('ZRANGE', KEYS[1], ARGV[3], '+inf', 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[4]))
local indexed = 0
local bytes = 0
local last = ''
for _, json in ipairs(rows) do
  local e = cjson.decode(json)
  local size = string.len(e.iv) + string.len(e.ct)
  last = string.format('%d', e.seq)
  if redis.call('ZADD', KEYS[2], 'NX', tonumber(e.at) or 0, last .. ':' .. size .. ':' .. ARGV[1]) == 1 then
    indexed = indexed + 1
    bytes = bytes + size
  end
end
if bytes > 0 then redis.call('INCRBY', KEYS[3], bytes) end
if #rows > 0 then redis.call('SADD', KEYS[4], ARGV[2]) end
return {indexed, last, #rows}`;

/** A prefix as a SCAN pattern that matches only itself. */
function literal(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** Indexes every event of the host's thread for retention; resolves with how many were not. */
async function indexThread(client: RedisClient, p: string, hostId: string, threadId: string): Promise<number> {
  const keys = [
    `${p}events:${hostId}:${threadId}`,
    `${p}host:${hostId}:ages`,
    `${p}host:${hostId}:bytes`,
    `${p}hosts-with-events`,
  ];
  let from = "-inf";
  let indexed = 0;
  for (;;) {
    const [n, last, read] = await runScript<[number, string, number]>(client, INDEX_EVENTS, keys, [
      threadId,
      hostId,
      from,
      BATCH,
    ]);
    indexed += n;
    if (read < BATCH) return indexed;
    from = `(${last}`;
  }
}

/** Brings the store at `prefix` to the current layout; resolves with the events indexed. */
export async function migrateRedis(client: RedisClient, prefix: string, log: Logger): Promise<number> {
  const meta = `${prefix}meta`;
  if (Number((await client.hGet(meta, "layout")) ?? 1) >= LAYOUT) return 0;
  const started = Date.now();
  let indexed = 0;
  let hosts = 0;
  const pattern = `${literal(prefix)}host:*:threads`;
  for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: 1_000 })) {
    for (const key of batch) {
      const hostId = key.slice(prefix.length + "host:".length, -":threads".length);
      hosts++;
      for (const threadId of await client.zRange(key, 0, -1)) indexed += await indexThread(client, prefix, hostId, threadId);
    }
  }
  // Never back: a newer relay that started meanwhile may have moved it on.
  await client.eval(
    `if tonumber(redis.call('HGET', KEYS[1], 'layout') or '1') < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'layout', ARGV[1]) end`,
    {
      keys: [meta],
      arguments: [String(LAYOUT)],
    },
  );
  if (indexed > 0) {
    log.info("indexed events stored before retention, so the sweep deletes them in time", {
      events: indexed,
      hosts,
      ms: Date.now() - started,
    });
  }
  return indexed;
}
