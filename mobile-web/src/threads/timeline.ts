// What a thread screen shows, worked out from the thread's durable events and the live
// stream: one item per thing a person reads (a tool call with its result, an approval with its
// decision, a question with its answer). Pure and free of Svelte, so the tests reach it.
//
// Each event type has one small step in STEPS that folds it into the items built so far.
// Events may arrive with holes while a phone catches up; every step renders what is there and
// never assumes the event before or after exists.

import type { ThreadEvent, ThreadStatus } from "#protocol";
import { endsRun, ordered } from "./eventOrder";
import { HISTORY_SENDER_ID } from "./agentSessions";
import { copyLocations, liveThought, thoughtStep, toolUpdateStep } from "./timelineAgent";
import {
  closeOpenCalls,
  newBuilding,
  stepBegan,
  toolItem,
  turnTaken,
  type ApprovalItem,
  type QuestionItem,
  type Step,
} from "./timelineBuild";
import type { ApprovalResolution, LiveView, NumberedEvent, TimelineItem, ToolItem, ToolResult } from "./timelineItems";

/** Statuses worth a line of their own; the others show in the header badge. */
const NOTABLE: readonly ThreadStatus[] = ["queued", "done", "failed", "stopped"];

const STEPS: { [T in ThreadEvent["type"]]: Step<T> } = {
  task: (b, e, base) => {
    b.agent = e.agent !== undefined;
    b.running = true;
    b.task = {
      ...base,
      kind: "task",
      text: e.text,
      title: e.title,
      workspace: e.workspace,
      by: e.by,
      mode: e.mode,
      model: e.model,
      ...(e.agent ? { agent: e.agent.name } : {}),
    };
    b.items.push(b.task);
  },

  "user-message": (b, e, base) => {
    if (e.by.id === HISTORY_SENDER_ID) {
      // Said on the computer before this thread took the session over: the agent has read it.
      if (b.task) b.task.continues = true;
      b.items.push({ ...base, kind: "message", text: e.text, by: e.by, history: true });
      return;
    }
    // An outside agent reads a message once the step it is in ends, not at once.
    const waits = b.agent && b.running;
    const item = { ...base, kind: "message" as const, text: e.text, by: e.by, ...(waits ? { waitsForTurn: true } : {}) };
    if (waits) b.waiting.push(item);
    b.items.push(item);
  },

  "assistant-text": (b, e, base) => {
    // A new model step: tool calls of the step before have all answered, whatever arrived.
    stepBegan(b);
    turnTaken(b);
    b.items.push({ ...base, kind: "text", text: e.text, streaming: false });
  },

  "tool-call": (b, e, base) => {
    // Tether's tools run one after another, so a new call means earlier ones are over; an
    // outside agent's run side by side.
    stepBegan(b);
    turnTaken(b);
    const item = toolItem(base, { callId: e.callId, tool: e.tool, title: e.title, args: e.args, running: true, startedAt: e.at });
    if (e.kind !== undefined) item.toolKind = e.kind;
    if (e.locations !== undefined) item.locations = copyLocations(e.locations);
    b.tools.set(e.callId, item);
    b.openCalls.push(item);
    b.items.push(item);
  },

  "tool-result": (b, e, base) => {
    const result: ToolResult = {
      ok: e.ok,
      output: e.exitCode === undefined ? e.output : withoutExitLine(e.output, e.exitCode),
      ...(e.truncated !== undefined ? { truncated: e.truncated } : {}),
      ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}),
      ...(e.diffs !== undefined ? { diffs: e.diffs.map((d) => ({ ...d })) } : {}),
      at: e.at,
    };
    let item = b.tools.get(e.callId);
    if (e.durationMs !== undefined) {
      // Older hosts counted the wait for approval in the step's time; it starts at the decision.
      const approvedAt = item && b.approved.has(item) ? item.startedAt : undefined;
      result.durationMs = approvedAt === undefined ? e.durationMs : Math.min(e.durationMs, Math.max(0, e.at - approvedAt));
    }
    if (!item) {
      // Its call is in a hole of what has arrived: show the result under the tool's name.
      item = toolItem(base, {
        callId: e.callId,
        tool: e.tool,
        title: e.tool,
        args: {},
        running: false,
        startedAt: e.at - (e.durationMs ?? 0),
      });
      b.tools.set(e.callId, item);
      b.items.push(item);
    }
    item.result = result;
    item.state = e.ok ? "ok" : "failed";
    b.killed = !e.ok && e.exitCode === null ? item : undefined;
    item.running = false;
    item.waiting = false;
    item.interrupted = false;
    const open = b.openCalls.indexOf(item);
    if (open >= 0) b.openCalls.splice(open, 1);
  },

  "approval-requested": (b, e, base) => {
    const item: ApprovalItem = { ...base, kind: "approval", request: e, closed: false };
    b.approvals.set(e.approvalId, item);
    b.approvalCall.set(e.approvalId, e.callId);
    b.items.push(item);
    const call = b.tools.get(e.callId);
    if (call && !call.result) call.waiting = true;
  },

  "approval-resolved": (b, e) => {
    const item = b.approvals.get(e.approvalId);
    // A decision whose request has not arrived has nothing to show yet.
    if (!item) return;
    const resolved: ApprovalResolution = { decision: e.decision, by: e.by, at: e.at };
    if (e.message !== undefined) resolved.message = e.message;
    if (e.optionId !== undefined) resolved.optionId = e.optionId;
    item.resolved = resolved;
    const call = b.tools.get(b.approvalCall.get(e.approvalId) ?? "");
    if (call && !call.result) {
      call.waiting = false;
      if (e.decision !== "deny" && e.decision !== "stop") {
        call.startedAt = e.at;
        b.approved.add(call);
      }
    }
  },

  question: (b, e, base) => {
    const existing = b.questions.get(e.questionId);
    if (existing) {
      existing.text = e.text;
      return;
    }
    const item: QuestionItem = { ...base, kind: "question", questionId: e.questionId, text: e.text, closed: false };
    b.questions.set(e.questionId, item);
    b.items.push(item);
  },

  answer: (b, e, base) => {
    const answer = { text: e.text, by: e.by, at: e.at };
    const item = b.questions.get(e.questionId);
    if (item) {
      item.answer = answer;
      return;
    }
    const orphan: QuestionItem = { ...base, kind: "question", questionId: e.questionId, text: "", answer, closed: false };
    b.questions.set(e.questionId, orphan);
    b.items.push(orphan);
  },

  "file-change": (b, e, base) => {
    foldChange(b.openCalls, e.path);
    b.items.push({
      ...base,
      kind: "file-change",
      path: e.path,
      change: e.change,
      diff: e.diff,
      added: e.added,
      removed: e.removed,
      truncated: e.truncated,
    });
  },

  status: (b, e, base) => {
    turnTaken(b);
    b.running = !endsRun(e);
    // "Queued" matters while the thread waits; once it runs, the line would only be noise. The
    // host may make the task's worktree in between: its row stays.
    const at = b.items.findLastIndex((i) => i.kind !== "git");
    const last = b.items[at];
    if (e.status !== "queued" && last?.kind === "status" && last.status === "queued") b.items.splice(at, 1);
    if (e.status === "stopped" && b.killed) b.killed.state = "stopped";
    if (endsRun(e)) {
      closeOpenCalls(b, e.status === "stopped" ? "stopped" : "failed");
      for (const q of b.questions.values()) if (!q.answer) q.closed = true;
      for (const a of b.approvals.values()) if (!a.resolved) a.closed = true;
    }
    // Any status with words is shown: mid-run, that is the host telling something (a secret redacted).
    if (NOTABLE.includes(e.status) || e.detail !== undefined) {
      b.items.push({ ...base, kind: "status", status: e.status, ...(e.detail !== undefined ? { detail: e.detail } : {}) });
    }
  },

  retry: (b, e, base) => b.items.push({ ...base, kind: "retry", attempt: e.attempt, inMs: e.inMs, message: e.message }),

  summary: (b, e, base) => {
    stepBegan(b);
    b.items.push({ ...base, kind: "summary", text: e.text });
  },

  error: (b, e, base) => b.items.push({ ...base, kind: "error", message: e.message }),

  reverted: (b, e, base) => b.items.push({ ...base, kind: "reverted", files: e.files, skipped: e.skipped ?? [], by: e.by }),
  git: (b, e, base) => b.items.push({ ...base, kind: "git", git: e }),

  thought: thoughtStep,
  "tool-update": toolUpdateStep,
  // The session's state, not items: pinned above the timeline (agentSession.ts).
  plan: () => undefined,
  "agent-state": () => undefined,
  usage: () => undefined,
};

/** An event that shows the model call begun at `step` has ended. */
const endsStep = (e: ThreadEvent): boolean =>
  e.type === "assistant-text" || e.type === "tool-call" || e.type === "summary" || e.type === "error" || endsRun(e);

export function buildTimeline(events: readonly NumberedEvent[], live: LiveView = {}): TimelineItem[] {
  const list = ordered(events);
  const b = newBuilding();
  for (const { seq, event } of list) {
    // An event type from a newer host has no step: nothing to show rather than a broken screen.
    if (!Object.hasOwn(STEPS, event.type)) continue;
    const step = STEPS[event.type] as Step<typeof event.type>;
    step(b, event as never, { key: `e${seq}`, seq, at: event.at });
  }

  // Live output belongs to a call this phone knows, and only while that call is still going.
  const output = live.output ?? {};
  for (const call of b.openCalls) {
    const chunk = Object.hasOwn(output, call.callId) ? output[call.callId] : undefined;
    if (chunk) {
      call.liveOutput = chunk;
      const received = live.received?.[call.callId];
      if (received !== undefined) call.liveReceived = received;
      const chunks = live.chunks?.[call.callId];
      if (chunks !== undefined) call.liveChunks = chunks;
    }
  }

  for (const streaming of liveText(list, live)) b.items.push(streaming);
  return b.items;
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

/**
 * The streaming text of model calls whose durable outcome has not arrived, oldest first; an
 * outside agent's reasoning in a step before its words.
 */
function liveText(list: readonly NumberedEvent[], live: LiveView): TimelineItem[] {
  const text = live.text ?? {};
  const steps = [...new Set([...Object.keys(text), ...Object.keys(live.thought ?? {})])]
    .map(Number)
    .filter((step) => Number.isInteger(step))
    .sort((a, b) => a - b);
  const out: TimelineItem[] = [];
  for (const step of steps) {
    const thought = liveThought(list, live, step, (n) => endsRun(n.event));
    if (thought) out.push(thought);
    if (!Object.hasOwn(text, step)) continue;
    const body = text[step] ?? "";
    if (!body.trim()) continue;
    if (list.some((n) => n.seq > step && endsStep(n.event))) continue;
    const at = list.length > 0 ? list[list.length - 1]!.event.at : 0;
    out.push({ key: `live${step}`, seq: null, at, kind: "text", text: body, streaming: true });
  }
  return out;
}
