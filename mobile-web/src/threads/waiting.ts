// What waits for the person across every paired computer: each approval and question the hosts'
// thread summaries list, with the request itself when this phone has its event, merged into one
// list for the Computers screen. Pure, so the rules are tested without a browser.

import type { Command } from "#protocol";
import type { CachedThread } from "./cache";
import type { NumberedEvent, ApprovalRequest, QuestionEvent } from "./timelineItems";
import { pendingApprovals, pendingQuestion } from "./pending";

/** What the phone can say about a computer: reachable (or the outbox keeps what is sent), or away. */
export type Reach = { kind: "reachable" } | { kind: "offline"; since: number };

/** A paired computer as the feed needs it; computers unpaired or no longer listed are left out by the caller. */
export interface FeedHost {
  hostId: string;
  name: string;
  reach: Reach;
}

/** What a thread's cached events say waits in it (see {@link waitingDetail}). */
export interface WaitingDetail {
  /** Approval requests without a decision in the current run, oldest first. */
  approvals: ApprovalRequest[];
  /** Approvals the events show decided, or taken away by the end of a run. */
  settled: string[];
  question: QuestionEvent | null;
  /** The newest event read: a summary older than this says nothing the events do not. */
  upTo: number;
}

interface ItemBase {
  /** Stable across updates: host, thread and what waits. */
  key: string;
  hostId: string;
  threadId: string;
  computer: string;
  threadTitle: string;
  /** When it began to wait: the request's time, or the summary's while the event is not here yet. */
  at: number;
  reach: Reach;
  /** A decision or answer made on this phone waits in its outbox. */
  unsent: boolean;
}

export type WaitingItem =
  | (ItemBase & { kind: "approval"; approvalId: string; title: string; request: ApprovalRequest | null })
  | (ItemBase & { kind: "question"; text: string; question: QuestionEvent | null });

export interface FeedInput {
  hosts: readonly FeedHost[];
  threads: readonly CachedThread[];
  /** By {@link threadKey}. */
  details: Readonly<Record<string, WaitingDetail>>;
  /** Commands in the outbox (`threads/outbox.ts`). */
  unsent: readonly { hostId: string; command: Command }[];
  /**
   * Item keys decided or answered from this phone: hidden once the command left the outbox, until
   * the host's summary no longer lists them.
   */
  done: ReadonlySet<string>;
}

export const threadKey = (hostId: string, threadId: string): string => `${hostId}/${threadId}`;
export const approvalKey = (hostId: string, threadId: string, approvalId: string): string =>
  `${threadKey(hostId, threadId)}/a/${approvalId}`;
/** Per question: a thread can ask again after an answer. Without its id while only the summary is here. */
export const questionKey = (hostId: string, threadId: string, questionId?: string): string =>
  `${threadKey(hostId, threadId)}/q${questionId === undefined ? "" : `/${questionId}`}`;

/** Reads what waits in a thread from its events (the newest part of it will do). */
export function waitingDetail(events: readonly NumberedEvent[]): WaitingDetail {
  const approvals = pendingApprovals(events);
  const open = new Set(approvals.map((a) => a.approvalId));
  const settled: string[] = [];
  for (const { event } of events) {
    if (event.type === "approval-requested" && !open.has(event.approvalId)) settled.push(event.approvalId);
  }
  const upTo = events.reduce((n, e) => Math.max(n, e.seq), 0);
  return { approvals, settled, question: pendingQuestion(events), upTo };
}

/** True when a detail read from part of a thread's events misses something its summary lists. */
export function detailIncomplete(thread: CachedThread, detail: WaitingDetail): boolean {
  const summary = thread.summary;
  if (!summary) return false;
  const known = new Set([...detail.approvals.map((a) => a.approvalId), ...detail.settled]);
  return summary.pending.some((p) => !known.has(p.approvalId)) || (summary.question !== undefined && !detail.question);
}

/**
 * Every item waiting on every computer, oldest first: the one that has held its run up longest
 * comes first, within a thread the agent's order is kept, and a newly arrived item joins at the
 * end instead of moving the cards under the person's thumb.
 */
export function waitingItems(input: FeedInput): WaitingItem[] {
  const hosts = new Map(input.hosts.map((h) => [h.hostId, h]));
  const decisions = new Set<string>();
  const answers = new Set<string>();
  for (const { hostId, command } of input.unsent) {
    if (command.type === "decide") decisions.add(approvalKey(hostId, command.threadId, command.approvalId));
    if (command.type === "answer") answers.add(questionKey(hostId, command.threadId, command.questionId));
  }
  const items: { item: WaitingItem; order: number }[] = [];
  for (const thread of input.threads) {
    const host = hosts.get(thread.hostId);
    const summary = thread.summary;
    if (!host || !summary) continue;
    const { hostId, threadId } = thread;
    const detail = input.details[threadKey(hostId, threadId)];
    const base = { hostId, threadId, computer: host.name, threadTitle: summary.title, reach: host.reach };
    summary.pending.forEach(({ approvalId, title }, index) => {
      const key = approvalKey(hostId, threadId, approvalId);
      const unsent = decisions.has(key);
      // The summary can trail the events by a moment: a decision the events hold already counts.
      if ((input.done.has(key) && !unsent) || detail?.settled.includes(approvalId)) return;
      const request = detail?.approvals.find((a) => a.approvalId === approvalId) ?? null;
      items.push({
        order: index,
        item: {
          ...base,
          key,
          at: request?.at ?? summary.updatedAt,
          unsent,
          kind: "approval",
          approvalId,
          title,
          request,
        },
      });
    });
    const question = detail?.question ?? null;
    const key = questionKey(hostId, threadId, question?.questionId);
    const unsent = answers.has(key);
    // Events as new as the summary that hold no open question: it was answered, the summary trails.
    const answered = detail !== undefined && !question && detail.upTo >= summary.lastSeq;
    if (summary.question !== undefined && !answered && (!input.done.has(key) || unsent)) {
      items.push({
        order: summary.pending.length,
        item: {
          ...base,
          key,
          at: question?.at ?? summary.updatedAt,
          unsent,
          kind: "question",
          text: summary.question,
          question,
        },
      });
    }
  }
  return items
    .sort(
      (a, b) =>
        a.item.at - b.item.at ||
        a.item.computer.localeCompare(b.item.computer) ||
        a.item.hostId.localeCompare(b.item.hostId) ||
        a.item.threadId.localeCompare(b.item.threadId) ||
        a.order - b.order,
    )
    .map(({ item }) => item);
}
