// Shares on Redis: `P share:<verifier>` (a hash: host, share and thread ids, created at) and
// `P host:<id>:shares` (share id → verifier). A new key beside the others, so no layout step:
// a relay before shares never reads them. Each change is one script, atomic across processes.

import type { StoredEvent } from "#protocol";
import { runScript, type RedisClient } from "./redis";
import type { EventsPage, ShareRow } from "./store";

export interface ShareKeys {
  share: (verifier: string) => string;
  sharesOf: (hostId: string) => string;
  records: (hostId: string) => string;
  events: (hostId: string, threadId: string) => string;
}

/** KEYS: the host's shares, the share by verifier. ARGV: share id, verifier, host, thread, at. */
const INSERT_SHARE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 'conflict' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], 'hostId', ARGV[3], 'shareId', ARGV[1], 'threadId', ARGV[4], 'createdAt', ARGV[5])
return 'stored'`;

/** KEYS: the host's shares, its records. ARGV: share id, record key, the share key prefix. */
const DELETE_SHARE = `
local verifier = redis.call('HGET', KEYS[1], ARGV[1])
if not verifier then return false end
local key = ARGV[3] .. verifier
local row = redis.call('HGETALL', key)
redis.call('DEL', key)
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[2])
table.insert(row, 'verifier'); table.insert(row, verifier)
return row`;

function toShare(flat: string[], verifier?: string): ShareRow | undefined {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  if (!h.hostId || !h.shareId || !h.threadId) return undefined;
  return {
    hostId: h.hostId,
    shareId: h.shareId,
    threadId: h.threadId,
    verifier: verifier ?? h.verifier!,
    createdAt: Number(h.createdAt),
  };
}

export class RedisShares {
  constructor(
    private readonly client: () => RedisClient,
    private readonly k: ShareKeys,
    private readonly sharePrefix: string,
  ) {}

  async insert(s: ShareRow): Promise<"stored" | "conflict"> {
    return runScript(
      this.client(),
      INSERT_SHARE,
      [this.k.sharesOf(s.hostId), this.k.share(s.verifier)],
      [s.shareId, s.verifier, s.hostId, s.threadId, s.createdAt],
    );
  }

  async byVerifier(verifier: string): Promise<ShareRow | undefined> {
    const h = await this.client().hGetAll(this.k.share(verifier));
    return toShare(Object.entries(h).flat(), verifier);
  }

  async delete(hostId: string, shareId: string, recordKey: string): Promise<ShareRow | undefined> {
    const flat = await runScript<string[] | null>(
      this.client(),
      DELETE_SHARE,
      [this.k.sharesOf(hostId), this.k.records(hostId)],
      [shareId, recordKey, this.sharePrefix],
    );
    return flat ? toShare(flat) : undefined;
  }

  async threadEventsAfter(hostId: string, threadId: string, after: number, limit: number): Promise<EventsPage> {
    const rows = await this.client().zRange(this.k.events(hostId, threadId), `(${after}`, "+inf", {
      BY: "SCORE",
      LIMIT: { offset: 0, count: limit + 1 },
    });
    const events: StoredEvent[] = rows.slice(0, limit).map((json) => {
      const s = JSON.parse(json) as { seq: number; e: number; iv: string; ct: string; at: number };
      return { hostId, threadId, seq: s.seq, box: { e: s.e, iv: s.iv, ct: s.ct }, at: s.at };
    });
    return { events, more: rows.length > limit };
  }
}
