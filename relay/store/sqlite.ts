// The embedded store: one SQLite file in WAL mode. Schema changes are numbered migrations
// tracked in `PRAGMA user_version`, so an older data directory upgrades in place. better-sqlite3
// is synchronous: each method does its work at once and hands back a settled Promise, so every
// multi-step method is atomic simply by running in one call (and in one transaction). Appended
// events alone wait for the end of the event loop's turn, to be committed together.

import Database from "better-sqlite3";
import { threadRecordKey, type StoredEvent, type StoredPage, type StoredRecord } from "#protocol";
import { MIGRATIONS } from "./migrations";
import { appendPage, deletePages, pagesAfter, trimPages } from "./sqlitePages";
import * as shares from "./sqliteShares";
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

interface DeviceSql {
  id: string;
  kind: "host" | "phone";
  token_hash: string;
  created_at: number;
  last_seen: number;
  revoked_at: number | null;
}

interface SealedSql {
  host_id: string;
  epoch: number;
  iv: string;
  ct: string;
  at: number;
}

interface PushSql {
  device_id: string;
  target: string;
  muted: string;
  created_at: number;
  updated_at: number;
}

// Only this store writes these columns, from payloads parsed at the boundary.
const toPushSubscription = (r: PushSql): PushSubscriptionRow => ({
  deviceId: r.device_id,
  target: JSON.parse(r.target) as PushTarget,
  muted: JSON.parse(r.muted) as string[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toDevice = (r: DeviceSql): DeviceRow => ({
  id: r.id,
  kind: r.kind,
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  lastSeen: r.last_seen,
  revokedAt: r.revoked_at,
});

/** Events committed in one transaction at most; a bigger burst is committed as it comes. */
const MAX_EVENT_GROUP = 1000;

interface PendingEvent {
  event: StoredEvent;
  resolve(outcome: "stored" | "duplicate" | "conflict"): void;
  reject(err: unknown): void;
}

export class SqliteStore implements RelayStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private pendingEvents: PendingEvent[] = [];
  private closed = false;

  /** Opens (and migrates) the database at `file`; `":memory:"` for a throwaway store. */
  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.migrate();
  }

  /** Schema version after migrations. */
  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  async insertDevice(d: DeviceRow): Promise<void> {
    this.commitEvents();
    this.sql("INSERT INTO devices (id, kind, token_hash, created_at, last_seen, revoked_at) VALUES (?, ?, ?, ?, ?, ?)").run(
      d.id,
      d.kind,
      d.tokenHash,
      d.createdAt,
      d.lastSeen,
      d.revokedAt,
    );
  }

  async deviceByTokenHash(tokenHash: string): Promise<DeviceRow | undefined> {
    this.commitEvents();
    const row = this.sql("SELECT * FROM devices WHERE token_hash = ?").get(tokenHash) as DeviceSql | undefined;
    return row && toDevice(row);
  }

  async device(id: string): Promise<DeviceRow | undefined> {
    this.commitEvents();
    const row = this.sql("SELECT * FROM devices WHERE id = ?").get(id) as DeviceSql | undefined;
    return row && toDevice(row);
  }

  async touchDevice(id: string, at: number): Promise<void> {
    this.commitEvents();
    this.sql("UPDATE devices SET last_seen = ? WHERE id = ?").run(at, id);
  }

  async linkPhone(phoneId: string, hostId: string, at: number): Promise<void> {
    this.commitEvents();
    this.sql("INSERT OR IGNORE INTO links (phone_id, host_id, created_at) VALUES (?, ?, ?)").run(phoneId, hostId, at);
  }

  async hostsOfPhone(phoneId: string): Promise<string[]> {
    this.commitEvents();
    const rows = this.sql("SELECT host_id FROM links WHERE phone_id = ? ORDER BY created_at, host_id").all(phoneId) as {
      host_id: string;
    }[];
    return rows.map((r) => r.host_id);
  }

  async isLinked(phoneId: string, hostId: string): Promise<boolean> {
    this.commitEvents();
    return this.sql("SELECT 1 FROM links WHERE phone_id = ? AND host_id = ?").get(phoneId, hostId) !== undefined;
  }

  async unlinkPhone(phoneId: string, hostId: string, at: number): Promise<{ unlinked: boolean; revoked: boolean }> {
    // One transaction: a crash never leaves a phone unlinked but its token still good.
    return this.db.transaction(() => {
      const removed = this.sql("DELETE FROM links WHERE phone_id = ? AND host_id = ?").run(phoneId, hostId);
      if (removed.changes === 0) return { unlinked: false, revoked: false };
      this.sql("DELETE FROM inbox WHERE host_id = ? AND from_id = ?").run(hostId, phoneId);
      if (this.sql("SELECT 1 FROM links WHERE phone_id = ?").get(phoneId) !== undefined) {
        return { unlinked: true, revoked: false };
      }
      this.sql("UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(at, phoneId);
      this.sql("DELETE FROM push_subscriptions WHERE device_id = ?").run(phoneId);
      return { unlinked: true, revoked: true };
    })();
  }

  async phonesOfHost(hostId: string): Promise<LinkedPhoneRow[]> {
    this.commitEvents();
    const rows = this.sql(
      `SELECT d.id AS id, l.created_at AS paired_at, d.last_seen AS last_seen FROM links l
         JOIN devices d ON d.id = l.phone_id AND d.revoked_at IS NULL
         WHERE l.host_id = ? ORDER BY l.created_at, l.phone_id`,
    ).all(hostId) as { id: string; paired_at: number; last_seen: number }[];
    return rows.map((r) => ({ deviceId: r.id, pairedAt: r.paired_at, lastSeen: r.last_seen }));
  }

  async insertSlot(s: SlotRow): Promise<void> {
    this.commitEvents();
    this.sql(
      "INSERT INTO slots (id, host_id, created_at, expires_at, joined_by, joined_device, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(s.id, s.hostId, s.createdAt, s.expiresAt, s.joinedBy, s.joinedDevice, s.closedAt);
  }

  async slot(id: string): Promise<SlotRow | undefined> {
    this.commitEvents();
    const r = this.sql("SELECT * FROM slots WHERE id = ?").get(id) as
      | {
          id: string;
          host_id: string;
          created_at: number;
          expires_at: number;
          joined_by: string | null;
          joined_device: string | null;
          closed_at: number | null;
        }
      | undefined;
    return (
      r && {
        id: r.id,
        hostId: r.host_id,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        joinedBy: r.joined_by,
        joinedDevice: r.joined_device,
        closedAt: r.closed_at,
      }
    );
  }

  async joinSlot(id: string, socketId: string, deviceId: string | null, now: number): Promise<boolean> {
    this.commitEvents();
    const result = this.sql(
      `UPDATE slots SET joined_by = ?, joined_device = ?
         WHERE id = ? AND joined_by IS NULL AND closed_at IS NULL AND expires_at > ?`,
    ).run(socketId, deviceId, id, now);
    return result.changes === 1;
  }

  async closeSlot(id: string, at: number): Promise<boolean> {
    this.commitEvents();
    return this.sql("UPDATE slots SET closed_at = ? WHERE id = ? AND closed_at IS NULL").run(at, id).changes === 1;
  }

  async countSlotsSince(hostId: string, since: number): Promise<number> {
    this.commitEvents();
    const row = this.sql("SELECT COUNT(*) AS n FROM slots WHERE host_id = ? AND created_at >= ?").get(hostId, since) as {
      n: number;
    };
    return row.n;
  }

  /**
   * Events are written in groups: every event appended in one turn of the event loop goes into
   * one transaction, and each caller is answered once it is committed (a host's publish is
   * acknowledged only when its event is on disk). Every other method first commits what is
   * waiting, so reads see it and writes stay in the order they were called.
   */
  appendEvent(e: StoredEvent): Promise<"stored" | "duplicate" | "conflict"> {
    return new Promise((resolve, reject) => {
      if (this.closed) throw new Error("the store is closed");
      this.pendingEvents.push({ event: e, resolve, reject });
      if (this.pendingEvents.length === 1) setImmediate(() => this.commitEvents());
      else if (this.pendingEvents.length >= MAX_EVENT_GROUP) this.commitEvents();
    });
  }

  private commitEvents(): void {
    const group = this.pendingEvents.splice(0);
    if (group.length === 0) return;
    let outcomes: ("stored" | "duplicate" | "conflict")[];
    try {
      outcomes = this.db.transaction(() => {
        const insert = this.sql(
          "INSERT OR IGNORE INTO events (host_id, thread_id, seq, epoch, iv, ct, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        );
        const held = this.sql("SELECT iv, ct FROM events WHERE host_id = ? AND thread_id = ? AND seq = ?");
        const added = new Map<string, number>();
        const result = group.map(({ event: e }): "stored" | "duplicate" | "conflict" => {
          if (insert.run(e.hostId, e.threadId, e.seq, e.box.e, e.box.iv, e.box.ct, e.at).changes === 1) {
            added.set(e.hostId, (added.get(e.hostId) ?? 0) + e.box.iv.length + e.box.ct.length);
            return "stored";
          }
          const existing = held.get(e.hostId, e.threadId, e.seq) as { iv: string; ct: string };
          return existing.iv === e.box.iv && existing.ct === e.box.ct ? "duplicate" : "conflict";
        });
        const usage = this.sql(
          "INSERT INTO usage (host_id, bytes) VALUES (?, ?) ON CONFLICT (host_id) DO UPDATE SET bytes = bytes + excluded.bytes",
        );
        for (const [hostId, bytes] of added) usage.run(hostId, bytes);
        return result;
      })();
    } catch (err) {
      for (const p of group) p.reject(err);
      return;
    }
    group.forEach((p, i) => p.resolve(outcomes[i]!));
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  async eventsAfter(hostId: string, cursors: Record<string, number>, limit: number): Promise<EventsPage> {
    this.commitEvents();
    const threads = this.sql("SELECT DISTINCT thread_id FROM events WHERE host_id = ? ORDER BY thread_id").all(hostId) as {
      thread_id: string;
    }[];
    const page = this.sql("SELECT * FROM events WHERE host_id = ? AND thread_id = ? AND seq > ? ORDER BY seq LIMIT ?");
    const events: StoredEvent[] = [];
    let more = false;
    for (const { thread_id: threadId } of threads) {
      const room = limit - events.length;
      if (room <= 0) {
        more = true;
        break;
      }
      const rows = page.all(hostId, threadId, cursors[threadId] ?? 0, room + 1) as (SealedSql & {
        thread_id: string;
        seq: number;
      })[];
      if (rows.length > room) {
        more = true;
        rows.length = room;
      }
      for (const r of rows) {
        events.push({ hostId, threadId, seq: r.seq, box: { e: r.epoch, iv: r.iv, ct: r.ct }, at: r.at });
      }
    }
    return { events, more };
  }

  async appendPage(page: StoredPage): Promise<PageOutcome> {
    this.commitEvents();
    return this.db.transaction(() => appendPage((text) => this.sql(text), page))();
  }

  async pagesAfter(hostId: string, cursors: Record<string, number>, limit: number): Promise<PagesAfter> {
    this.commitEvents();
    return pagesAfter((text) => this.sql(text), hostId, cursors, limit);
  }

  async enqueueCommand(c: InboxRow): Promise<EnqueueOutcome> {
    this.commitEvents();
    return this.db.transaction((): EnqueueOutcome => {
      if (this.sql("SELECT 1 FROM links WHERE phone_id = ? AND host_id = ?").get(c.from, c.hostId) === undefined) {
        return "unlinked";
      }
      const result = this.sql(
        "INSERT OR IGNORE INTO inbox (host_id, id, from_id, epoch, iv, ct, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(c.hostId, c.id, c.from, c.box.e, c.box.iv, c.box.ct, c.at);
      if (result.changes !== 1) return "duplicate";
      const ahead = this.sql("SELECT 1 FROM inbox WHERE host_id = ? AND n < ? LIMIT 1").get(c.hostId, result.lastInsertRowid);
      return ahead === undefined ? "alone" : "stored";
    })();
  }

  async pendingCommands(hostId: string, limit: number): Promise<InboxRow[]> {
    this.commitEvents();
    const rows = this.sql("SELECT * FROM inbox WHERE host_id = ? ORDER BY n LIMIT ?").all(hostId, limit) as (SealedSql & {
      id: string;
      from_id: string;
    })[];
    return rows.map((r) => ({ hostId, id: r.id, from: r.from_id, box: { e: r.epoch, iv: r.iv, ct: r.ct }, at: r.at }));
  }

  async deleteCommand(hostId: string, id: string): Promise<void> {
    this.commitEvents();
    this.sql("DELETE FROM inbox WHERE host_id = ? AND id = ?").run(hostId, id);
  }

  async inboxDepth(hostId: string): Promise<number> {
    this.commitEvents();
    return (this.sql("SELECT COUNT(*) AS n FROM inbox WHERE host_id = ?").get(hostId) as { n: number }).n;
  }

  async putRecord(r: StoredRecord): Promise<void> {
    this.commitEvents();
    this.sql(
      `INSERT INTO records (host_id, key, epoch, iv, ct, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (host_id, key) DO UPDATE SET epoch = excluded.epoch, iv = excluded.iv, ct = excluded.ct, at = excluded.at`,
    ).run(r.hostId, r.key, r.box.e, r.box.iv, r.box.ct, r.at);
  }

  async trimEvents(
    hostId: string,
    olderThan: number,
    quotaBytes: number,
    max: number,
  ): Promise<{ deleted: number; more: boolean }> {
    return this.db.transaction(() => {
      let bytes =
        (this.sql("SELECT bytes FROM usage WHERE host_id = ?").get(hostId) as { bytes: number } | undefined)?.bytes ?? 0;
      const oldest = this.sql(
        "SELECT thread_id, seq, length(iv) + length(ct) AS size, at FROM events WHERE host_id = ? ORDER BY at, thread_id, seq LIMIT ?",
      ).all(hostId, max + 1) as { thread_id: string; seq: number; size: number; at: number }[];
      const remove = this.sql("DELETE FROM events WHERE host_id = ? AND thread_id = ? AND seq = ?");
      const firstKept = new Map<string, number>();
      let deleted = 0;
      for (const row of oldest) {
        if (!(row.at < olderThan || (quotaBytes > 0 && bytes > quotaBytes))) break;
        if (deleted === max) return this.finishTrim(hostId, bytes, firstKept, deleted, true);
        remove.run(hostId, row.thread_id, row.seq);
        bytes -= row.size;
        firstKept.set(row.thread_id, Math.max(firstKept.get(row.thread_id) ?? 0, row.seq + 1));
        deleted++;
      }
      return this.finishTrim(hostId, bytes, firstKept, deleted, false);
    })();
  }

  private finishTrim(
    hostId: string,
    bytes: number,
    firstKept: Map<string, number>,
    deleted: number,
    more: boolean,
  ): { deleted: number; more: boolean } {
    if (deleted === 0) return { deleted, more };
    this.sql("UPDATE usage SET bytes = ? WHERE host_id = ?").run(Math.max(0, bytes), hostId);
    const trim = this.sql(
      `INSERT INTO trims (host_id, thread_id, before_seq) VALUES (?, ?, ?)
       ON CONFLICT (host_id, thread_id) DO UPDATE SET before_seq = max(before_seq, excluded.before_seq)`,
    );
    for (const [threadId, seq] of firstKept) trim.run(hostId, threadId, seq);
    trimPages((text) => this.sql(text), hostId, firstKept);
    return { deleted, more };
  }

  async hostsWithEvents(): Promise<string[]> {
    this.commitEvents();
    return (this.sql("SELECT host_id FROM usage WHERE bytes > 0 ORDER BY host_id").all() as { host_id: string }[]).map(
      (r) => r.host_id,
    );
  }

  async storedBytes(hostId: string): Promise<number> {
    this.commitEvents();
    return (this.sql("SELECT bytes FROM usage WHERE host_id = ?").get(hostId) as { bytes: number } | undefined)?.bytes ?? 0;
  }

  async trimmedThreads(hostId: string): Promise<Record<string, number>> {
    this.commitEvents();
    const rows = this.sql("SELECT thread_id, before_seq FROM trims WHERE host_id = ?").all(hostId) as {
      thread_id: string;
      before_seq: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.thread_id, r.before_seq]));
  }

  async deleteThread(hostId: string, threadId: string): Promise<void> {
    this.commitEvents();
    this.db.transaction(() => {
      const freed = this.sql(
        "SELECT COALESCE(SUM(length(iv) + length(ct)), 0) AS n FROM events WHERE host_id = ? AND thread_id = ?",
      ).get(hostId, threadId) as { n: number };
      this.sql("UPDATE usage SET bytes = max(0, bytes - ?) WHERE host_id = ?").run(freed.n, hostId);
      this.sql("DELETE FROM trims WHERE host_id = ? AND thread_id = ?").run(hostId, threadId);
      this.sql("DELETE FROM events WHERE host_id = ? AND thread_id = ?").run(hostId, threadId);
      deletePages((text) => this.sql(text), hostId, threadId);
      this.sql("DELETE FROM records WHERE host_id = ? AND key = ?").run(hostId, threadRecordKey(threadId));
    })();
  }

  async threadEventsAfter(hostId: string, threadId: string, after: number, limit: number): Promise<EventsPage> {
    this.commitEvents();
    return shares.threadEventsAfter((text) => this.sql(text), hostId, threadId, after, limit);
  }

  async insertShare(share: ShareRow): Promise<"stored" | "conflict"> {
    this.commitEvents();
    return shares.insertShare((text) => this.sql(text), share);
  }

  async shareByVerifier(verifier: string): Promise<ShareRow | undefined> {
    this.commitEvents();
    return shares.shareByVerifier((text) => this.sql(text), verifier);
  }

  async deleteShare(hostId: string, shareId: string): Promise<ShareRow | undefined> {
    this.commitEvents();
    return this.db.transaction(() => shares.deleteShare((text) => this.sql(text), hostId, shareId))();
  }

  async records(hostId: string): Promise<StoredRecord[]> {
    this.commitEvents();
    const rows = this.sql("SELECT * FROM records WHERE host_id = ? ORDER BY key").all(hostId) as (SealedSql & {
      key: string;
    })[];
    return rows.map((r) => ({ hostId, key: r.key, box: { e: r.epoch, iv: r.iv, ct: r.ct }, at: r.at }));
  }

  async putPushSubscription(deviceId: string, target: PushTarget, muted: string[], at: number): Promise<void> {
    this.commitEvents();
    this.sql(
      `INSERT INTO push_subscriptions (device_id, kind, target, muted, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET kind = excluded.kind, target = excluded.target, muted = excluded.muted,
           updated_at = excluded.updated_at`,
    ).run(deviceId, target.kind, JSON.stringify(target), JSON.stringify([...new Set(muted)]), at, at);
  }

  async pushSubscription(deviceId: string): Promise<PushSubscriptionRow | undefined> {
    this.commitEvents();
    const row = this.sql("SELECT * FROM push_subscriptions WHERE device_id = ?").get(deviceId) as PushSql | undefined;
    return row && toPushSubscription(row);
  }

  async deletePushSubscription(deviceId: string, target?: PushTarget): Promise<boolean> {
    this.commitEvents();
    // A row read back re-serializes to the same text, so comparing the JSON compares targets.
    const result = target
      ? this.sql("DELETE FROM push_subscriptions WHERE device_id = ? AND target = ?").run(deviceId, JSON.stringify(target))
      : this.sql("DELETE FROM push_subscriptions WHERE device_id = ?").run(deviceId);
    return result.changes > 0;
  }

  async pushSubscriptionsOfHost(hostId: string): Promise<PushSubscriptionRow[]> {
    this.commitEvents();
    const rows = this.sql(
      `SELECT p.* FROM links l
         JOIN devices d ON d.id = l.phone_id AND d.revoked_at IS NULL
         JOIN push_subscriptions p ON p.device_id = l.phone_id
         WHERE l.host_id = ? AND NOT EXISTS (SELECT 1 FROM json_each(p.muted) m WHERE m.value = l.host_id)
         ORDER BY l.created_at, l.phone_id`,
    ).all(hostId) as PushSql[];
    return rows.map(toPushSubscription);
  }

  async meta(key: string): Promise<string | undefined> {
    this.commitEvents();
    return (this.sql("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)?.value;
  }

  async initMeta(key: string, value: string): Promise<string> {
    this.commitEvents();
    this.sql("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)").run(key, value);
    return (this.sql("SELECT value FROM meta WHERE key = ?").get(key) as { value: string }).value;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commitEvents();
    this.closed = true;
    this.db.close();
  }
}
