// History pages in the embedded store (table `pages`, migration 6). The SQLite store calls
// these inside its own calls, after committing pending events, so each runs atomically.

import type Database from "better-sqlite3";
import type { StoredPage } from "#protocol";
import type { PageOutcome, PagesAfter } from "./store";

type Sql = (text: string) => Database.Statement;

interface PageSql {
  from_seq: number;
  to_seq: number;
  epoch: number;
  iv: string;
  ct: string;
  at: number;
}

export function appendPage(sql: Sql, p: StoredPage): PageOutcome {
  const overlapping = sql(
    "SELECT from_seq, to_seq, iv, ct FROM pages WHERE host_id = ? AND thread_id = ? AND from_seq <= ? AND to_seq >= ? LIMIT 1",
  ).get(p.hostId, p.threadId, p.to, p.from) as PageSql | undefined;
  if (overlapping) {
    const same =
      overlapping.from_seq === p.from &&
      overlapping.to_seq === p.to &&
      overlapping.iv === p.box.iv &&
      overlapping.ct === p.box.ct;
    return same ? "duplicate" : "conflict";
  }
  const { n } = sql("SELECT COUNT(*) AS n FROM events WHERE host_id = ? AND thread_id = ? AND seq BETWEEN ? AND ?").get(
    p.hostId,
    p.threadId,
    p.from,
    p.to,
  ) as { n: number };
  if (n !== p.to - p.from + 1) return "missing";
  sql("INSERT INTO pages (host_id, thread_id, from_seq, to_seq, epoch, iv, ct, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)").run(
    p.hostId,
    p.threadId,
    p.from,
    p.to,
    p.box.e,
    p.box.iv,
    p.box.ct,
    p.at,
  );
  return "stored";
}

export function pagesAfter(sql: Sql, hostId: string, cursors: Record<string, number>, limit: number): PagesAfter {
  const threads = sql("SELECT DISTINCT thread_id FROM pages WHERE host_id = ? ORDER BY thread_id").all(hostId) as {
    thread_id: string;
  }[];
  const holding = sql("SELECT * FROM pages WHERE host_id = ? AND thread_id = ? AND from_seq <= ? ORDER BY from_seq DESC LIMIT 1");
  const result: PagesAfter = { pages: [], reached: {}, events: 0, more: false };
  for (const { thread_id: threadId } of threads) {
    let cursor = cursors[threadId] ?? 0;
    for (;;) {
      if (result.events >= limit) {
        result.more = true;
        return result;
      }
      const r = holding.get(hostId, threadId, cursor + 1) as PageSql | undefined;
      if (!r || r.to_seq <= cursor) break;
      result.pages.push({
        hostId,
        threadId,
        from: r.from_seq,
        to: r.to_seq,
        box: { e: r.epoch, iv: r.iv, ct: r.ct },
        at: r.at,
      });
      result.events += r.to_seq - cursor;
      result.reached[threadId] = cursor = r.to_seq;
    }
  }
  return result;
}

/** After a trim: a thread's pages that held a deleted event (one before `firstKept`) go too. */
export function trimPages(sql: Sql, hostId: string, firstKept: Map<string, number>): void {
  const remove = sql("DELETE FROM pages WHERE host_id = ? AND thread_id = ? AND from_seq < ?");
  for (const [threadId, seq] of firstKept) remove.run(hostId, threadId, seq);
}

export function deletePages(sql: Sql, hostId: string, threadId: string): void {
  sql("DELETE FROM pages WHERE host_id = ? AND thread_id = ?").run(hostId, threadId);
}
