// What a thread screen shows, worked out from the thread's durable events and the live
// stream: one item per thing a person reads (a tool call with its result, an approval with its
// decision, a question with its answer). Pure and free of Svelte, so the tests reach it.
//
// Events may arrive with holes while a phone catches up; every rule here renders what is there
// and never assumes the event before or after exists.

import type { Decision, DeviceRef, PolicyMode, ThreadEvent, ThreadStatus } from "../../../protocol/index";
import { decidedWords } from "../../../protocol/approvalWords";
import { lastChars } from "./cache";

export interface NumberedEvent {
  seq: number;
  event: ThreadEvent;
}

/**
 * The ephemeral state of the open thread. `text` is streaming text by step (the thread's
 * lastSeq when the model call began); `output` is a running command's output by tool call id.
 */
export interface LiveView {
  text?: Readonly<Record<number, string>>;
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
  at: number;
}

export interface ToolResult {
  ok: boolean;
  output: string;
  truncated?: string;
  exitCode?: number | null;
  durationMs?: number;
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
    })
  | (Base & { kind: "message"; text: string; by: DeviceRef })
  | (Base & { kind: "text"; text: string; streaming: boolean })
  | (Base & {
      kind: "tool";
      callId: string;
      tool: string;
      title: string;
      args: Record<string, unknown>;
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
  | (Base & { kind: "reverted"; files: string[]; skipped: string[]; by: DeviceRef });

export type TimelineKind = TimelineItem["kind"];
export type ToolItem = Extract<TimelineItem, { kind: "tool" }>;

const ENDED: readonly ThreadStatus[] = ["done", "failed", "stopped"];
/** Statuses worth a line of their own; the others show in the header badge. */
const NOTABLE: readonly ThreadStatus[] = ["queued", "done", "failed", "stopped"];

/** In seq order, each seq once: the cache merges, but a screen may hand in anything. */
function ordered(events: readonly NumberedEvent[]): readonly NumberedEvent[] {
  let sorted = true;
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq <= events[i - 1]!.seq) {
      sorted = false;
      break;
    }
  }
  if (sorted) return events;
  const bySeq = new Map<number, NumberedEvent>();
  for (const e of events) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** An event after which a run that was going is over. */
const endsRun = (e: ThreadEvent): boolean => e.type === "status" && (ENDED.includes(e.status) || e.status === "queued");

/** An event that shows the model call begun at `step` has ended. */
const endsStep = (e: ThreadEvent): boolean =>
  e.type === "assistant-text" || e.type === "tool-call" || e.type === "summary" || e.type === "error" || endsRun(e);

/** Seq of the last event that ended a run, or 0. */
function lastRunEnd(events: readonly NumberedEvent[]): number {
  for (let i = events.length - 1; i >= 0; i--) if (endsRun(events[i]!.event)) return events[i]!.seq;
  return 0;
}

export function buildTimeline(events: readonly NumberedEvent[], live: LiveView = {}): TimelineItem[] {
  const list = ordered(events);
  const items: TimelineItem[] = [];
  const tools = new Map<string, ToolItem>();
  const approvals = new Map<string, Extract<TimelineItem, { kind: "approval" }>>();
  const questions = new Map<string, Extract<TimelineItem, { kind: "question" }>>();
  /** Tool calls without a result yet, and approvals without a decision, by call id. */
  const openCalls: ToolItem[] = [];
  const approvalCall = new Map<string, string>();

  /** The last call, when it was killed before it exited: a stop of the run right after it is what killed it. */
  let killed: ToolItem | undefined;
  /** Calls that ran after an approval: their clock starts at the decision. */
  const approved = new Set<ToolItem>();

  const closeOpenCalls = (state: ToolState = "failed"): void => {
    killed = undefined;
    for (const call of openCalls.splice(0)) {
      call.interrupted = true;
      call.running = false;
      call.waiting = false;
      call.state = state;
    }
  };

  for (const { seq, event: e } of list) {
    const base = { key: `e${seq}`, seq, at: e.at };
    switch (e.type) {
      case "task":
        items.push({
          ...base,
          kind: "task",
          text: e.text,
          title: e.title,
          workspace: e.workspace,
          by: e.by,
          mode: e.mode,
          model: e.model,
        });
        break;
      case "user-message":
        items.push({ ...base, kind: "message", text: e.text, by: e.by });
        break;
      case "assistant-text":
        // A new model step: tool calls of the step before have all answered, whatever arrived.
        closeOpenCalls();
        items.push({ ...base, kind: "text", text: e.text, streaming: false });
        break;
      case "tool-call": {
        // Tools run one after another, so a new call means earlier ones are over.
        closeOpenCalls();
        const item: ToolItem = {
          ...base,
          kind: "tool",
          callId: e.callId,
          tool: e.tool,
          title: e.title,
          args: e.args,
          state: "running",
          running: true,
          waiting: false,
          interrupted: false,
          startedAt: e.at,
        };
        tools.set(e.callId, item);
        openCalls.push(item);
        items.push(item);
        break;
      }
      case "tool-result": {
        const result: ToolResult = {
          ok: e.ok,
          output: e.exitCode === undefined ? e.output : withoutExitLine(e.output, e.exitCode),
          ...(e.truncated !== undefined ? { truncated: e.truncated } : {}),
          ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}),
          at: e.at,
        };
        let item = tools.get(e.callId);
        if (e.durationMs !== undefined) {
          // Older hosts counted the wait for approval in the step's time; it starts at the decision.
          const approvedAt = item && approved.has(item) ? item.startedAt : undefined;
          result.durationMs = approvedAt === undefined ? e.durationMs : Math.min(e.durationMs, Math.max(0, e.at - approvedAt));
        }
        if (!item) {
          // Its call is in a hole of what has arrived: show the result under the tool's name.
          item = {
            ...base,
            kind: "tool",
            callId: e.callId,
            tool: e.tool,
            title: e.tool,
            args: {},
            state: "running",
            running: false,
            waiting: false,
            interrupted: false,
            startedAt: e.at - (e.durationMs ?? 0),
          };
          tools.set(e.callId, item);
          items.push(item);
        }
        item.result = result;
        item.state = e.ok ? "ok" : "failed";
        killed = !e.ok && e.exitCode === null ? item : undefined;
        item.running = false;
        item.waiting = false;
        item.interrupted = false;
        const open = openCalls.indexOf(item);
        if (open >= 0) openCalls.splice(open, 1);
        break;
      }
      case "approval-requested": {
        const item = { ...base, kind: "approval" as const, request: e, closed: false };
        approvals.set(e.approvalId, item);
        approvalCall.set(e.approvalId, e.callId);
        items.push(item);
        const call = tools.get(e.callId);
        if (call && !call.result) call.waiting = true;
        break;
      }
      case "approval-resolved": {
        const item = approvals.get(e.approvalId);
        // A decision whose request has not arrived has nothing to show yet.
        if (!item) break;
        item.resolved = { decision: e.decision, by: e.by, at: e.at, ...(e.message !== undefined ? { message: e.message } : {}) };
        const call = tools.get(approvalCall.get(e.approvalId) ?? "");
        if (call && !call.result) {
          call.waiting = false;
          if (e.decision !== "deny" && e.decision !== "stop") {
            call.startedAt = e.at;
            approved.add(call);
          }
        }
        break;
      }
      case "question": {
        const existing = questions.get(e.questionId);
        if (existing) {
          existing.text = e.text;
          break;
        }
        const item = { ...base, kind: "question" as const, questionId: e.questionId, text: e.text, closed: false };
        questions.set(e.questionId, item);
        items.push(item);
        break;
      }
      case "answer": {
        const answer = { text: e.text, by: e.by, at: e.at };
        const item = questions.get(e.questionId);
        if (item) item.answer = answer;
        else {
          const orphan = { ...base, kind: "question" as const, questionId: e.questionId, text: "", answer, closed: false };
          questions.set(e.questionId, orphan);
          items.push(orphan);
        }
        break;
      }
      case "file-change":
        foldChange(openCalls, e.path);
        items.push({
          ...base,
          kind: "file-change",
          path: e.path,
          change: e.change,
          diff: e.diff,
          added: e.added,
          removed: e.removed,
          truncated: e.truncated,
        });
        break;
      case "status": {
        const last = items.at(-1);
        // "Queued" matters while the thread waits; once it runs, the line would only be noise.
        if (e.status !== "queued" && last?.kind === "status" && last.status === "queued") items.pop();
        if (e.status === "stopped" && killed) killed.state = "stopped";
        if (endsRun(e)) {
          closeOpenCalls(e.status === "stopped" ? "stopped" : "failed");
          for (const q of questions.values()) if (!q.answer) q.closed = true;
          for (const a of approvals.values()) if (!a.resolved) a.closed = true;
        }
        if (NOTABLE.includes(e.status)) {
          items.push({ ...base, kind: "status", status: e.status, ...(e.detail !== undefined ? { detail: e.detail } : {}) });
        }
        break;
      }
      case "retry":
        items.push({ ...base, kind: "retry", attempt: e.attempt, inMs: e.inMs, message: e.message });
        break;
      case "summary":
        closeOpenCalls();
        items.push({ ...base, kind: "summary", text: e.text });
        break;
      case "error":
        items.push({ ...base, kind: "error", message: e.message });
        break;
      case "reverted":
        items.push({ ...base, kind: "reverted", files: e.files, skipped: e.skipped ?? [], by: e.by });
        break;
      default:
        // An event type from a newer host: nothing to show rather than a broken screen.
        break;
    }
  }

  // Live output belongs to a call this phone knows, and only while that call is still going.
  const output = live.output ?? {};
  for (const call of openCalls) {
    const chunk = Object.hasOwn(output, call.callId) ? output[call.callId] : undefined;
    if (chunk) {
      call.liveOutput = chunk;
      const received = live.received?.[call.callId];
      if (received !== undefined) call.liveReceived = received;
      const chunks = live.chunks?.[call.callId];
      if (chunks !== undefined) call.liveChunks = chunks;
    }
  }

  for (const streaming of liveText(list, live)) items.push(streaming);
  return items;
}

/** Arguments that carry a file's text: the file-change item shows them as a diff. */
const CHANGE_TEXT: Readonly<Record<string, readonly string[]>> = {
  edit_file: ["old_text", "new_text"],
  write_file: ["content"],
};

/**
 * A file changed while a call that edits it was open: the file-change item right after shows the
 * diff, so the call keeps its path and reason but not the same text a second time, raw.
 */
function foldChange(openCalls: readonly ToolItem[], path: string): void {
  const call = openCalls.findLast((c) => c.args["path"] === path && CHANGE_TEXT[c.tool] !== undefined);
  if (!call) return;
  const drop = CHANGE_TEXT[call.tool]!;
  call.args = Object.fromEntries(Object.entries(call.args).filter(([name]) => !drop.includes(name)));
}

/**
 * The host ends a command's output, for the model, with "exit code 0 (1.2 s)"; the row says the
 * exit code and the time already, so the terminal does not say them again.
 */
function withoutExitLine(output: string, exitCode: number | null): string {
  if (exitCode === null) return output;
  const line = new RegExp(`(?:^|\\n\\n)exit code ${exitCode} \\([^)\\n]*\\)$`);
  return output.replace(line, "");
}

/** The streaming text of model calls whose durable outcome has not arrived, oldest first. */
function liveText(list: readonly NumberedEvent[], live: LiveView): TimelineItem[] {
  const text = live.text ?? {};
  const steps = Object.keys(text)
    .map(Number)
    .filter((step) => Number.isInteger(step))
    .sort((a, b) => a - b);
  const out: TimelineItem[] = [];
  for (const step of steps) {
    const body = text[step] ?? "";
    if (!body.trim()) continue;
    if (list.some((n) => n.seq > step && endsStep(n.event))) continue;
    const at = list.length > 0 ? list[list.length - 1]!.event.at : 0;
    out.push({ key: `live${step}`, seq: null, at, kind: "text", text: body, streaming: true });
  }
  return out;
}

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

export interface RunningCommand {
  callId: string;
  command: string;
  startedAt: number;
  /** The newest line of its output, without colours, when some has streamed. */
  lastLine?: string;
}

/** The command running right now, for the sticky bar: not one waiting for approval. */
export function runningCommand(events: readonly NumberedEvent[], live: LiveView = {}): RunningCommand | null {
  const items = buildTimeline(events, live);
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.kind !== "tool") continue;
    if (!item.running || item.waiting || item.tool !== "run_command") return null;
    const command = typeof item.args["command"] === "string" ? item.args["command"] : item.title;
    const output = item.liveChunks ? lastChars(item.liveChunks, LAST_LINE_CHARS) : item.liveOutput;
    const line = output ? lastLineOf(output) : "";
    return { callId: item.callId, command, startedAt: item.startedAt, ...(line ? { lastLine: line } : {}) };
  }
  return null;
}

// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** How far back from the end the sticky bar looks for the last line drawn. */
const LAST_LINE_CHARS = 4000;

function lastLineOf(output: string): string {
  const tail = output.slice(-LAST_LINE_CHARS).replace(ESCAPES, "");
  const lines = tail.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    // A progress bar redraws its line after each \r: the last drawing is what is on screen.
    const drawn = lines[i]!.split("\r").filter((part) => part.trim() !== "");
    const line = drawn[drawn.length - 1]?.trim();
    if (line) return line.length > 200 ? `${line.slice(0, 199)}…` : line;
  }
  return "";
}

/**
 * Files this thread changed and that are still changed: a revert puts files back, so they
 * leave the list until the thread changes them again. In the order they were first changed.
 */
export function changedFiles(events: readonly NumberedEvent[]): string[] {
  const changed = new Set<string>();
  for (const { event } of ordered(events)) {
    if (event.type === "file-change") changed.add(event.path);
    else if (event.type === "reverted") for (const path of event.files) changed.delete(path);
  }
  return [...changed];
}

/**
 * Whether Revert can do anything: the run is over and changed files since the last revert
 * (a revert forgets what it put back and what it had to skip).
 */
export function canRevert(status: ThreadStatus, events: readonly NumberedEvent[]): boolean {
  if (!ENDED.includes(status)) return false;
  const list = ordered(events);
  for (let i = list.length - 1; i >= 0; i--) {
    const type = list[i]!.event.type;
    if (type === "file-change") return true;
    if (type === "reverted") return false;
  }
  return false;
}

/**
 * Whether the thread's changes are reverted: a revert that put files back came after its last
 * change. A revert that could put nothing back leaves the changes, and so the word, as they were.
 */
export function isReverted(events: readonly NumberedEvent[]): boolean {
  const list = ordered(events);
  for (let i = list.length - 1; i >= 0; i--) {
    const event = list[i]!.event;
    if (event.type === "file-change") return false;
    if (event.type === "reverted" && event.files.length > 0) return true;
  }
  return false;
}

export type StatusTone = "neutral" | "active" | "attention" | "success" | "danger";

/** A status as a badge says it, and the colour it takes. */
export function statusWords(status: ThreadStatus): { label: string; tone: StatusTone } {
  switch (status) {
    case "queued":
      return { label: "Queued", tone: "neutral" };
    case "running":
      return { label: "Running", tone: "active" };
    case "awaiting-approval":
      return { label: "Needs approval", tone: "attention" };
    case "awaiting-answer":
      return { label: "Has a question", tone: "attention" };
    case "done":
      return { label: "Done", tone: "success" };
    case "failed":
      return { label: "Failed", tone: "danger" };
    case "stopped":
      return { label: "Stopped", tone: "neutral" };
    default:
      return { label: String(status), tone: "neutral" };
  }
}

/** How an approval ended, in words: "Approved by Pixel 8". */
export function decisionWords(resolved: Pick<ApprovalResolution, "decision" | "by">): string {
  return `${decidedWords(resolved.decision)} by ${resolved.by.name}`;
}

/**
 * The gate's reason as the card's "why" line: "Asks because `find -exec` runs a program." A
 * sentence that starts with an ordinary capitalised word ("It writes into .git/…") continues
 * the line in lower case; names such as `GIT_PAGER` or `.git/` keep theirs.
 */
export function whyLine(why: string): string {
  const text = why.trim();
  const lowered = /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
  return `Asks because ${lowered}`;
}
