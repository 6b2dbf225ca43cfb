// One agent thread: its numbered durable events and what follows from them (status, title,
// pending approvals, the open question). The events are the truth; everything else here is
// derived from them, so a thread loaded from disk is the thread that was saved.

import { EventEmitter } from "node:events";
import type { NewThreadEvent, PolicyMode, ThreadEvent, ThreadStatus, ThreadSummary, WorktreeState } from "#protocol";
import type { AppliedBy, NumberedEvent, ThreadStore } from "./threadStore";

export interface PendingApproval {
  approvalId: string;
  title: string;
}

export interface ThreadEvents {
  /** A durable event was appended (and saved). */
  event: [numbered: NumberedEvent];
}

export const titleOf = (text: string): string => {
  const line = text.trim().split("\n")[0]!.trim();
  return line.length > 80 ? line.slice(0, 79) + "…" : line;
};

export class Thread extends EventEmitter<ThreadEvents> {
  private readonly list: NumberedEvent[] = [];
  private currentStatus: ThreadStatus = "queued";
  private readonly pendingApprovals = new Map<string, PendingApproval>();
  /** Approval id → who decided what, for "already decided by …". */
  private readonly resolved = new Map<string, { by: string; decision: string }>();
  private openQuestion: { questionId: string; text: string } | undefined;
  private answeredQuestions = new Set<string>();
  private task: Extract<ThreadEvent, { type: "task" }> | undefined;
  /** The last thing that happened to its files was a revert that put some back. */
  private revertedNow = false;
  private updated = 0;

  constructor(
    readonly id: string,
    private readonly store: ThreadStore,
    now: () => number,
    loaded: readonly NumberedEvent[] = [],
  ) {
    super();
    this.now = now;
    for (const numbered of loaded) this.apply(numbered);
  }

  private readonly now: () => number;

  get events(): readonly NumberedEvent[] {
    return this.list;
  }

  get lastSeq(): number {
    return this.list.length;
  }

  get status(): ThreadStatus {
    return this.currentStatus;
  }

  get title(): string {
    return this.task?.title ?? "Untitled";
  }

  get mode(): PolicyMode {
    return this.task?.mode ?? "ask";
  }

  get model(): string {
    return this.task?.model ?? "";
  }

  get createdAt(): number {
    return this.task?.at ?? 0;
  }

  get question(): { questionId: string; text: string } | undefined {
    return this.openQuestion;
  }

  pending(approvalId: string): PendingApproval | undefined {
    return this.pendingApprovals.get(approvalId);
  }

  /** Who decided an approval that is no longer pending. */
  decidedBy(approvalId: string): { by: string; decision: string } | undefined {
    return this.resolved.get(approvalId);
  }

  wasAnswered(questionId: string): boolean {
    return this.answeredQuestions.has(questionId);
  }

  /** Stamps, numbers, saves and announces a new event; `by`: the phone's command it applies. */
  append(event: NewThreadEvent, by?: AppliedBy): NumberedEvent {
    const numbered: NumberedEvent = { seq: this.list.length + 1, event: { ...event, at: this.now() } as ThreadEvent };
    this.store.append(this.id, numbered, by);
    this.apply(numbered);
    this.emit("event", numbered);
    return numbered;
  }

  /** Appends a status event when the status changes. */
  setStatus(status: ThreadStatus, detail?: string): void {
    if (status === this.currentStatus && detail === undefined) return;
    this.append(detail === undefined ? { type: "status", status } : { type: "status", status, detail });
  }

  /** `worktree`: the thread's own branch and where its worktree stands, when it has one. */
  summary(workspace: string, worktree?: { branch: string; state: WorktreeState }): ThreadSummary {
    return {
      threadId: this.id,
      title: this.title,
      workspace: this.task?.workspace ?? workspace,
      status: this.currentStatus,
      pending: [...this.pendingApprovals.values()],
      ...(this.openQuestion ? { question: this.openQuestion.text } : {}),
      ...(this.revertedNow ? { reverted: true as const } : {}),
      lastSeq: this.lastSeq,
      createdAt: this.createdAt,
      updatedAt: this.updated,
      model: this.model,
      mode: this.mode,
      ...(this.task?.agent ? { agent: this.task.agent.name } : {}),
      ...(worktree ? { branch: worktree.branch, worktree: worktree.state } : {}),
    };
  }

  private apply(numbered: NumberedEvent): void {
    this.list.push(numbered);
    const e = numbered.event;
    this.updated = e.at;
    switch (e.type) {
      case "task":
        this.task = e;
        break;
      case "status":
        this.currentStatus = e.status;
        break;
      case "approval-requested":
        this.pendingApprovals.set(e.approvalId, {
          approvalId: e.approvalId,
          title: e.kind === "command" ? (e.command ?? "") : `edit ${e.path ?? ""}`,
        });
        break;
      case "approval-resolved":
        this.pendingApprovals.delete(e.approvalId);
        this.resolved.set(e.approvalId, { by: e.by.name, decision: e.decision });
        break;
      case "question":
        this.openQuestion = { questionId: e.questionId, text: e.text };
        break;
      case "answer":
        this.answeredQuestions.add(e.questionId);
        if (this.openQuestion?.questionId === e.questionId) this.openQuestion = undefined;
        break;
      // Same rule as the phone's `isReverted` (mobile-web/src/threads/timeline.ts).
      case "file-change":
        this.revertedNow = false;
        break;
      case "reverted":
        if (e.files.length > 0) this.revertedNow = true;
        break;
      default:
        break;
    }
  }
}
