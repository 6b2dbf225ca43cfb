// Shares in the embedded store (table `shares`, migration 7). The SQLite store calls these
// inside its own calls, after committing pending events, so each runs atomically.

import type Database from "better-sqlite3";
import { type StoredEvent } from "#protocol";
import { shareRecordKey } from "#protocol/share";
import type { EventsPage, ShareRow } from "./store";

type Sql = (text: string) => Database.Statement;

interface ShareSql {
  host_id: string;
  share_id: string;
  thread_id: string;
  verifier: string;
  created_at: number;
}

const toShare = (r: ShareSql): ShareRow => ({
  hostId: r.host_id,
  shareId: r.share_id,
  threadId: r.thread_id,
  verifier: r.verifier,
  createdAt: r.created_at,
});

export function insertShare(sql: Sql, s: ShareRow): "stored" | "conflict" {
  const done = sql(
    "INSERT OR IGNORE INTO shares (host_id, share_id, thread_id, verifier, created_at) VALUES (?, ?, ?, ?, ?)",
  ).run(s.hostId, s.shareId, s.threadId, s.verifier, s.createdAt);
  return done.changes === 1 ? "stored" : "conflict";
}

export function shareByVerifier(sql: Sql, verifier: string): ShareRow | undefined {
  const row = sql("SELECT * FROM shares WHERE verifier = ?").get(verifier) as ShareSql | undefined;
  return row && toShare(row);
}

export function deleteShare(sql: Sql, hostId: string, shareId: string): ShareRow | undefined {
  const row = sql("SELECT * FROM shares WHERE host_id = ? AND share_id = ?").get(hostId, shareId) as ShareSql | undefined;
  if (!row) return undefined;
  sql("DELETE FROM shares WHERE host_id = ? AND share_id = ?").run(hostId, shareId);
  sql("DELETE FROM records WHERE host_id = ? AND key = ?").run(hostId, shareRecordKey(shareId));
  return toShare(row);
}

export function threadEventsAfter(sql: Sql, hostId: string, threadId: string, after: number, limit: number): EventsPage {
  const rows = sql("SELECT * FROM events WHERE host_id = ? AND thread_id = ? AND seq > ? ORDER BY seq LIMIT ?").all(
    hostId,
    threadId,
    after,
    limit + 1,
  ) as { seq: number; epoch: number; iv: string; ct: string; at: number }[];
  const more = rows.length > limit;
  const events: StoredEvent[] = rows
    .slice(0, limit)
    .map((r) => ({ hostId, threadId, seq: r.seq, box: { e: r.epoch, iv: r.iv, ct: r.ct }, at: r.at }));
  return { events, more };
}
