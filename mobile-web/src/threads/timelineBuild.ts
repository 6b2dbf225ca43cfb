// What the timeline's steps share while they fold a thread's events into items (timeline.ts
// for Tether's own events, timelineAgent.ts for an outside agent's).

import type { ThreadEvent } from "#protocol";
import type { TimelineItem, ToolItem, ToolState } from "./timelineItems";

export type EventOf<T extends ThreadEvent["type"]> = Extract<ThreadEvent, { type: T }>;
export type ApprovalItem = Extract<TimelineItem, { kind: "approval" }>;
export type QuestionItem = Extract<TimelineItem, { kind: "question" }>;
export type MessageItem = Extract<TimelineItem, { kind: "message" }>;

export interface Building {
  items: TimelineItem[];
  tools: Map<string, ToolItem>;
  approvals: Map<string, ApprovalItem>;
  questions: Map<string, QuestionItem>;
  /** Tool calls without a result yet, oldest first. */
  openCalls: ToolItem[];
  /** The call each approval was asked for. */
  approvalCall: Map<string, string>;
  /** The last call, when it was killed before it exited: a stop of the run right after it is what killed it. */
  killed: ToolItem | undefined;
  /** Calls that ran after an approval: their clock starts at the decision. */
  approved: Set<ToolItem>;
  /**
   * An outside agent runs the thread: its tool calls run side by side, so a call ends with its
   * result or the run, never because another began.
   */
  agent: boolean;
  /** A run is going (a message sent now reaches an outside agent when its step ends). */
  running: boolean;
  /** Messages sent to an outside agent mid-step that its next turn has not picked up yet. */
  waiting: MessageItem[];
  /** The task, to mark it as continuing a session when that session's history follows it. */
  task: Extract<TimelineItem, { kind: "task" }> | undefined;
}

export function newBuilding(): Building {
  return {
    items: [],
    tools: new Map(),
    approvals: new Map(),
    questions: new Map(),
    openCalls: [],
    approvalCall: new Map(),
    killed: undefined,
    approved: new Set(),
    agent: false,
    running: false,
    waiting: [],
    task: undefined,
  };
}

/** Where an item starts: its key, its seq and its time. */
export interface Base {
  key: string;
  seq: number;
  at: number;
}

export type Step<T extends ThreadEvent["type"]> = (b: Building, e: EventOf<T>, base: Base) => void;

/** The calls still open are over: the run moved on without their results. */
export function closeOpenCalls(b: Building, state: ToolState = "failed"): void {
  b.killed = undefined;
  for (const call of b.openCalls.splice(0)) {
    call.interrupted = true;
    call.running = false;
    call.waiting = false;
    call.state = state;
  }
}

/**
 * A new model step began: with Tether's own agent, the calls of the step before have all
 * answered. An outside agent's calls may still be running beside the new step.
 */
export function stepBegan(b: Building): void {
  if (!b.agent) closeOpenCalls(b);
}

/** The outside agent took its next turn: messages sent during the last one have reached it. */
export function turnTaken(b: Building): void {
  for (const message of b.waiting.splice(0)) message.waitsForTurn = false;
}

export function toolItem(
  base: Base,
  fields: Pick<ToolItem, "callId" | "tool" | "title" | "args" | "running" | "startedAt">,
): ToolItem {
  return { ...base, kind: "tool", ...fields, state: "running", waiting: false, interrupted: false };
}
