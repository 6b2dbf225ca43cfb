// An outside agent's `session/update` notifications, as a Tether thread records them. Message and
// thought chunks stream live and land as one durable event when the step ends (a tool call, a
// switch between thinking and speaking, the end of the turn); tool calls become `tool-call`,
// `tool-update` and `tool-result`; the plan, the mode, the options, the slash commands and the
// usage become events of their own. Paths are made workspace-relative where they are inside it.

import { isAbsolute, relative, sep } from "node:path";
import type * as acp from "@agentclientprotocol/sdk";
import { AGENT_HISTORY_DEVICE, type LiveEvent, type NewThreadEvent, type ToolLocation } from "#protocol";
import { unifiedDiff } from "../threads/diff";
import type { Thread } from "../threads/thread";
import { asCall, record, selectOptions } from "./acpShapes";

/** Who said the person's words of a history taken over from a session started on the computer. */
export const HISTORY_DEVICE = AGENT_HISTORY_DEVICE;

/** Most characters of a tool's text output a thread keeps (its start and its end). */
const MAX_TOOL_OUTPUT = 60_000;

interface OpenCall {
  title: string;
  rawInput: unknown;
  kind: string | undefined;
  locations: string;
  text: string[];
  diffs: { path: string; diff: string; added: number; removed: number }[];
  started: number;
}

export interface RecorderDeps {
  thread: Thread;
  /** The workspace folder, absolute. */
  root: string;
  live: (event: LiveEvent) => void;
  /** A tool call ended (its result is recorded). */
  ended?: (callId: string) => void;
}

export class UpdateRecorder {
  private speaking: { kind: "text" | "thought" | "user"; step: number; parts: string[] } | undefined;
  private readonly calls = new Map<string, OpenCall>();
  /** Terminals the agent created through Tether, by id, and the tool call that shows each. */
  private readonly terminals = new Map<string, string>();
  private lastPlan = "";
  private lastState = "";
  private usage: acp.UsageUpdate | undefined;
  private lastUsage = "";
  /** While an agent replays a loaded session: what it sends is history the thread already has. */
  muted = false;
  /**
   * While an agent replays a session started outside Tether: its history is the thread's now,
   * the person's words included (as said on the computer, `HISTORY_DEVICE`).
   */
  importing = false;

  constructor(private readonly deps: RecorderDeps) {}

  update(update: acp.SessionUpdate): void {
    if (this.muted) return;
    const { thread } = this.deps;
    switch (update.sessionUpdate) {
      case "agent_message_chunk":
      case "agent_thought_chunk":
        if (update.content.type === "text") {
          this.speak(update.sessionUpdate === "agent_message_chunk" ? "text" : "thought", update.content.text);
        }
        return;
      case "user_message_chunk":
        // The person's own words, which the thread has already, but for a session it takes over.
        if (this.importing && update.content.type === "text") this.speak("user", update.content.text);
        return;
      case "tool_call":
        this.call(update);
        return;
      case "tool_call_update":
        this.callUpdate(update);
        return;
      case "plan": {
        const entries = update.entries.map((e) => ({
          content: e.content.slice(0, 2000),
          status: e.status,
          ...(e.priority ? { priority: e.priority } : {}),
        }));
        const key = JSON.stringify(entries);
        if (key === this.lastPlan) return;
        this.lastPlan = key;
        thread.append({ type: "plan", entries: entries.slice(0, 200) });
        return;
      }
      case "available_commands_update":
        this.state({
          commands: update.availableCommands.slice(0, 200).map((c) => ({
            name: c.name.slice(0, 120),
            description: c.description.slice(0, 500),
            ...(c.input?.hint ? { hint: c.input.hint.slice(0, 200) } : {}),
          })),
        });
        return;
      case "current_mode_update":
        this.state({ mode: update.currentModeId });
        return;
      case "config_option_update":
        this.state({ options: selectOptions(update.configOptions) });
        return;
      case "usage_update":
        this.usage = update;
        return;
      default:
        return; // session info, notices, compaction: nothing a thread shows yet
    }
  }

  /** The agent's session state as it changed; appended only when it differs from the last. */
  state(change: Omit<Extract<NewThreadEvent, { type: "agent-state" }>, "type">): void {
    const key = JSON.stringify(change);
    if (key === this.lastState) return;
    this.lastState = key;
    this.endSpeech();
    this.deps.thread.append({ type: "agent-state", ...change });
  }

  /**
   * The call a permission request is about, as known so far: the request may say only its id
   * (what was announced before fills in), or be the first the thread hears of it (Gemini CLI
   * asks before announcing), which announces it.
   */
  ensureCall(call: acp.ToolCallUpdate): acp.ToolCallUpdate {
    const open = this.calls.get(call.toolCallId);
    if (!open) {
      this.call(asCall(call));
      return call;
    }
    return {
      ...call,
      title: call.title ?? open.title,
      kind: call.kind ?? (open.kind as acp.ToolKind | undefined) ?? null,
      rawInput: call.rawInput ?? open.rawInput,
    };
  }

  /** A terminal the agent created: its output streams live under the call that shows it. */
  terminalCreated(terminalId: string, callId: string | undefined): void {
    if (callId) this.terminals.set(terminalId, callId);
  }

  /** The tool call id that shows a terminal, once the agent named it in a call's content. */
  callOfTerminal(terminalId: string): string | undefined {
    return this.terminals.get(terminalId);
  }

  /** The turn ended: what was said lands, calls left open end as failed, the usage is recorded. */
  endTurn(): void {
    this.endSpeech();
    for (const [callId] of this.calls) this.result(callId, "failed", "The agent ended its turn before this call finished.");
    if (this.usage) {
      const { used, size, cost } = this.usage;
      const key = `${used}/${size}/${cost?.amount ?? ""}`;
      if (key !== this.lastUsage) {
        this.lastUsage = key;
        this.deps.thread.append({
          type: "usage",
          used: Math.max(0, Math.round(used)),
          size: Math.max(0, Math.round(size)),
          ...(cost ? { cost: { amount: cost.amount, currency: cost.currency.slice(0, 8) } } : {}),
        });
      }
    }
  }

  /** Workspace-relative where the path is inside the workspace, else as the agent gave it. */
  relative(path: string): string {
    const { root } = this.deps;
    if (!isAbsolute(path)) return path;
    const rel = relative(root, path);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return rel === "" ? "." : path;
    return rel.split(sep).join("/");
  }

  private speak(kind: "text" | "thought" | "user", delta: string): void {
    if (this.speaking && this.speaking.kind !== kind) this.endSpeech();
    this.speaking ??= { kind, step: this.deps.thread.lastSeq, parts: [] };
    this.speaking.parts.push(delta);
    if (kind === "user" || this.importing) return;
    this.deps.live({ type: "text", step: this.speaking.step, delta, ...(kind === "thought" ? { thought: true as const } : {}) });
  }

  /** The end of a replayed history: what it said last lands. */
  endReplay(): void {
    this.endSpeech();
  }

  private endSpeech(): void {
    const speaking = this.speaking;
    if (!speaking) return;
    this.speaking = undefined;
    const text = speaking.parts.join("");
    if (!text.trim()) return;
    if (speaking.kind === "user") this.deps.thread.append({ type: "user-message", text, by: HISTORY_DEVICE });
    else this.deps.thread.append(speaking.kind === "text" ? { type: "assistant-text", text } : { type: "thought", text });
  }

  private call(update: acp.ToolCall): void {
    this.endSpeech();
    const known = this.calls.get(update.toolCallId);
    if (known) {
      this.callUpdate(update);
      return;
    }
    const locations = this.locations(update.locations);
    const open: OpenCall = {
      title: update.title,
      rawInput: update.rawInput,
      kind: update.kind ?? undefined,
      locations: JSON.stringify(locations),
      text: [],
      diffs: [],
      started: Date.now(),
    };
    this.calls.set(update.toolCallId, open);
    this.deps.thread.append({
      type: "tool-call",
      callId: update.toolCallId,
      tool: update.name ?? update.kind ?? "tool",
      args: record(update.rawInput),
      title: update.title.slice(0, 500),
      ...(update.kind ? { kind: update.kind } : {}),
      ...(locations.length > 0 ? { locations } : {}),
    });
    this.content(update.toolCallId, open, update.content ?? undefined);
    if (update.status === "completed" || update.status === "failed") this.result(update.toolCallId, update.status);
  }

  private callUpdate(update: acp.ToolCallUpdate): void {
    const open = this.calls.get(update.toolCallId);
    if (!open) {
      // An update for a call never announced: announce it now from what the update says.
      this.call(asCall(update));
      return;
    }
    const change: { title?: string; kind?: string; locations?: ToolLocation[] } = {};
    if (update.title && update.title !== open.title) change.title = open.title = update.title;
    if (update.kind && update.kind !== open.kind) change.kind = open.kind = update.kind;
    if (update.rawInput !== undefined && update.rawInput !== null) open.rawInput = update.rawInput;
    if (update.locations) {
      const locations = this.locations(update.locations);
      const key = JSON.stringify(locations);
      if (key !== open.locations) {
        open.locations = key;
        change.locations = locations;
      }
    }
    if (Object.keys(change).length > 0) {
      this.endSpeech();
      this.deps.thread.append({ type: "tool-update", callId: update.toolCallId, ...change });
    }
    this.content(update.toolCallId, open, update.content ?? undefined);
    if (update.status === "completed" || update.status === "failed") {
      this.result(update.toolCallId, update.status, undefined, update.rawOutput);
    }
  }

  /** A call's content as it is now: each update gives it whole, so the latest wins. */
  private content(callId: string, open: OpenCall, content: acp.ToolCallContent[] | undefined): void {
    if (!content) return;
    const text: string[] = [];
    const diffs: OpenCall["diffs"] = [];
    for (const c of content) {
      if (c.type === "content" && c.content.type === "text") text.push(c.content.text);
      else if (c.type === "diff") {
        const path = this.relative(c.path);
        const d = unifiedDiff(path, c.oldText ?? null, c.newText);
        diffs.push({ path, diff: d.diff, added: d.added, removed: d.removed });
      } else if (c.type === "terminal") this.terminals.set(c.terminalId, callId);
    }
    if (text.length > 0) open.text = text;
    if (diffs.length > 0) open.diffs = diffs;
  }

  private result(callId: string, status: "completed" | "failed", fallback?: string, rawOutput?: unknown): void {
    const open = this.calls.get(callId);
    if (!open) return;
    this.calls.delete(callId);
    this.endSpeech();
    let output = open.text.join("\n");
    if (!output && rawOutput !== undefined && rawOutput !== null)
      output = typeof rawOutput === "string" ? rawOutput : JSON.stringify(rawOutput);
    if (!output) output = fallback ?? (status === "completed" ? "Done." : "Failed.");
    const cut = output.length > MAX_TOOL_OUTPUT;
    if (cut) output = `${output.slice(0, MAX_TOOL_OUTPUT / 2)}\n…\n${output.slice(-MAX_TOOL_OUTPUT / 2)}`;
    this.deps.thread.append({
      type: "tool-result",
      callId,
      tool: open.kind ?? "tool",
      ok: status === "completed",
      output,
      ...(cut ? { truncated: "the middle of a long output" } : {}),
      durationMs: Date.now() - open.started,
      ...(open.diffs.length > 0 ? { diffs: open.diffs.slice(0, 50) } : {}),
    });
    this.deps.ended?.(callId);
  }

  private locations(locations: readonly acp.ToolCallLocation[] | null | undefined): ToolLocation[] {
    return (locations ?? []).slice(0, 50).map((l) => ({
      path: this.relative(l.path).slice(0, 1000),
      ...(typeof l.line === "number" && l.line >= 0 ? { line: Math.floor(l.line) } : {}),
    }));
  }
}
