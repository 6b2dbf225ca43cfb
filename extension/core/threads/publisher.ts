// Carries a host's threads to the relay: durable events sealed and published in order (resumed
// after every reconnect from what the relay acknowledged), thread summaries as latest-wins
// records, and live events (streaming text, command output) batched and fanned out. Each thread
// is sealed with its own key (`protocol/threadKeys.ts`), so a share of one opens no other.

import { ErrorCode, seal, sealContext, threadRecordKey, type LiveEvent, type ThreadSummary } from "#protocol";
import { DisposableStore, Timer, listen } from "../disposable";
import type { HostIdentity } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";
import { HistoryPager } from "./historyPager";
import type { Thread } from "./thread";
import type { ThreadManager } from "./threadManager";
import type { ThreadStore } from "./threadStore";

/** Events sealed and sent before waiting for the relay's answers. */
const PUBLISH_BATCH = 64;
/** Live events of a thread are gathered this long, then sent as one. */
const LIVE_FLUSH_MS = 50;
const MAX_LIVE_CHARS = 32 * 1024;
const RETRY_MS = 2_000;
/** Longest a run waits for its decision to be sent before it goes on anyway. */
const RESUME_WAIT_MS = 1_000;

export class ThreadPublisher {
  private hostId: string | undefined;
  private seqs: Record<string, number> = {};
  private deleted: string[] = [];
  private deleting = false;
  private readonly pumping = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Per thread: the last seq handed to the socket by the pump under way. */
  private readonly sent = new Map<string, number>();
  /** Runs waiting for their thread's events to be sent: thread → waiters for a seq. */
  private readonly sendWaiters = new Map<string, Set<{ seq: number; resolve: () => void }>>();
  private readonly summaries = new Map<string, ThreadSummary>();
  private readonly disposables = new DisposableStore();
  /** Kept referenced, as the batched summaries and live events are what a phone waits for. */
  private readonly summaryTimer = this.disposables.add(new Timer({ ref: true }));
  private readonly liveBuffers = new Map<string, LiveEvent[]>();
  private readonly liveTimer = this.disposables.add(new Timer({ ref: true }));
  private liveN = Date.now() * 1000;
  private liveChain: Promise<void> = Promise.resolve();
  private readonly retryTimer = this.disposables.add(new Timer());
  private readonly pager: HistoryPager;

  constructor(
    private readonly link: RelayLink,
    private readonly identity: HostIdentity,
    private readonly store: ThreadStore,
    private readonly threads: ThreadManager,
    private readonly log: Log,
  ) {
    const published = store.published();
    if (published) {
      this.hostId = published.hostId;
      this.seqs = { ...published.seqs };
      this.deleted = [...published.deleted];
    }
    this.pager = new HistoryPager(
      {
        link,
        identity,
        threads,
        log,
        hostId: () => this.hostId,
        publishedSeq: (threadId) => this.publishedSeq(threadId),
        save: () => this.save(),
      },
      { ...published?.paged },
    );
    const { disposables } = this;
    disposables.defer(() => this.pager.close());
    disposables.add(listen(link, "hello", (hello: { deviceId: string }) => this.onHello(hello.deviceId)));
    disposables.add(listen(threads, "event", (thread: Thread) => this.publish(thread.id)));
    disposables.add(listen(threads, "summary", (summary: ThreadSummary) => this.queueSummary(summary)));
    disposables.add(listen(threads, "live", (threadId: string, event: LiveEvent) => this.queueLive(threadId, event)));
    disposables.add(listen(threads, "deleted", (threadId: string) => this.onDeleted(threadId)));
    threads.gateResumes((thread) => this.whenSent(thread.id, thread.lastSeq));
    // Runs waiting for their decision to be sent go on now.
    disposables.defer(() => {
      threads.gateResumes(undefined);
      for (const threadId of [...this.sendWaiters.keys()]) this.release(threadId, Infinity);
    });
  }

  /** Idempotent: stops listening and sending; runs waiting for a send go on. */
  close(): void {
    this.disposables.dispose();
  }

  private get closed(): boolean {
    return this.disposables.isDisposed;
  }

  /**
   * Resolves once a thread's events up to `seq` have been handed to the relay link, or at once
   * when none are on their way (the link is down: they go after the next hello).
   */
  whenSent(threadId: string, seq: number): Promise<void> {
    if (!this.pumping.has(threadId) || (this.sent.get(threadId) ?? 0) >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, RESUME_WAIT_MS);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      const waiters = this.sendWaiters.get(threadId) ?? new Set();
      waiters.add({ seq, resolve: done });
      this.sendWaiters.set(threadId, waiters);
    });
  }

  private release(threadId: string, upTo: number): void {
    const waiters = this.sendWaiters.get(threadId);
    if (!waiters) return;
    for (const w of [...waiters]) {
      if (w.seq > upTo) continue;
      waiters.delete(w);
      w.resolve();
    }
    if (waiters.size === 0) this.sendWaiters.delete(threadId);
  }

  /** How far the relay acknowledged a thread. */
  publishedSeq(threadId: string): number {
    return this.seqs[threadId] ?? 0;
  }

  private onHello(hostId: string): void {
    if (this.hostId !== hostId) {
      // A new registration (the relay's data was reset): everything goes again under the new id.
      this.hostId = hostId;
      this.seqs = {};
      this.deleted = [];
      this.pager.reset();
      this.save();
    }
    void this.sendDeletes();
    this.pager.onHello();
    for (const thread of this.threads.list()) {
      this.summaries.set(thread.id, this.threads.summary(thread));
      this.publish(thread.id);
    }
    this.flushSummaries();
  }

  private publish(threadId: string): void {
    // Live output first, so a phone sees a command's output before the result that ends it.
    if (this.liveBuffers.has(threadId)) this.flushLive();
    if (this.pumping.has(threadId)) {
      this.again.add(threadId);
      return;
    }
    const run = this.pump(threadId)
      .catch((err: Error) => {
        this.log.warn("could not publish a thread's events; will retry", { thread: threadId, error: err.message });
        this.retryLater();
      })
      .finally(() => {
        this.pumping.delete(threadId);
        this.sent.delete(threadId);
        if (this.again.delete(threadId)) this.publish(threadId);
        else this.release(threadId, Infinity);
      });
    this.pumping.set(threadId, run);
  }

  private async pump(threadId: string): Promise<void> {
    const thread = this.threads.get(threadId);
    if (!thread || this.closed) return;
    const current = (): boolean => this.threads.get(threadId) === thread;
    while (this.link.state === "open" && this.hostId && current() && this.publishedSeq(threadId) < thread.lastSeq) {
      await this.liveChain;
      const hostId = this.hostId;
      const from = this.publishedSeq(threadId);
      const batch = thread.events.slice(from, from + PUBLISH_BATCH);
      const epoch = this.identity.epoch;
      const key = (await this.identity.threadKey(threadId, epoch))!;
      const sealing = Promise.all(batch.map((n) => seal(key, epoch, n.event, sealContext.event(hostId, threadId, n.seq))));
      // Never sent before it is on this host's disk: a host that crashed with an event sent but
      // not saved would give its seq to another event after the restart.
      const [boxes] = await Promise.all([sealing, this.store.flushed()]);
      if (this.link.state !== "open" || hostId !== this.hostId || !current()) return;
      // Sent in order (sealing finishes in any order): the relay stores and fans out as they come.
      const sending = Promise.all(
        batch.map((n, i) => this.link.request("event:publish", { threadId, seq: n.seq, box: boxes[i]! })),
      );
      const last = batch.at(-1)!.seq;
      // A run waiting to go on (a decision's command about to be spawned) goes once the events
      // are on the wire, not merely queued: the socket writes what a turn queued as it ends, and a
      // spawn started in this turn would hold them back for as long as it blocks the event loop.
      setImmediate(() => {
        if ((this.sent.get(threadId) ?? 0) < last) this.sent.set(threadId, last);
        this.release(threadId, last);
      });
      const answers = await sending;
      let reached = from;
      for (const answer of answers) {
        // A conflict means an earlier attempt was stored and its answer lost: it is there.
        if (!answer.ok && answer.code !== ErrorCode.Conflict) {
          this.log.warn("could not publish a thread event; will retry", { thread: threadId, code: answer.code });
          this.retryLater();
          break;
        }
        reached++;
      }
      if (hostId !== this.hostId || !current()) return;
      this.seqs[threadId] = reached;
      this.save();
      this.pager.onPublished(threadId);
      if (reached < from + batch.length) return;
    }
  }

  private retryLater(): void {
    if (this.retryTimer.pending || this.closed) return;
    this.retryTimer.arm(RETRY_MS, () => {
      for (const thread of this.threads.list()) this.publish(thread.id);
      this.flushSummaries();
    });
  }

  private save(): void {
    if (this.hostId) {
      this.store.savePublished({ hostId: this.hostId, seqs: this.seqs, deleted: this.deleted, paged: this.pager.paged });
    }
  }

  /** A thread deleted on the host: the relay forgets it too, now or once it is reachable. */
  private onDeleted(threadId: string): void {
    delete this.seqs[threadId];
    this.pager.forget(threadId);
    this.summaries.delete(threadId);
    this.liveBuffers.delete(threadId);
    if (!this.deleted.includes(threadId)) this.deleted.push(threadId);
    this.save();
    void this.sendDeletes();
  }

  /** Asks the relay to forget each deleted thread, in order; what fails waits for the next hello. */
  private async sendDeletes(): Promise<void> {
    if (this.deleting || this.closed) return;
    this.deleting = true;
    try {
      while (this.deleted.length > 0 && this.link.state === "open" && this.hostId) {
        const threadId = this.deleted[0]!;
        const answer = await this.link.request("thread:delete", { threadId });
        if (!answer.ok) {
          this.log.warn("the relay did not forget a deleted thread; will retry", { thread: threadId, code: answer.code });
          return;
        }
        this.deleted.shift();
        this.save();
      }
    } finally {
      this.deleting = false;
    }
  }

  private queueSummary(summary: ThreadSummary): void {
    this.summaries.set(summary.threadId, summary);
    if (!this.summaryTimer.pending) this.summaryTimer.arm(LIVE_FLUSH_MS, () => this.flushSummaries());
  }

  private flushSummaries(): void {
    this.summaryTimer.cancel();
    if (this.link.state !== "open" || !this.hostId || this.closed) return;
    const hostId = this.hostId;
    const pending = [...this.summaries.values()];
    this.summaries.clear();
    for (const summary of pending) {
      const key = threadRecordKey(summary.threadId);
      const epoch = this.identity.epoch;
      void this.identity
        .threadKey(summary.threadId, epoch)
        .then((threadKey) => seal(threadKey!, epoch, summary, sealContext.record(hostId, key)))
        // Deleted while it was being sealed: its record must not come back after the delete.
        .then((box) =>
          this.threads.get(summary.threadId) ? this.link.request("record:put", { key, box }) : { ok: true as const },
        )
        .then((answer) => {
          if (answer.ok) return;
          this.log.warn("could not publish a thread summary; will retry", { thread: summary.threadId, code: answer.code });
          if (!this.summaries.has(summary.threadId)) this.summaries.set(summary.threadId, summary);
          this.retryLater();
        });
    }
  }

  private queueLive(threadId: string, event: LiveEvent): void {
    if (this.link.state !== "open") return; // live events are for phones watching now
    const buffer = this.liveBuffers.get(threadId) ?? [];
    const last = buffer.at(-1);
    if (last?.type === "text" && event.type === "text" && last.step === event.step && last.delta.length < MAX_LIVE_CHARS) {
      buffer[buffer.length - 1] = { ...last, delta: last.delta + event.delta };
    } else if (
      last?.type === "output" &&
      event.type === "output" &&
      last.callId === event.callId &&
      last.chunk.length < MAX_LIVE_CHARS
    ) {
      buffer[buffer.length - 1] = { ...last, chunk: last.chunk + event.chunk };
    } else buffer.push(event);
    this.liveBuffers.set(threadId, buffer);
    if (!this.liveTimer.pending) this.liveTimer.arm(LIVE_FLUSH_MS, () => this.flushLive());
  }

  private flushLive(): void {
    this.liveTimer.cancel();
    const hostId = this.hostId;
    if (!hostId || this.link.state !== "open" || this.closed) {
      this.liveBuffers.clear();
      return;
    }
    const epoch = this.identity.epoch;
    for (const [threadId, events] of this.liveBuffers) {
      const key = this.identity.threadKey(threadId, epoch);
      for (const event of events) {
        const n = ++this.liveN;
        // Sealing is asynchronous; chaining keeps the emits, and so the phone's view, in order.
        this.liveChain = this.liveChain
          .then(() => key)
          .then((threadKey) => seal(threadKey!, epoch, event, sealContext.live(hostId, threadId, n)))
          .then((box) => void this.link.request("live:publish", { threadId, n, box }))
          .catch(() => undefined);
      }
    }
    this.liveBuffers.clear();
  }
}
