// Waiting for a person, for any kind of run on a thread: an approval the gate left to them, or
// a question the agent asked. Each wait is recorded on the thread (`approval-requested` and
// `approval-resolved`, `question` and `answer`) with the thread's status, lasts as long as the
// person takes, and ends at once when the run is stopped. A run driven by Tether's own model
// and one driven by an outside agent wait the same way, so phones see one kind of request.

import {
  ErrorCode,
  MAX_WHY_CHARS,
  TetherError,
  randomId,
  type AgentPermissionOption,
  type Decision,
  type DeviceRef,
} from "#protocol";
import type { Thread } from "./thread";

/** What a wait rejects with when the run is stopped; callers treat it as the run stopping. */
export class Stopped extends Error {
  constructor() {
    super("stopped");
    this.name = "AbortError";
  }
}

export const isAbort = (err: unknown): boolean => err instanceof Error && err.name === "AbortError";

/** A person's decision, with what they wrote beside it and the outside agent's option they chose. */
export type Verdicted = { decision: Decision; message?: string; optionId?: string };

/** What the person is asked to approve, as `approval-requested` records it. */
export interface ApprovalRequest {
  callId: string;
  tool: string;
  kind: "command" | "edit";
  command?: string;
  cwd?: string;
  path?: string;
  diff?: string;
  /** The agent's reason; empty gives its last words before the request. */
  reason: string;
  rule: string;
  /** The policy's reason, in plain words. */
  why: string;
  /** The rule "Always on this computer" would add; absent when that choice is not offered. */
  computerRule?: string | undefined;
  /** An outside agent's own choices on this request; a decision picks one of its kind. */
  options?: readonly AgentPermissionOption[] | undefined;
}

/** What a decision means beyond this one call: the gate that asked supplies it. */
export interface ApprovalTerms {
  /** Runs before a decision is recorded; throws a `TetherError` to refuse one the request cannot take. */
  admit(decision: Decision, by: DeviceRef, optionId?: string): void;
  /** Runs as the decision is recorded, so what it keeps is saved with it. */
  recorded(decision: Decision): void;
}

interface Waiting<T> {
  id: string;
  resolve: (value: T) => void;
}

export interface PersonWaitDeps {
  thread: Thread;
  /** The run's signal: a stop ends every wait. */
  signal: AbortSignal;
  /** Resolves when the run may go on after a decision (see `RunDeps.beforeResume`). */
  beforeResume?: (() => Promise<void>) | undefined;
}

export class PersonWait {
  private pendingApproval: (Waiting<Verdicted> & { terms: ApprovalTerms }) | undefined;
  private pendingQuestion: Waiting<string> | undefined;
  /** Time spent waiting for decisions, which a step's duration leaves out. */
  private waited = 0;

  constructor(private readonly deps: PersonWaitDeps) {}

  get waitedMs(): number {
    return this.waited;
  }

  /** Records the request and waits for a decision; rejects with `Stopped` when the run stops. */
  async requestApproval(request: ApprovalRequest, terms: ApprovalTerms): Promise<Verdicted> {
    const { thread, signal } = this.deps;
    const approvalId = randomId(9);
    const reason = request.reason.trim() || lastAssistantText(thread) || "The agent gave no reason.";
    const asked = Date.now();
    const verdict = await new Promise<Verdicted>((resolve, reject) => {
      const onAbort = (): void => reject(new Stopped());
      signal.addEventListener("abort", onAbort, { once: true });
      this.pendingApproval = {
        id: approvalId,
        resolve: (v) => {
          signal.removeEventListener("abort", onAbort);
          resolve(v);
        },
        terms,
      };
      const { why, computerRule, options, ...rest } = request;
      const said = why.trim().slice(0, MAX_WHY_CHARS);
      thread.append({
        type: "approval-requested",
        approvalId,
        ...rest,
        reason,
        ...(said ? { why: said } : {}),
        ...(computerRule !== undefined ? { computerRule } : {}),
        ...(options && options.length > 0 ? { options: [...options] } : {}),
      });
      thread.setStatus("awaiting-approval");
    });
    await this.deps.beforeResume?.();
    this.waited += Date.now() - asked;
    return verdict;
  }

  /** Records the question and waits for the answer; rejects with `Stopped` when the run stops. */
  ask(text: string): Promise<string> {
    const { thread, signal } = this.deps;
    const questionId = randomId(9);
    return new Promise<string>((resolve, reject) => {
      const onAbort = (): void => reject(new Stopped());
      signal.addEventListener("abort", onAbort, { once: true });
      this.pendingQuestion = {
        id: questionId,
        resolve: (answer) => {
          signal.removeEventListener("abort", onAbort);
          resolve(answer);
        },
      };
      thread.append({ type: "question", questionId, text });
      thread.setStatus("awaiting-answer");
    });
  }

  /** A person's decision on the pending approval. Throws when there is nothing to decide. */
  decide(approvalId: string, decision: Decision, message: string | undefined, by: DeviceRef, optionId?: string): void {
    const { thread } = this.deps;
    if (!this.pendingApproval || this.pendingApproval.id !== approvalId) {
      const earlier = thread.decidedBy(approvalId);
      if (earlier) throw new TetherError(ErrorCode.Conflict, `Already decided by ${earlier.by} (${earlier.decision}).`);
      throw new TetherError(ErrorCode.NotFound, "That approval is not waiting for a decision.");
    }
    this.pendingApproval.terms.admit(decision, by, optionId);
    this.resolve(decision, message, by, optionId);
  }

  /** Ends the pending approval, if any, as stopped by `by` (the run is stopping). */
  stopPending(by: DeviceRef): void {
    if (this.pendingApproval) this.resolve("stop", undefined, by);
  }

  answer(questionId: string, text: string, by: DeviceRef): void {
    const { thread } = this.deps;
    if (!this.pendingQuestion || this.pendingQuestion.id !== questionId) {
      if (thread.wasAnswered(questionId)) throw new TetherError(ErrorCode.Conflict, "That question was already answered.");
      throw new TetherError(ErrorCode.NotFound, "That question is not waiting for an answer.");
    }
    const waiting = this.pendingQuestion;
    this.pendingQuestion = undefined;
    thread.append({ type: "answer", questionId, text, by });
    thread.setStatus("running");
    waiting.resolve(text);
  }

  private resolve(decision: Decision, message: string | undefined, by: DeviceRef, optionId?: string): void {
    const waiting = this.pendingApproval!;
    this.pendingApproval = undefined;
    const { thread } = this.deps;
    const chosen = optionId !== undefined ? { optionId } : {};
    thread.append({
      type: "approval-resolved",
      approvalId: waiting.id,
      decision,
      ...(message ? { message } : {}),
      by,
      ...chosen,
    });
    waiting.terms.recorded(decision);
    if (decision !== "stop") thread.setStatus("running");
    waiting.resolve({ decision, ...(message ? { message } : {}), ...chosen });
  }
}

/**
 * Refuses a decision or an answer that came after the thread's run ended, saying why: decided
 * already, or nothing left waiting.
 */
export function refuseEnded(thread: Thread, what: { approvalId: string } | { questionId: string }): never {
  if ("approvalId" in what) {
    const earlier = thread.decidedBy(what.approvalId);
    if (earlier) throw new TetherError(ErrorCode.Conflict, `Already decided by ${earlier.by} (${earlier.decision}).`);
    throw new TetherError(ErrorCode.Conflict, `The run has ended (${thread.status}); there is nothing left to decide.`);
  }
  if (thread.wasAnswered(what.questionId)) throw new TetherError(ErrorCode.Conflict, "That question was already answered.");
  throw new TetherError(ErrorCode.Conflict, `The run has ended (${thread.status}); there is no question waiting.`);
}

/** The agent's last words before the request, as its reason when it gave none. */
function lastAssistantText(thread: Thread): string {
  for (let i = thread.events.length - 1; i >= 0; i--) {
    const e = thread.events[i]!.event;
    if (e.type === "assistant-text") return e.text.trim().slice(0, 500);
    if (e.type === "user-message" || e.type === "task") return "";
  }
  return "";
}
