// The flows between the relay and the phone's thread cache: opening what the relay pushes and
// catching up after a reconnect. Commands to a host go through the outbox (`outbox.ts`).

import { ErrorCode, THREAD_KEYS_RECORD, TetherError, type StoredEvent, type StoredRecord, type SyncRequest } from "#protocol";
import { type InboundLive, syncAnswerSchema } from "../link/inbound";
import { request, type TetherSocket } from "../link/request";
import type { ThreadBoxOpener } from "#protocol/threadKeys";
import type { HostRecord } from "../store/records";
import type { CachedEvent } from "./cache";
import { isAhead } from "../hosts/keys";
import { openHistoryPage, openLiveEvent, openThreadEvent, openThreadSummary } from "./open";
import type { TaskForm } from "./taskCommands";
import type { Threads } from "./threads.svelte";

export type { TaskForm };

const SYNC_TIMEOUT_MS = 15_000;
const SYNC_PAGE = 1000;
/**
 * Events an answer may bring when it carries history pages: a page is one box, so a bigger
 * answer costs no more boxes, and fewer round trips (bench catchup).
 */
const SYNC_PAGE_WITH_PAGES = 2500;

export interface ThreadServiceDeps {
  threads: Threads;
  host(hostId: string): HostRecord | undefined;
  /** The open socket and this phone's device id, waiting briefly for a connection. */
  connection(): Promise<{ socket: TetherSocket; deviceId: string }>;
  now(): number;
}

/** The promise itself, marked as handled: it is awaited later, after other work. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

export class ThreadService {
  readonly #syncing = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  /** The relay refused the `pages` field of sync (it is older than history pages). */
  #relayWithoutPages = false;

  constructor(private readonly deps: ThreadServiceDeps) {}

  async onEvent(stored: StoredEvent): Promise<void> {
    const host = this.deps.host(stored.hostId);
    if (!host) return;
    const { threads } = this.deps;
    const opened = await (await boxesOf(host)).open(stored.box.e, stored.threadId, (key) => openThreadEvent(key, stored));
    const gap = threads.hasGap(stored.hostId, stored.threadId, stored.seq);
    await threads.applyEvents(stored.hostId, [{ hostId: stored.hostId, ...opened }]);
    // A catch-up that fails here (the relay away, a timeout) is tried again at the next
    // reconnect or the next event past the gap; nothing waits on this one.
    if (gap) this.catchUp(stored.hostId).catch(() => undefined);
  }

  async onLive(live: InboundLive): Promise<void> {
    const host = this.deps.host(live.hostId);
    if (!host) return;
    const event = await (await boxesOf(host)).open(live.box.e, live.threadId, (key) => openLiveEvent(key, live));
    this.deps.threads.applyLive(live.hostId, live.threadId, event);
  }

  /** True when the record was a thread summary (handled here). */
  async onRecord(record: StoredRecord): Promise<boolean> {
    if (record.key === THREAD_KEYS_RECORD) {
      const host = this.deps.host(record.hostId);
      if (host) await (await boxesOf(host)).noteRecord(record);
      return true;
    }
    if (!record.key.startsWith("t-")) return false;
    const host = this.deps.host(record.hostId);
    if (!host) return true;
    // Sealed under a key this phone does not have (yet): the next summary or sync brings it.
    const summary = await (
      await boxesOf(host)
    )
      .open(record.box.e, record.key.slice(2), (key) => openThreadSummary(key, record))
      .catch(() => null);
    if (summary) await this.deps.threads.applySummary(record.hostId, summary);
    return true;
  }

  /**
   * Asks the relay for everything of a host after this phone's cursors, page by page.
   * Records (keys, profile, summaries) come first and go to `onRecords`. One catch-up per host at a
   * time; a request during one runs again after it.
   */
  catchUp(hostId: string, onRecords?: (records: StoredRecord[]) => Promise<void>): Promise<void> {
    const running = this.#syncing.get(hostId);
    if (running) {
      this.#again.add(hostId);
      return running;
    }
    const run = this.#catchUp(hostId, onRecords).finally(() => {
      this.#syncing.delete(hostId);
      if (this.#again.delete(hostId)) this.catchUp(hostId).catch(() => undefined);
    });
    this.#syncing.set(hostId, run);
    return run;
  }

  // History pages (a host's sealed runs of a thread's events) come first when the relay has them:
  // one box for hundreds of events. A page that is refused (does not open as that thread's
  // range, or leaves a hole) stores nothing; the catch-up then runs again on events alone from
  // where the stored events are complete, so nothing is lost to a relay that serves wrong pages.
  //
  // Pipelined: while one page's boxes are opened (all at once: each is an asynchronous WebCrypto
  // call), the next page is already asked for, and the page before is being stored. Pages are
  // stored one after another, in the relay's order, so nothing is reordered or lost.
  async #catchUp(
    hostId: string,
    onRecords?: (records: StoredRecord[]) => Promise<void>,
    withPages = !this.#relayWithoutPages,
  ): Promise<void> {
    const host = this.deps.host(hostId);
    if (!host) return;
    const { socket } = await this.deps.connection();
    const { threads } = this.deps;
    const cursors = threads.cursors(hostId);
    const known = threads.summarised(hostId);
    let pagesRefused = false;
    const ask = (req: SyncRequest) => request(() => socket.timeout(SYNC_TIMEOUT_MS).emitWithAck("sync", req), syncAnswerSchema);
    const fetchPage = async () => {
      // The cursors as they are now: the next page's request must not see later changes.
      const req = { hostId, cursors: { ...cursors }, limit: SYNC_PAGE };
      if (!withPages) return ask(req);
      const answer = await ask({ ...req, limit: SYNC_PAGE_WITH_PAGES, pages: true });
      if (answer.ok || answer.code !== ErrorCode.BadRequest) return answer;
      // A relay older than history pages refuses the field (its schema is strict, and its
      // message counts unexpected fields without naming them): asked as before, it answers.
      const plain = await ask(req);
      if (plain.ok) {
        this.#relayWithoutPages = true;
        withPages = false;
      }
      return plain;
    };
    let next = handled(fetchPage());
    let storing = handled(Promise.resolve());
    try {
      for (let first = true; ; first = false) {
        const page = await next;
        if (!page.ok) throw new TetherError(page.code, page.message);
        if (first) {
          // A new content key (after the host rotated it) first, then what it opens.
          await onRecords?.(page.records);
          // The host's switch to thread keys first: the summaries are sealed with them.
          const ordered = [...page.records].sort(
            (a, b) => Number(b.key === THREAD_KEYS_RECORD) - Number(a.key === THREAD_KEYS_RECORD),
          );
          for (const record of ordered) await this.onRecord(record);
          // The records are all the host has: a thread whose summary is gone was deleted.
          await threads.forgetMissing(hostId, known, new Set(page.records.map((r) => r.key)));
        }
        if (page.trimmed) {
          // Retention deleted the start of these threads: catch up from where they now begin.
          await storing;
          await threads.applyTrims(hostId, page.trimmed);
          for (const [threadId, first] of Object.entries(page.trimmed)) {
            cursors[threadId] = Math.max(cursors[threadId] ?? 0, first - 1);
          }
        }
        const keys = this.deps.host(hostId) ?? host;
        const boxes = await boxesOf(keys);
        // Threads with an event sealed under a key this phone has not received yet stop there,
        // cursor unmoved, so the next catch-up (once the key is here) reads them.
        const waiting = new Set<string>();
        const pagesOpened: Promise<CachedEvent[]>[] = [];
        for (const stored of page.pages ?? []) {
          if (waiting.has(stored.threadId)) continue;
          if (isAhead(keys, stored.box.e)) {
            waiting.add(stored.threadId);
            continue;
          }
          const cursor = cursors[stored.threadId] ?? 0;
          pagesOpened.push(
            boxes
              .open(stored.box.e, stored.threadId, (key) => openHistoryPage(key, hostId, stored, cursor))
              .then(
                (events) => events.map((e): CachedEvent => ({ hostId, ...e })),
                () => {
                  pagesRefused = true;
                  return [];
                },
              ),
          );
          cursors[stored.threadId] = Math.max(cursor, stored.to);
        }
        const toOpen: StoredEvent[] = [];
        for (const stored of page.events) {
          if (waiting.has(stored.threadId)) continue;
          if (isAhead(keys, stored.box.e)) {
            waiting.add(stored.threadId);
            continue;
          }
          toOpen.push(stored);
          // A box that does not open is skipped, never shown; the cursor still moves past it.
          cursors[stored.threadId] = Math.max(cursors[stored.threadId] ?? 0, stored.seq);
        }
        const more = page.more && waiting.size === 0;
        if (more) next = handled(fetchPage());
        const [fromPages, opened] = await Promise.all([
          Promise.all(pagesOpened),
          Promise.all(
            toOpen.map((stored) =>
              boxes
                .open(stored.box.e, stored.threadId, (key) => openThreadEvent(key, stored))
                .then(
                  (event): CachedEvent => ({ hostId, ...event }),
                  () => null,
                ),
            ),
          ),
        ]);
        await storing;
        storing = handled(
          threads.applyEvents(hostId, [...fromPages.flat(), ...opened.filter((e): e is CachedEvent => e !== null)]),
        );
        if (!more) break;
      }
    } finally {
      // Whatever happened to a later page, the pages already opened are stored first.
      await storing.catch(() => undefined);
    }
    await storing;
    if (pagesRefused) await this.#catchUp(hostId, undefined, false);
  }
}

/**
 * Each host's thread boxes, opened with the right key (`hosts/threadKeys.ts`): loaded on first
 * use, so the app's first load carries no key derivation it does not need yet.
 */
async function boxesOf(host: HostRecord): Promise<ThreadBoxOpener> {
  return (await import("../hosts/threadKeys")).threadBoxes(host);
}
