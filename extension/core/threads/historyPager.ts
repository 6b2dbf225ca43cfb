// Seals history pages: runs of a thread's events that already reached the relay, sealed again
// as one box each (protocol/historyPages.ts), so a phone catching up opens one box for hundreds
// of events. A run becomes pages once it is complete: a full page as soon as its events are
// acknowledged, the rest when the thread has been quiet for a while, and at every hello for
// threads whose pages are missing (a host that started, or one older than pages).

import { ErrorCode, PAGE_MAX_EVENTS, PAGE_MIN_EVENTS, cutPages, sealPage } from "#protocol";
import { DisposableStore, Timer } from "../disposable";
import type { HostIdentity } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";
import type { ThreadManager } from "./threadManager";

/** How long a thread stays without new events before its last run becomes a page. */
export const PAGE_QUIET_MS = 3_000;

export interface HistoryPagerDeps {
  link: RelayLink;
  identity: HostIdentity;
  threads: ThreadManager;
  log: Log;
  /** The host id the relay knows this host by, once it said hello. */
  hostId(): string | undefined;
  /** How far the relay acknowledged a thread's events. */
  publishedSeq(threadId: string): number;
  /** Persists `paged` (with the rest of what was published). */
  save(): void;
  /** The quiet time before a thread's last run becomes a page (default PAGE_QUIET_MS). */
  quietMs?: number;
}

export class HistoryPager {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly quiet = new Map<string, Timer>();
  private readonly disposables = new DisposableStore();
  /** The relay does not know `page:publish` (it is older than pages): stop until it changes. */
  private relayWithoutPages = false;

  /** Thread id → the last seq its pages reach at the relay. */
  constructor(
    private readonly deps: HistoryPagerDeps,
    public paged: Record<string, number> = {},
  ) {}

  close(): void {
    this.disposables.dispose();
  }

  /** A new registration: the relay has no pages of this host. */
  reset(): void {
    this.paged = {};
    this.relayWithoutPages = false;
  }

  /** After a (re)connection: pages that are missing, now. */
  onHello(): void {
    this.relayWithoutPages = false;
    for (const thread of this.deps.threads.list()) this.schedule(thread.id, PAGE_MIN_EVENTS);
  }

  /** Resolves once no thread's pages are being sealed or sent. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  forget(threadId: string): void {
    delete this.paged[threadId];
    this.quiet.get(threadId)?.dispose();
    this.quiet.delete(threadId);
  }

  /** A thread's events reached the relay up to its publishedSeq. */
  onPublished(threadId: string): void {
    const unpaged = this.deps.publishedSeq(threadId) - (this.paged[threadId] ?? 0);
    if (unpaged >= PAGE_MAX_EVENTS) this.schedule(threadId, PAGE_MAX_EVENTS);
    let timer = this.quiet.get(threadId);
    if (!timer) this.quiet.set(threadId, (timer = this.disposables.add(new Timer())));
    timer.arm(this.deps.quietMs ?? PAGE_QUIET_MS, () => this.schedule(threadId, PAGE_MIN_EVENTS));
  }

  private schedule(threadId: string, minEvents: number): void {
    if (this.running.has(threadId)) {
      this.again.add(threadId);
      return;
    }
    const run = this.seal(threadId, minEvents)
      .catch((err: Error) =>
        this.deps.log.warn("could not seal a thread's history pages", { thread: threadId, error: err.message }),
      )
      .finally(() => {
        this.running.delete(threadId);
        if (this.again.delete(threadId)) this.schedule(threadId, PAGE_MIN_EVENTS);
      });
    this.running.set(threadId, run);
  }

  private async seal(threadId: string, minEvents: number): Promise<void> {
    const { link, identity, threads } = this.deps;
    const thread = threads.get(threadId);
    for (;;) {
      const hostId = this.deps.hostId();
      const epoch = identity.epoch;
      // The thread's own key: a share of the thread opens its pages, nothing else.
      const key = await identity.threadKey(threadId, epoch);
      const current = (): boolean => threads.get(threadId) === thread && this.deps.hostId() === hostId;
      if (!thread || !hostId || !key || link.state !== "open" || this.relayWithoutPages || this.disposables.isDisposed) return;
      const done = this.paged[threadId] ?? 0;
      const upTo = Math.min(this.deps.publishedSeq(threadId), done + PAGE_MAX_EVENTS);
      const [page] = cutPages(
        done + 1,
        thread.events.slice(done, upTo).map((n) => n.event),
        minEvents,
      );
      if (!page) return;
      const box = await sealPage(key, epoch, hostId, threadId, page);
      if (!current()) return;
      const answer = await link.request("page:publish", { threadId, from: page.from, to: page.to, box });
      if (!current()) return;
      if (!answer.ok) {
        if (answer.code === ErrorCode.BadRequest && /no such event/.test(answer.message)) {
          this.relayWithoutPages = true;
          return;
        }
        // Conflict: a page of that range is there (its answer was lost before it was saved
        // here). Not found: retention deleted some of its events. Either way, on past it.
        if (answer.code !== ErrorCode.Conflict && answer.code !== ErrorCode.NotFound) {
          this.deps.log.warn("the relay did not store a history page; will retry", { thread: threadId, code: answer.code });
          return;
        }
      }
      this.paged[threadId] = page.to;
      this.deps.save();
    }
  }
}
