// What in a thread waits for a person: approvals without a decision, a question without an
// answer. Apart from the timeline, so the first screen (the list of what waits on every
// computer) loads without it.

import { lastRunEnd, ordered } from "./eventOrder";
import type { ApprovalRequest, NumberedEvent, QuestionEvent } from "./timelineItems";

/** Approval requests still waiting for a decision, oldest first. */
export function pendingApprovals(events: readonly NumberedEvent[]): ApprovalRequest[] {
  const list = ordered(events);
  const ended = lastRunEnd(list);
  const resolved = new Set<string>();
  for (const { event } of list) if (event.type === "approval-resolved") resolved.add(event.approvalId);
  const pending: ApprovalRequest[] = [];
  for (const { seq, event } of list) {
    // A run that ended took its requests with it, even if their decision is in a hole.
    if (event.type === "approval-requested" && seq > ended && !resolved.has(event.approvalId)) pending.push(event);
  }
  return pending;
}

/** The question the agent is waiting on, if any. */
export function pendingQuestion(events: readonly NumberedEvent[]): QuestionEvent | null {
  const list = ordered(events);
  const ended = lastRunEnd(list);
  const answered = new Set<string>();
  for (const { event } of list) if (event.type === "answer") answered.add(event.questionId);
  for (let i = list.length - 1; i >= 0; i--) {
    const { seq, event } = list[i]!;
    if (seq <= ended) return null;
    if (event.type === "question") return answered.has(event.questionId) ? null : event;
  }
  return null;
}
