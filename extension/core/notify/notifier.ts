// Decides when the phones hear about a thread without looking at it: an approval is needed, the
// agent asks a question, a run finished or failed. Each of those becomes one sealed
// notification; when the approval or question is settled (from any device, or the run ends
// while it waits) a "settled" notification closes it on the phones that showed it. A run a
// person stopped needs no notification: they know.

import { ENDED_STATUSES, type ThreadEvent } from "#protocol";
import { DisposableStore, listen } from "../disposable";
import type { Log } from "../log";
import type { Thread } from "../threads/thread";
import type { ThreadManager } from "../threads/threadManager";
import type { NumberedEvent } from "../threads/threadStore";
import { Outbox, type Notification, type PushKeys, type PushLink } from "./outbox";
import { tags } from "./tags";
import { approvalBody, approvalTitle, finishedBody, finishedTitle, questionBody, questionTitle } from "./wording";

export interface NotifierOptions {
  link: PushLink;
  identity: PushKeys;
  threads: Pick<ThreadManager, "on" | "off">;
  /** The workspace as people call it (its folder's name), for "… in api-service?". */
  workspace: string;
  log: Log;
  now?: () => number;
  /** A finished or failed run not yet told after this long is not told at all. */
  maxAgeMs?: number;
  retryDelaysMs?: readonly number[];
  maxQueued?: number;
}

const DEFAULT_MAX_AGE_MS = 60 * 60 * 1000;

export class Notifier {
  private readonly outbox: Outbox;
  private readonly now: () => number;
  private readonly maxAgeMs: number;
  /** Per thread, the tags of its approvals and question not yet settled. */
  private readonly open = new Map<string, Set<string>>();
  private readonly onEvent = (thread: Thread, numbered: NumberedEvent): void => {
    // Thread events are emitted synchronously from the agent's run: a throw here would land in it.
    try {
      this.handle(thread, numbered);
    } catch (err) {
      this.options.log.error("could not prepare a notification", {
        thread: thread.id,
        seq: numbered.seq,
        error: (err as Error).name,
      });
    }
  };
  private readonly disposables = new DisposableStore();

  /** Starts listening: only events from now on notify, never a thread's history. */
  constructor(private readonly options: NotifierOptions) {
    this.now = options.now ?? Date.now;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.outbox = new Outbox({
      link: options.link,
      keys: options.identity,
      log: options.log,
      now: this.now,
      ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
      ...(options.maxQueued ? { maxQueued: options.maxQueued } : {}),
    });
    this.disposables.defer(() => this.outbox.close());
    this.disposables.defer(() => this.open.clear());
    this.disposables.add(listen(options.threads, "event", this.onEvent));
  }

  /** Notifications waiting for the link to open. */
  get queued(): number {
    return this.outbox.queued;
  }

  /** Idempotent: stops listening and drops what waits to be sent. */
  close(): void {
    this.disposables.dispose();
  }

  private handle(thread: Thread, { seq, event }: NumberedEvent): void {
    const { workspace } = this.options;
    const threadId = thread.id;
    switch (event.type) {
      case "approval-requested":
        return this.prompt(threadId, tags.approval(event.approvalId), {
          type: "approval",
          threadId,
          approvalId: event.approvalId,
          title: approvalTitle(event, workspace),
          body: approvalBody(event, workspace),
        });
      case "question":
        return this.prompt(threadId, tags.question(event.questionId), {
          type: "question",
          threadId,
          questionId: event.questionId,
          title: questionTitle(workspace),
          body: questionBody(event.text),
        });
      case "approval-resolved":
        return this.settle(threadId, tags.approval(event.approvalId));
      case "answer":
        return this.settle(threadId, tags.question(event.questionId));
      case "status":
        return this.status(thread, seq, event);
      default:
        return;
    }
  }

  private prompt(threadId: string, tag: string, payload: Notification["payload"]): void {
    const open = this.open.get(threadId) ?? new Set<string>();
    open.add(tag);
    this.open.set(threadId, open);
    // No expiry: an approval still waiting is worth showing however late the link opens, and
    // one settled meanwhile is taken out of the queue by its settle.
    this.outbox.send({ tag, threadId, payload, urgency: "high" });
  }

  private settle(threadId: string, closeTag: string): void {
    const open = this.open.get(threadId);
    open?.delete(closeTag);
    if (open?.size === 0) this.open.delete(threadId);
    this.outbox.settle(closeTag, {
      tag: tags.settled(closeTag),
      threadId,
      payload: { type: "settled", threadId, closeTag },
      urgency: "normal",
    });
  }

  private status(thread: Thread, seq: number, event: Extract<ThreadEvent, { type: "status" }>): void {
    if (!ENDED_STATUSES.includes(event.status)) return;
    // A note said in the status the thread is already in (a hook's output as a run ends) is no new end.
    if (event.detail !== undefined && statusBefore(thread, seq) === event.status) return;
    // A stopped run leaves its question unanswered (and nothing else settles it): close it now.
    for (const tag of [...(this.open.get(thread.id) ?? [])]) this.settle(thread.id, tag);
    if (event.status !== "done" && event.status !== "failed") return;
    this.outbox.send({
      tag: tags.finished(thread.id, seq),
      threadId: thread.id,
      payload: {
        type: "finished",
        threadId: thread.id,
        status: event.status,
        title: finishedTitle(event.status, thread.title),
        body: finishedBody(event.status, thread.events, seq),
      },
      urgency: "normal",
      expiresAt: this.now() + this.maxAgeMs,
    });
  }
}

/** The thread's status as it was before event `seq`. */
function statusBefore(thread: Thread, seq: number): string | undefined {
  const events = thread.events;
  for (let i = events.length - 1; i >= 0; i--) {
    const { seq: at, event } = events[i]!;
    if (at < seq && event.type === "status") return event.status;
  }
  return undefined;
}
