// The scale-out store: the same contract as SQLite, on a Redis that several relay processes
// share. Every key starts with a prefix (`tether:` by default). Multi-step operations are Lua
// scripts (redisScripts.ts), so each is atomic across processes as a SQLite transaction is in
// one. Layout, with P the prefix:
//
//   P device:<id>               hash   id, kind, tokenHash, createdAt, lastSeen, revokedAt
//   P token:<sha256>            string device id
//   P phone:<id>:hosts          zset   hostId  → linked at
//   P host:<id>:phones          zset   phoneId → linked at
//   P slot:<id>                 hash   a pairing slot; expires a day after the slot does
//   P host:<id>:slots           zset   slotId → created at (a day of them, for the rate limit)
//   P host:<id>:threads         zset   threadIds, all score 0, so in id order
//   P events:<host>:<thread>    zset   event JSON (seq, e, iv, ct, at) → seq
//   P pages:<host>:<thread>     zset   history page JSON (from, to, e, iv, ct, at) → from
//   P host:<id>:ages            zset   "<seq>:<size>:<thread>" → at (retention, oldest first)
//   P host:<id>:bytes           string sealed bytes of the host's events (its quota)
//   P host:<id>:trims           hash   threadId → first seq kept after a trim
//   P hosts-with-events         set    hostIds (the retention sweep's list)
//   P inbox:<host>              zset   command id → arrival number (P inbox-n, one counter)
//   P inbox:<host>:cmds         hash   command id → JSON (from, e, iv, ct, at)
//   P records:<host>            hash   record key → JSON (e, iv, ct, at)
//   P push:<phoneId>            hash   kind, target, muted (JSON), createdAt, updatedAt
//   P meta                      hash   the relay's own settings (VAPID keys), the layout version (redisMigrations.ts)

import { createHash } from "node:crypto";
import { createClient } from "redis";
import { threadRecordKey, type Box, type StoredEvent, type StoredPage, type StoredRecord } from "#protocol";
import { shareRecordKey } from "#protocol/share";
import { RedisEventGroups } from "./redisEvents";
import * as lua from "./redisScripts";
import { RedisShares } from "./redisShares";
import type {
  DeviceRow,
  EnqueueOutcome,
  EventsPage,
  InboxRow,
  LinkedPhoneRow,
  PageOutcome,
  PagesAfter,
  PushSubscriptionRow,
  PushTarget,
  RelayStore,
  ShareRow,
  SlotRow,
} from "./store";

export type RedisClient = ReturnType<typeof createClient>;

/** How long a pairing slot is kept after it expires, so a late decision still finds it. */
const SLOT_KEPT_MS = 24 * 60 * 60 * 1000;
/** A Lua `unpack` takes a few thousand values; pages are far smaller. */
const MAX_PENDING = 1000;

interface Sealed {
  e: number;
  iv: string;
  ct: string;
  at: number;
}

const num = (v: string): number => Number(v);
const nullable = (v: string | undefined): string | null => (v === undefined || v === "" ? null : v);
const nullableNum = (v: string | undefined): number | null => (v === undefined || v === "" ? null : Number(v));
const box = (s: Sealed): Box => ({ e: s.e, iv: s.iv, ct: s.ct });

/** A flat [field, value, …] list (what HGETALL gives a script) as an object. */
function pairs(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

function toDevice(h: Record<string, string>): DeviceRow | undefined {
  if (!h.id) return undefined;
  return {
    id: h.id,
    kind: h.kind as DeviceRow["kind"],
    tokenHash: h.tokenHash!,
    createdAt: num(h.createdAt!),
    lastSeen: num(h.lastSeen!),
    revokedAt: nullableNum(h.revokedAt),
  };
}

export interface RedisStoreOptions {
  /** Key prefix, `tether:` by default; tests use their own to share one server. */
  prefix?: string;
}

export class RedisStore implements RelayStore {
  private readonly p: string;
  private closed = false;
  /** Appends waiting for the end of this turn, written together (redisEvents.ts). */
  private readonly events: RedisEventGroups;

  /**
   * A store on an already connected client. `owned`: close the client with the store
   * (`RedisStore.open` does that); otherwise the caller closes it.
   */
  constructor(
    private readonly redis: RedisClient,
    options: RedisStoreOptions = {},
    private readonly owned = false,
  ) {
    this.p = options.prefix ?? "tether:";
    this.events = new RedisEventGroups(redis, this.k, runScript);
  }

  /** The connection, for any call but an append: the appends waiting go first. */
  private get client(): RedisClient {
    this.events.flush();
    return this.redis;
  }

  /** Connects to `url` and returns a store that owns its connection. */
  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const client = redisClient(url, { failFast: true });
    client.on("error", () => undefined); // reconnects by itself; a call made meanwhile fails
    await client.connect();
    return new RedisStore(client, options, true);
  }

  private run<T>(script: string, keys: string[], args: (string | number)[]): Promise<T> {
    return runScript<T>(this.client, script, keys, args);
  }

  private readonly k = {
    device: (id: string) => `${this.p}device:${id}`,
    token: (hash: string) => `${this.p}token:${hash}`,
    hostsOf: (phoneId: string) => `${this.p}phone:${phoneId}:hosts`,
    phonesOf: (hostId: string) => `${this.p}host:${hostId}:phones`,
    slot: (id: string) => `${this.p}slot:${id}`,
    slotsOf: (hostId: string) => `${this.p}host:${hostId}:slots`,
    threads: (hostId: string) => `${this.p}host:${hostId}:threads`,
    events: (hostId: string, threadId: string) => `${this.p}events:${hostId}:${threadId}`,
    pages: (hostId: string, threadId: string) => `${this.p}pages:${hostId}:${threadId}`,
    ages: (hostId: string) => `${this.p}host:${hostId}:ages`,
    bytes: (hostId: string) => `${this.p}host:${hostId}:bytes`,
    trims: (hostId: string) => `${this.p}host:${hostId}:trims`,
    hostsWithEvents: () => `${this.p}hosts-with-events`,
    inbox: (hostId: string) => `${this.p}inbox:${hostId}`,
    commands: (hostId: string) => `${this.p}inbox:${hostId}:cmds`,
    inboxCounter: () => `${this.p}inbox-n`,
    records: (hostId: string) => `${this.p}records:${hostId}`,
    push: (deviceId: string) => `${this.p}push:${deviceId}`,
    meta: () => `${this.p}meta`,
    share: (verifier: string) => `${this.p}share:${verifier}`,
    sharesOf: (hostId: string) => `${this.p}host:${hostId}:shares`,
  };

  /** Made on use: the prefix is set in the constructor, after field initializers run. */
  private get shares(): RedisShares {
    return new RedisShares(() => this.client, this.k, `${this.p}share:`);
  }

  threadEventsAfter(hostId: string, threadId: string, after: number, limit: number): Promise<EventsPage> {
    return this.shares.threadEventsAfter(hostId, threadId, after, limit);
  }

  insertShare(share: ShareRow): Promise<"stored" | "conflict"> {
    return this.shares.insert(share);
  }

  shareByVerifier(verifier: string): Promise<ShareRow | undefined> {
    return this.shares.byVerifier(verifier);
  }

  deleteShare(hostId: string, shareId: string): Promise<ShareRow | undefined> {
    return this.shares.delete(hostId, shareId, shareRecordKey(shareId));
  }

  async insertDevice(d: DeviceRow): Promise<void> {
    await this.run(
      lua.INSERT_DEVICE,
      [this.k.device(d.id), this.k.token(d.tokenHash)],
      [d.id, d.kind, d.tokenHash, d.createdAt, d.lastSeen, d.revokedAt ?? ""],
    );
  }

  async deviceByTokenHash(tokenHash: string): Promise<DeviceRow | undefined> {
    const flat = await this.run<string[] | null>(lua.DEVICE_BY_TOKEN, [this.k.token(tokenHash)], [this.p]);
    return flat ? toDevice(pairs(flat)) : undefined;
  }

  async device(id: string): Promise<DeviceRow | undefined> {
    return toDevice(await this.client.hGetAll(this.k.device(id)));
  }

  async touchDevice(id: string, at: number): Promise<void> {
    await this.run(lua.TOUCH_DEVICE, [this.k.device(id)], [at]);
  }

  async linkPhone(phoneId: string, hostId: string, at: number): Promise<void> {
    await this.run(lua.LINK, [this.k.hostsOf(phoneId), this.k.phonesOf(hostId)], [phoneId, hostId, at]);
  }

  async hostsOfPhone(phoneId: string): Promise<string[]> {
    return this.client.zRange(this.k.hostsOf(phoneId), 0, -1);
  }

  async isLinked(phoneId: string, hostId: string): Promise<boolean> {
    return (await this.client.zScore(this.k.hostsOf(phoneId), hostId)) !== null;
  }

  async unlinkPhone(phoneId: string, hostId: string, at: number): Promise<{ unlinked: boolean; revoked: boolean }> {
    const [unlinked, revoked] = await this.run<[number, number]>(
      lua.UNLINK,
      [
        this.k.hostsOf(phoneId),
        this.k.phonesOf(hostId),
        this.k.inbox(hostId),
        this.k.commands(hostId),
        this.k.device(phoneId),
        this.k.push(phoneId),
      ],
      [phoneId, hostId, at],
    );
    return { unlinked: unlinked === 1, revoked: revoked === 1 };
  }

  async phonesOfHost(hostId: string): Promise<LinkedPhoneRow[]> {
    const flat = await this.run<string[]>(lua.PHONES_OF_HOST, [this.k.phonesOf(hostId)], [this.p]);
    const rows: LinkedPhoneRow[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      rows.push({ deviceId: flat[i]!, pairedAt: num(flat[i + 1]!), lastSeen: num(flat[i + 2]!) });
    }
    return rows;
  }

  async insertSlot(s: SlotRow): Promise<void> {
    await this.run(
      lua.INSERT_SLOT,
      [this.k.slot(s.id), this.k.slotsOf(s.hostId)],
      [
        s.id,
        s.hostId,
        s.createdAt,
        s.expiresAt,
        s.joinedBy ?? "",
        s.joinedDevice ?? "",
        s.closedAt ?? "",
        Math.max(0, s.expiresAt - s.createdAt) + SLOT_KEPT_MS,
      ],
    );
  }

  async slot(id: string): Promise<SlotRow | undefined> {
    const h = await this.client.hGetAll(this.k.slot(id));
    if (!h.id) return undefined;
    return {
      id: h.id,
      hostId: h.hostId!,
      createdAt: num(h.createdAt!),
      expiresAt: num(h.expiresAt!),
      joinedBy: nullable(h.joinedBy),
      joinedDevice: nullable(h.joinedDevice),
      closedAt: nullableNum(h.closedAt),
    };
  }

  async joinSlot(id: string, socketId: string, deviceId: string | null, now: number): Promise<boolean> {
    return (await this.run<number>(lua.JOIN_SLOT, [this.k.slot(id)], [socketId, deviceId ?? "", now])) === 1;
  }

  async closeSlot(id: string, at: number): Promise<boolean> {
    return (await this.run<number>(lua.CLOSE_SLOT, [this.k.slot(id)], [at])) === 1;
  }

  async countSlotsSince(hostId: string, since: number): Promise<number> {
    return this.client.zCount(this.k.slotsOf(hostId), since, "+inf");
  }

  /**
   * Events appended in one turn are written together (redisEvents.ts); every other call first
   * sends what waits, through the `client` getter, so it runs after them in Redis.
   */
  appendEvent(e: StoredEvent): Promise<"stored" | "duplicate" | "conflict"> {
    if (this.closed) return Promise.reject(new Error("the store is closed"));
    return this.events.append(e);
  }

  async eventsAfter(hostId: string, cursors: Record<string, number>, limit: number): Promise<EventsPage> {
    const [more, flat] = await this.run<[number, string[]]>(
      lua.EVENTS_AFTER,
      [this.k.threads(hostId)],
      [this.k.events(hostId, ""), limit, JSON.stringify(cursors)],
    );
    const events: StoredEvent[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const s = JSON.parse(flat[i + 1]!) as Sealed & { seq: number };
      events.push({ hostId, threadId: flat[i]!, seq: s.seq, box: box(s), at: s.at });
    }
    return { events, more: more === 1 };
  }

  async appendPage(p: StoredPage): Promise<PageOutcome> {
    const json = JSON.stringify({ from: p.from, to: p.to, e: p.box.e, iv: p.box.iv, ct: p.box.ct, at: p.at });
    return this.run(
      lua.APPEND_PAGE,
      [this.k.pages(p.hostId, p.threadId), this.k.events(p.hostId, p.threadId)],
      [p.from, p.to, json],
    );
  }

  async pagesAfter(hostId: string, cursors: Record<string, number>, limit: number): Promise<PagesAfter> {
    const [more, flat] = await this.run<[number, string[]]>(
      lua.PAGES_AFTER,
      [this.k.threads(hostId)],
      [this.k.pages(hostId, ""), limit, JSON.stringify(cursors)],
    );
    const result: PagesAfter = { pages: [], reached: {}, events: 0, more: more === 1 };
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const threadId = flat[i]!;
      const s = JSON.parse(flat[i + 1]!) as Sealed & { from: number; to: number };
      const cursor = result.reached[threadId] ?? cursors[threadId] ?? 0;
      result.pages.push({ hostId, threadId, from: s.from, to: s.to, box: box(s), at: s.at });
      result.events += s.to - cursor;
      result.reached[threadId] = s.to;
    }
    return result;
  }

  async enqueueCommand(c: InboxRow): Promise<EnqueueOutcome> {
    const json = JSON.stringify({ from: c.from, e: c.box.e, iv: c.box.iv, ct: c.box.ct, at: c.at });
    return this.run(
      lua.ENQUEUE,
      [this.k.hostsOf(c.from), this.k.inbox(c.hostId), this.k.commands(c.hostId), this.k.inboxCounter()],
      [c.hostId, c.id, json],
    );
  }

  async pendingCommands(hostId: string, limit: number): Promise<InboxRow[]> {
    const flat = await this.run<string[]>(
      lua.PENDING,
      [this.k.inbox(hostId), this.k.commands(hostId)],
      [Math.min(limit, MAX_PENDING)],
    );
    const rows: InboxRow[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const c = JSON.parse(flat[i + 1]!) as Sealed & { from: string };
      rows.push({ hostId, id: flat[i]!, from: c.from, box: box(c), at: c.at });
    }
    return rows;
  }

  async deleteCommand(hostId: string, id: string): Promise<void> {
    await this.run(lua.DELETE_COMMAND, [this.k.inbox(hostId), this.k.commands(hostId)], [id]);
  }

  async inboxDepth(hostId: string): Promise<number> {
    return this.client.zCard(this.k.inbox(hostId));
  }

  async putRecord(r: StoredRecord): Promise<void> {
    await this.client.hSet(this.k.records(r.hostId), r.key, JSON.stringify({ e: r.box.e, iv: r.box.iv, ct: r.box.ct, at: r.at }));
  }

  async deleteThread(hostId: string, threadId: string): Promise<void> {
    await this.run(
      lua.DELETE_THREAD,
      [
        this.k.events(hostId, threadId),
        this.k.threads(hostId),
        this.k.records(hostId),
        this.k.ages(hostId),
        this.k.bytes(hostId),
        this.k.trims(hostId),
        this.k.pages(hostId, threadId),
      ],
      [threadId, threadRecordKey(threadId)],
    );
  }

  async trimEvents(
    hostId: string,
    olderThan: number,
    quotaBytes: number,
    max: number,
  ): Promise<{ deleted: number; more: boolean }> {
    const [deleted, more] = await this.run<[number, number]>(
      lua.TRIM_EVENTS,
      [this.k.ages(hostId), this.k.bytes(hostId), this.k.trims(hostId), this.k.threads(hostId)],
      [this.k.events(hostId, ""), olderThan, quotaBytes, max, this.k.pages(hostId, "")],
    );
    return { deleted, more: more === 1 };
  }

  async hostsWithEvents(): Promise<string[]> {
    return (await this.client.sMembers(this.k.hostsWithEvents())).sort();
  }

  async storedBytes(hostId: string): Promise<number> {
    return Number((await this.client.get(this.k.bytes(hostId))) ?? 0);
  }

  async trimmedThreads(hostId: string): Promise<Record<string, number>> {
    const all = await this.client.hGetAll(this.k.trims(hostId));
    return Object.fromEntries(Object.entries(all).map(([thread, seq]) => [thread, Number(seq)]));
  }

  async records(hostId: string): Promise<StoredRecord[]> {
    const all = await this.client.hGetAll(this.k.records(hostId));
    return Object.keys(all)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((key) => {
        const s = JSON.parse(all[key]!) as Sealed;
        return { hostId, key, box: box(s), at: s.at };
      });
  }

  async putPushSubscription(deviceId: string, target: PushTarget, muted: string[], at: number): Promise<void> {
    await this.run(
      lua.PUT_PUSH,
      [this.k.push(deviceId)],
      [target.kind, JSON.stringify(target), JSON.stringify([...new Set(muted)]), at],
    );
  }

  async pushSubscription(deviceId: string): Promise<PushSubscriptionRow | undefined> {
    const h = await this.client.hGetAll(this.k.push(deviceId));
    if (!h.target) return undefined;
    return this.toPush(deviceId, h.target, h.muted!, h.createdAt!, h.updatedAt!);
  }

  async deletePushSubscription(deviceId: string, target?: PushTarget): Promise<boolean> {
    // The target is kept as the JSON it was given as, so the same target compares equal.
    const deleted = target
      ? await this.run<number>(lua.DELETE_PUSH_IF, [this.k.push(deviceId)], [JSON.stringify(target)])
      : await this.client.del(this.k.push(deviceId));
    return deleted > 0;
  }

  async pushSubscriptionsOfHost(hostId: string): Promise<PushSubscriptionRow[]> {
    const flat = await this.run<string[]>(lua.PUSH_OF_HOST, [this.k.phonesOf(hostId)], [this.p]);
    const rows: PushSubscriptionRow[] = [];
    for (let i = 0; i + 4 < flat.length; i += 5) {
      const row = this.toPush(flat[i]!, flat[i + 1]!, flat[i + 2]!, flat[i + 3]!, flat[i + 4]!);
      if (!row.muted.includes(hostId)) rows.push(row);
    }
    return rows;
  }

  private toPush(deviceId: string, target: string, muted: string, createdAt: string, updatedAt: string): PushSubscriptionRow {
    // Only this store writes these fields, from payloads parsed at the boundary.
    return {
      deviceId,
      target: JSON.parse(target) as PushTarget,
      muted: JSON.parse(muted) as string[],
      createdAt: num(createdAt),
      updatedAt: num(updatedAt),
    };
  }

  async meta(key: string): Promise<string | undefined> {
    return (await this.client.hGet(this.k.meta(), key)) ?? undefined;
  }

  async initMeta(key: string, value: string): Promise<string> {
    return this.run(lua.INIT_META, [this.k.meta()], [key, value]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) await this.client.close();
  }
}

/** Script source → its SHA-1, for EVALSHA. */
const shas = new Map<string, string>();

/** Runs a script by its SHA, loading it again if the server forgot it (a restart). */
export async function runScript<T>(client: RedisClient, script: string, keys: string[], args: (string | number)[]): Promise<T> {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash("sha1").update(script).digest("hex");
    shas.set(script, sha);
  }
  const tail = [String(keys.length), ...keys, ...args.map(String)];
  try {
    return await client.sendCommand<T>(["EVALSHA", sha, ...tail]);
  } catch (err) {
    if (!String((err as Error).message).startsWith("NOSCRIPT")) throw err;
    return client.sendCommand<T>(["EVAL", script, ...tail]);
  }
}

/**
 * A client for `url` that reconnects by itself. `failFast`: while it is disconnected, calls fail
 * at once instead of waiting in a queue, so a relay answers an error rather than hang. The
 * Socket.IO adapter's clients keep the queue: the adapter does not handle a failed publish.
 */
export function redisClient(url: string, options: { failFast?: boolean } = {}): RedisClient {
  return createClient({
    url,
    disableOfflineQueue: options.failFast ?? false,
    pingInterval: 10_000,
    socket: { reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
  });
}
