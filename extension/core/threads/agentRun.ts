// One run of the agent on a thread: model turn, tools, model turn, … until the model finishes,
// the run is stopped, or it fails. Every step becomes a durable thread event; streaming text
// and live command output go out as live events. Edits and commands pass the policy first,
// and what the policy leaves to a person waits for a decision, however long it takes.

import { ErrorCode, MAX_WHY_CHARS, TetherError, randomId, type Decision, type DeviceRef, type LiveEvent } from "#protocol";
import { ModelError, ModelNotConfigured, type ModelPort, type ToolCall } from "../agent/model/port";
import type { Policy, Verdict } from "../agent/policy/policy";
import type { FileEdit, Tool, ToolContext, ToolOutput } from "../agent/tools/tool";
import type { AgentWorkspace } from "../agent/tools/workspace";
import { conversationOf } from "./conversation";
import { unifiedDiff } from "./diff";
import type { Thread } from "./thread";
import { hashText, type ThreadMeta, type ThreadStore } from "./threadStore";

/** Most model calls in one run before it stops and says so. */
export const MAX_STEPS = 150;

export interface RunDeps {
  thread: Thread;
  store: ThreadStore;
  model: ModelPort;
  tools: readonly Tool[];
  workspace: AgentWorkspace;
  policy: Policy;
  /** Builds the system prompt (it reads the project's instruction files). */
  system: () => Promise<string>;
  /** Publishes an ephemeral event for phones watching the thread. */
  live: (event: LiveEvent) => void;
  /** This host, as a device: it decides when the run stops by itself. */
  self: DeviceRef;
  /**
   * Resolves when the run may go on after a decision: once the phones have been sent what it
   * appended (`approval-resolved`). Starting a command blocks the event loop for a moment, and
   * the person who decided should not wait for that to see their decision land.
   */
  beforeResume?: () => Promise<void>;
  /**
   * Keeps an allow rule on this computer ("Always on this computer") and puts it in force for
   * every thread. Without it the choice is not offered.
   */
  addHostRule?: (rule: string, by: DeviceRef) => void;
}

interface Waiting<T> {
  id: string;
  resolve: (value: T) => void;
}

interface WaitingApproval extends Waiting<Verdicted> {
  /** Remembers "approve always" for the thread, as part of applying the decision. */
  always: () => void;
  /** The rule "Always on this computer" adds, when the host offered it. */
  computerRule: string | undefined;
}

type Verdicted = { decision: Decision; message?: string };

class Stopped extends Error {
  constructor() {
    super("stopped");
    this.name = "AbortError";
  }
}

const isAbort = (err: unknown): boolean => err instanceof Error && err.name === "AbortError";

export class AgentRun {
  private readonly abort = new AbortController();
  private approval: WaitingApproval | undefined;
  private questionWait: Waiting<string> | undefined;
  private finished = false;
  /** Time spent waiting for decisions, which a step's duration leaves out. */
  private waitedMs = 0;
  private stopDetail: string | undefined;
  private summary: string | undefined;
  private readonly meta: ThreadMeta;

  constructor(private readonly deps: RunDeps) {
    this.meta = deps.store.meta(deps.thread.id);
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Runs to the end; never rejects. */
  async run(): Promise<void> {
    const { thread } = this.deps;
    thread.setStatus("running");
    try {
      await this.loop();
      if (this.abort.signal.aborted) throw new Stopped();
      if (this.summary !== undefined) thread.append({ type: "summary", text: this.summary });
      thread.setStatus("done");
    } catch (err) {
      if (isAbort(err) || this.abort.signal.aborted) {
        thread.setStatus("stopped", this.stopDetail);
        return;
      }
      const message =
        err instanceof ModelError || err instanceof ModelNotConfigured || err instanceof TetherError
          ? err.message
          : `The agent failed: ${(err as Error).message}`;
      thread.append({ type: "error", message });
      thread.setStatus("failed");
    }
  }

  /** Ends the model call and kills a running command at once. */
  stop(by: DeviceRef, detail?: string): void {
    this.stopDetail ??= detail ?? `stopped by ${by.name}`;
    if (this.approval) this.resolveApproval(this.approval.id, "stop", undefined, by);
    this.abort.abort();
  }

  /** A person's decision on the pending approval. Throws when there is nothing to decide. */
  decide(approvalId: string, decision: Decision, message: string | undefined, by: DeviceRef): void {
    const { thread } = this.deps;
    if (!this.approval || this.approval.id !== approvalId) {
      const earlier = thread.decidedBy(approvalId);
      if (earlier) throw new TetherError(ErrorCode.Conflict, `Already decided by ${earlier.by} (${earlier.decision}).`);
      throw new TetherError(ErrorCode.NotFound, "That approval is not waiting for a decision.");
    }
    if (decision === "approve-on-computer") {
      const rule = this.approval.computerRule;
      // The rule is the host's own reading of the command; a request it offered none for gets none.
      if (rule === undefined || !this.deps.addHostRule) {
        throw new TetherError(ErrorCode.BadRequest, "This request cannot be allowed on this computer; approve it here instead.");
      }
      this.deps.addHostRule(rule, by);
    }
    this.resolveApproval(approvalId, decision, message, by);
    if (decision === "stop") {
      this.stopDetail ??= `stopped by ${by.name}`;
      this.abort.abort();
    }
  }

  answer(questionId: string, text: string, by: DeviceRef): void {
    const { thread } = this.deps;
    if (!this.questionWait || this.questionWait.id !== questionId) {
      if (thread.wasAnswered(questionId)) throw new TetherError(ErrorCode.Conflict, "That question was already answered.");
      throw new TetherError(ErrorCode.NotFound, "That question is not waiting for an answer.");
    }
    const waiting = this.questionWait;
    this.questionWait = undefined;
    thread.append({ type: "answer", questionId, text, by });
    thread.setStatus("running");
    waiting.resolve(text);
  }

  private resolveApproval(approvalId: string, decision: Decision, message: string | undefined, by: DeviceRef): void {
    const waiting = this.approval!;
    this.approval = undefined;
    const { thread } = this.deps;
    thread.append({ type: "approval-resolved", approvalId, decision, ...(message ? { message } : {}), by });
    // Saved with the decision, so the command that carried it is acknowledged with it on disk.
    if (decision === "approve-always" || decision === "approve-on-computer") waiting.always();
    if (decision !== "stop") thread.setStatus("running");
    waiting.resolve({ decision, ...(message ? { message } : {}) });
  }

  private async loop(): Promise<void> {
    const { thread, model, tools, live } = this.deps;
    const specs = tools.map((t) => t.spec);
    const system = await this.deps.system();
    for (let step = 0; step < MAX_STEPS; step++) {
      const seenBefore = thread.lastSeq;
      const stepId = thread.lastSeq;
      const turn = await model.complete({
        system,
        messages: conversationOf(thread.events.map((n) => n.event)),
        tools: specs,
        signal: this.abort.signal,
        onText: (delta) => live({ type: "text", step: stepId, delta }),
      });
      if (turn.text.trim()) thread.append({ type: "assistant-text", text: turn.text });
      for (const call of turn.toolCalls) {
        if (this.abort.signal.aborted) throw new Stopped();
        await this.callTool(call);
      }
      if (this.finished) return;
      const steered = thread.events.slice(seenBefore).some((n) => n.event.type === "user-message");
      if (turn.toolCalls.length === 0 && !steered) {
        if (turn.stop === "length") throw new Error("the model's answer was cut off at its length limit");
        this.summary = turn.text.trim() || undefined;
        return;
      }
    }
    thread.append({ type: "error", message: `Stopped after ${MAX_STEPS} model calls without finishing.` });
    throw new Stopped();
  }

  private async callTool(call: ToolCall): Promise<void> {
    const { thread, tools } = this.deps;
    const tool = tools.find((t) => t.spec.name === call.name);
    let raw: unknown;
    try {
      raw = call.args.trim() ? JSON.parse(call.args) : {};
    } catch {
      raw = undefined;
    }
    const argsRecord =
      raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : { raw: call.args };
    const parsed = tool?.args.safeParse(raw);
    const title = tool && parsed?.success ? tool.title(parsed.data) : call.name;
    thread.append({ type: "tool-call", callId: call.id, tool: call.name, args: argsRecord, title });
    const started = Date.now();
    const waitedBefore = this.waitedMs;
    let result: ToolOutput;
    if (!tool)
      result = {
        ok: false,
        output: `There is no tool named ${call.name}. Use one of: ${tools.map((t) => t.spec.name).join(", ")}.`,
      };
    else if (!parsed?.success) result = { ok: false, output: `Invalid arguments for ${call.name}: ${describe(parsed?.error)}` };
    else {
      try {
        result = await this.execute(tool, parsed.data, call.id);
      } catch (err) {
        if (isAbort(err) || this.abort.signal.aborted) throw new Stopped();
        if (err instanceof TetherError) result = { ok: false, output: err.message };
        else throw err;
      }
    }
    thread.append({
      type: "tool-result",
      callId: call.id,
      tool: call.name,
      ok: result.ok,
      output: result.output,
      ...(result.truncated ? { truncated: result.truncated } : {}),
      ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
      durationMs: Date.now() - started - (this.waitedMs - waitedBefore),
    });
    if (this.abort.signal.aborted) throw new Stopped();
  }

  private context(callId: string): ToolContext {
    return {
      workspace: this.deps.workspace,
      signal: this.abort.signal,
      onOutput: (chunk) => this.deps.live({ type: "output", callId, chunk }),
      threadId: this.deps.thread.id,
    };
  }

  private async execute(tool: Tool, args: unknown, callId: string): Promise<ToolOutput> {
    const ctx = this.context(callId);
    switch (tool.kind) {
      case "read":
        return tool.run!(args, ctx);
      case "edit":
        return this.edit(tool, args, callId, ctx);
      case "command":
        return this.command(tool, args, callId, ctx);
      case "ask":
        return this.ask((args as { question: string }).question);
      case "finish":
        this.finished = true;
        this.summary = (args as { summary: string }).summary;
        return { ok: true, output: "Finished." };
    }
  }

  private async edit(tool: Tool, args: unknown, callId: string, ctx: ToolContext): Promise<ToolOutput> {
    const { policy, thread } = this.deps;
    let plan = await tool.plan!(args, ctx);
    let verdict: Verdict = policy.checkEdit(plan.path);
    // "All edits in this thread" lifts the mode's ask, never a protected place's (`sticky`).
    if (verdict.decision === "ask" && this.meta.autoEdit && !verdict.sticky) {
      verdict = { decision: "allow", rule: "edits approved for this thread", reason: "" };
    }
    if (verdict.decision === "deny") return { ok: false, output: `Not allowed: ${verdict.reason} (${verdict.rule})` };
    if (verdict.decision === "ask") {
      const preview = unifiedDiff(plan.path, plan.before, plan.after);
      const answer = await this.requestApproval(
        {
          callId,
          tool: tool.spec.name,
          kind: "edit",
          path: plan.path,
          diff: preview.diff,
          reason: tool.reason?.(args) ?? "",
          rule: verdict.rule,
          why: verdict.reason,
        },
        () => {
          this.meta.autoEdit = true;
          this.deps.store.saveMeta(thread.id, this.meta);
        },
      );
      if (answer.decision === "deny") return denied("edit", answer.message);
      if (answer.decision === "stop") throw new Stopped();
      // The file may have changed while the person was deciding: apply the request to what is there now.
      plan = await tool.plan!(args, ctx);
    }
    return this.apply(plan);
  }

  private async apply(plan: FileEdit): Promise<ToolOutput> {
    const { workspace, store, thread } = this.deps;
    const checkpoint = store.checkpoint(thread.id);
    const saved = checkpoint[plan.path];
    checkpoint[plan.path] = { before: saved ? saved.before : plan.before, afterHash: hashText(plan.after) };
    store.saveCheckpoint(thread.id, checkpoint);
    // What the file was must be on disk before the file changes, or a crash in between loses it.
    await store.flushed();
    if (plan.after === null) await workspace.remove(plan.path);
    else await workspace.writeText(plan.path, plan.after);
    const change = plan.before === null ? "created" : plan.after === null ? "deleted" : "modified";
    const d = unifiedDiff(plan.path, plan.before, plan.after);
    thread.append({
      type: "file-change",
      path: plan.path,
      change,
      diff: d.diff,
      added: d.added,
      removed: d.removed,
      truncated: d.truncated,
    });
    const verb = change === "created" ? "Created" : change === "deleted" ? "Deleted" : "Edited";
    return { ok: true, output: `${verb} ${plan.path} (+${d.added} −${d.removed}).` };
  }

  private async command(tool: Tool, args: unknown, callId: string, ctx: ToolContext): Promise<ToolOutput> {
    const { policy, workspace, thread, store } = this.deps;
    const { command, cwd } = tool.command!(args);
    const absCwd = await workspace.resolveCwd(cwd);
    let verdict = policy.checkCommand(command, absCwd);
    if (verdict.decision === "ask" && this.meta.approvedCommands.includes(command)) {
      verdict = { decision: "allow", rule: "approved for this thread", reason: "" };
    }
    if (verdict.decision === "deny") return { ok: false, output: `Not allowed: ${verdict.reason} (${verdict.rule})` };
    if (verdict.decision === "ask") {
      const answer = await this.requestApproval(
        {
          callId,
          tool: tool.spec.name,
          kind: "command",
          command,
          cwd,
          reason: tool.reason?.(args) ?? "",
          rule: verdict.rule,
          why: verdict.reason,
          computerRule: this.deps.addHostRule ? policy.computerRule(command, absCwd) : undefined,
        },
        () => {
          if (this.meta.approvedCommands.includes(command)) return;
          this.meta.approvedCommands.push(command);
          store.saveMeta(thread.id, this.meta);
        },
      );
      if (answer.decision === "deny") return denied("command", answer.message);
      if (answer.decision === "stop") throw new Stopped();
    }
    return tool.run!(args, ctx);
  }

  private async requestApproval(
    request: {
      callId: string;
      tool: string;
      kind: "command" | "edit";
      command?: string;
      cwd?: string;
      path?: string;
      diff?: string;
      reason: string;
      rule: string;
      /** The policy's reason, in plain words. */
      why: string;
      computerRule?: string | undefined;
    },
    always: () => void,
  ): Promise<Verdicted> {
    const { thread } = this.deps;
    const approvalId = randomId(9);
    const reason = request.reason.trim() || lastAssistantText(thread) || "The agent gave no reason.";
    const asked = Date.now();
    const verdict = await new Promise<Verdicted>((resolve, reject) => {
      const onAbort = (): void => reject(new Stopped());
      this.abort.signal.addEventListener("abort", onAbort, { once: true });
      this.approval = {
        id: approvalId,
        resolve: (v) => {
          this.abort.signal.removeEventListener("abort", onAbort);
          resolve(v);
        },
        always,
        computerRule: request.computerRule,
      };
      const { why, computerRule, ...rest } = request;
      const said = why.trim().slice(0, MAX_WHY_CHARS);
      thread.append({
        type: "approval-requested",
        approvalId,
        ...rest,
        reason,
        ...(said ? { why: said } : {}),
        ...(computerRule !== undefined ? { computerRule } : {}),
      });
      thread.setStatus("awaiting-approval");
    });
    await this.deps.beforeResume?.();
    this.waitedMs += Date.now() - asked;
    return verdict;
  }

  private ask(question: string): Promise<ToolOutput> {
    const { thread } = this.deps;
    const questionId = randomId(9);
    return new Promise<ToolOutput>((resolve, reject) => {
      const onAbort = (): void => reject(new Stopped());
      this.abort.signal.addEventListener("abort", onAbort, { once: true });
      this.questionWait = {
        id: questionId,
        resolve: (text) => {
          this.abort.signal.removeEventListener("abort", onAbort);
          resolve({ ok: true, output: `The user answered: ${text}` });
        },
      };
      thread.append({ type: "question", questionId, text: question });
      thread.setStatus("awaiting-answer");
    });
  }
}

function denied(what: "edit" | "command", message: string | undefined): ToolOutput {
  const base = `The user denied this ${what}.`;
  return { ok: false, output: message ? `${base} Their message: ${message}` : `${base} Try another way, or ask them.` };
}

function lastAssistantText(thread: Thread): string {
  for (let i = thread.events.length - 1; i >= 0; i--) {
    const e = thread.events[i]!.event;
    if (e.type === "assistant-text") return e.text.trim().slice(0, 500);
    if (e.type === "user-message" || e.type === "task") return "";
  }
  return "";
}

function describe(error: { issues: { path: PropertyKey[]; message: string }[] } | undefined): string {
  if (!error) return "expected a JSON object";
  return error.issues
    .slice(0, 4)
    .map((i) => `${i.path.length ? i.path.map(String).join(".") : "arguments"}: ${i.message}`)
    .join("; ");
}
