// What a thread screen shows, item by item: the shapes `buildTimeline` (timeline.ts) makes of a
// thread's events, one per thing a person reads.

import type { Decision, DeviceRef, NumberedEvent, PolicyMode, ThreadEvent, ThreadStatus, ToolLocation } from "#protocol";

export type { NumberedEvent };

/**
 * The ephemeral state of the open thread. `text` is streaming text by step (the thread's
 * lastSeq when the model call began); `output` is a running command's output by tool call id.
 */
export interface LiveView {
  text?: Readonly<Record<number, string>>;
  /** An outside agent's streaming reasoning by step, until its `thought` event lands. */
  thought?: Readonly<Record<number, string>>;
  output?: Readonly<Record<string, string>>;
  /** Characters each call's output ever had, of which `output` keeps the newest. */
  received?: Readonly<Record<string, number>>;
  /** Each call's `output` as the chunks it came in, newest last. */
  chunks?: Readonly<Record<string, readonly string[]>>;
}

type EventOf<T extends ThreadEvent["type"]> = Extract<ThreadEvent, { type: T }>;

export type ApprovalRequest = EventOf<"approval-requested">;
export type QuestionEvent = EventOf<"question">;

export interface ApprovalResolution {
  decision: Decision;
  by: DeviceRef;
  message?: string;
  /** The outside agent's option the decision chose. */
  optionId?: string;
  at: number;
}

/** A diff an outside agent showed with a tool's result. */
export interface ToolDiff {
  path: string;
  diff: string;
  added: number;
  removed: number;
}

export interface ToolResult {
  ok: boolean;
  output: string;
  truncated?: string;
  exitCode?: number | null;
  durationMs?: number;
  /** An outside agent's own edits, shown with the result. */
  diffs?: ToolDiff[];
  at: number;
}

/**
 * `running` includes waiting for an approval; `failed` includes a call its run left unfinished;
 * `stopped` is a call killed or cut short because the run was stopped.
 */
export type ToolState = "running" | "ok" | "failed" | "stopped";

interface Base {
  /** Stable across rebuilds, for keyed `{#each}`. */
  key: string;
  /** The event's number; null for the live (streaming) item. */
  seq: number | null;
  at: number;
}

export type TimelineItem =
  | (Base & {
      kind: "task";
      text: string;
      title: string;
      workspace: string;
      by: DeviceRef;
      mode: PolicyMode;
      model: string;
      /** The outside agent that runs it, by name; absent for Tether's own. */
      agent?: string;
      /** It continues a session started on the computer, whose history follows it. */
      continues?: boolean;
    })
  | (Base & {
      kind: "message";
      text: string;
      by: DeviceRef;
      /** Sent to an outside agent mid-step: it reads it when that step ends. */
      waitsForTurn?: boolean;
      /** Said on the computer, in the session this thread continues (its history). */
      history?: boolean;
    })
  | (Base & { kind: "text"; text: string; streaming: boolean })
  | (Base & { kind: "thought"; text: string; streaming: boolean })
  | (Base & {
      kind: "tool";
      callId: string;
      tool: string;
      title: string;
      args: Record<string, unknown>;
      /** An outside agent's kind of tool: `read`, `edit`, `execute`, … */
      toolKind?: string;
      /** Files it acts on, as the agent named them. */
      locations?: ToolLocation[];
      result?: ToolResult;
      /** Output streamed while the call runs (ANSI colours included); absent once the store settled it. */
      liveOutput?: string;
      /** Characters the live output ever had (it keeps only the newest), so a view can append. */
      liveReceived?: number;
      /** The live output as the chunks it came in, so a view reads what is new without copying it all. */
      liveChunks?: readonly string[];
      state: ToolState;
      running: boolean;
      /** Waiting for a person to approve it. */
      waiting: boolean;
      /** The call ended without a result (the run was stopped or the host went away). */
      interrupted: boolean;
      /** When it began doing something: the approval's time when it had to wait for one. */
      startedAt: number;
    })
  | (Base & {
      kind: "approval";
      request: ApprovalRequest;
      resolved?: ApprovalResolution;
      /** The run ended without a decision: nothing is waiting for one any more. */
      closed: boolean;
    })
  | (Base & {
      kind: "question";
      questionId: string;
      /** Empty when only the answer has arrived so far. */
      text: string;
      answer?: { text: string; by: DeviceRef; at: number };
      /** The run ended without an answer. */
      closed: boolean;
    })
  | (Base & {
      kind: "file-change";
      path: string;
      change: "created" | "modified" | "deleted";
      diff: string;
      added: number;
      removed: number;
      truncated: boolean;
    })
  | (Base & { kind: "status"; status: ThreadStatus; detail?: string })
  | (Base & { kind: "retry"; attempt: number; inMs: number; message: string })
  | (Base & { kind: "summary"; text: string })
  | (Base & { kind: "error"; message: string })
  | (Base & { kind: "reverted"; files: string[]; skipped: string[]; by: DeviceRef })
  /** Something a person did with git (or the host's worktree for the task): see `git/gitWords.ts`. */
  | (Base & { kind: "git"; git: EventOf<"git"> });

export type TimelineKind = TimelineItem["kind"];
export type ToolItem = Extract<TimelineItem, { kind: "tool" }>;
