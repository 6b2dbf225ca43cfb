// Tether's own model loop on a thread: model turn, tools, model turn, … until the model
// finishes, the run is stopped, or it fails. Every step becomes a durable thread event;
// streaming text and live command output go out as live events. Edits and commands pass
// `ApprovalGate` first, and what it leaves to a person waits in `PersonWait`, however long it
// takes; both serve any kind of run, this loop is the one that calls a model itself.

import { TetherError, type Decision, type DeviceRef, type LiveEvent } from "#protocol";
import { ModelError, ModelNotConfigured, type ModelPort, type ToolCall } from "../agent/model/port";
import type { Policy } from "../agent/policy/policy";
import type { Tool, ToolContext, ToolOutput } from "../agent/tools/tool";
import type { AgentWorkspace } from "../agent/tools/workspace";
import { BLOCKED_PREFIX, withoutBlockedPrompts } from "../hooks/blockedPrompts";
import type { Hooks } from "../hooks/hooks";
import { PromptBlocked, RunHooks } from "../hooks/runHooks";
import { screenForModel } from "../secrets/screenForModel";
import { ApprovalGate } from "./approvalGate";
import { applyEdit } from "./applyEdit";
import { conversationOf } from "./conversation";
import { PersonWait, Stopped, isAbort } from "./personWait";
import type { ThreadRun } from "./runQueue";
import type { Thread } from "./thread";
import type { ThreadStore } from "./threadStore";

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
  /** The host's hooks; without them none run. */
  hooks?: Hooks | undefined;
}

export class AgentRun implements ThreadRun {
  private readonly abort = new AbortController();
  private readonly waits: PersonWait;
  private readonly gate: ApprovalGate;
  private finished = false;
  private stopDetail: string | undefined;
  private summary: string | undefined;
  private readonly hooks: RunHooks;
  /** The last event whose words the prompt hooks have seen. */
  private promptsChecked: number;

  constructor(private readonly deps: RunDeps) {
    const { thread, store, policy, beforeResume, addHostRule, workspace } = deps;
    this.waits = new PersonWait({ thread, signal: this.abort.signal, beforeResume });
    const scope = { thread, cwd: workspace.root, mode: policy.mode, agent: "tether", signal: this.abort.signal };
    this.hooks = new RunHooks(deps.hooks, scope);
    this.gate = new ApprovalGate({ thread, store, policy, waits: this.waits, addHostRule, hooks: this.hooks.gate });
    this.promptsChecked = lastAgentEvent(thread);
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
      if (err instanceof PromptBlocked) {
        thread.setStatus("stopped", err.message);
      } else if (isAbort(err) || this.abort.signal.aborted) {
        thread.setStatus("stopped", this.stopDetail);
      } else {
        const message =
          err instanceof ModelError || err instanceof ModelNotConfigured || err instanceof TetherError
            ? err.message
            : `The agent failed: ${(err as Error).message}`;
        thread.append({ type: "error", message });
        thread.setStatus("failed");
      }
    }
    await this.hooks.end();
  }

  /** Runs the prompt hooks on what the person said since they last ran; rejects with `PromptBlocked`. */
  private async checkPrompts(): Promise<void> {
    const { thread } = this.deps;
    const texts: string[] = [];
    for (const { seq, event } of thread.events) {
      if (seq <= this.promptsChecked) continue;
      if (event.type === "task" || event.type === "user-message") texts.push(event.text);
    }
    this.promptsChecked = thread.lastSeq;
    await this.hooks.prompt(texts.join("\n\n"));
  }

  /** Ends the model call and kills a running command at once. */
  stop(by: DeviceRef, detail?: string): void {
    this.stopDetail ??= detail ?? `stopped by ${by.name}`;
    this.waits.stopPending(by);
    this.abort.abort();
  }

  /** A person's decision on the pending approval. Throws when there is nothing to decide. */
  decide(approvalId: string, decision: Decision, message: string | undefined, by: DeviceRef, optionId?: string): void {
    this.waits.decide(approvalId, decision, message, by, optionId);
    if (decision === "stop") {
      this.stopDetail ??= `stopped by ${by.name}`;
      this.abort.abort();
    }
  }

  /** A person's answer to the pending question. Throws when there is none. */
  answer(questionId: string, text: string, by: DeviceRef): void {
    this.waits.answer(questionId, text, by);
  }

  private async loop(): Promise<void> {
    const { thread, model, tools, live } = this.deps;
    const specs = tools.map((t) => t.spec);
    const system = await this.deps.system();
    for (let step = 0; step < MAX_STEPS; step++) {
      // What the person said before this call (the task, or a message while it worked) passes the prompt hooks.
      await this.checkPrompts();
      const seenBefore = thread.lastSeq;
      const stepId = thread.lastSeq;
      const turn = await model.complete({
        system,
        messages: conversationOf(withoutBlockedPrompts(thread.events.map((n) => n.event))),
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
    const waitedBefore = this.waits.waitedMs;
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
    // What the model is given is screened for secrets; the note on the result says what was cut.
    const screened = await screenForModel(result.output, tool?.kind === "command" ? `the output of ${title}` : title);
    const truncated = [result.truncated, screened.note].filter(Boolean).join("; ");
    thread.append({
      type: "tool-result",
      callId: call.id,
      tool: call.name,
      ok: result.ok,
      output: screened.output,
      ...(truncated ? { truncated } : {}),
      ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
      durationMs: Date.now() - started - (this.waits.waitedMs - waitedBefore),
    });
    await this.hooks.after(call.id, tool?.kind);
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
        return { ok: true, output: `The user answered: ${await this.waits.ask((args as { question: string }).question)}` };
      case "finish":
        this.finished = true;
        this.summary = (args as { summary: string }).summary;
        return { ok: true, output: "Finished." };
    }
  }

  private async edit(tool: Tool, args: unknown, callId: string, ctx: ToolContext): Promise<ToolOutput> {
    let plan = await tool.plan!(args, ctx);
    const gated = await this.gate.edit({ callId, tool: tool.spec.name, reason: tool.reason?.(args) ?? "", ...plan });
    if (!gated.go) return { ok: false, output: gated.output };
    // The file may have changed while the person was deciding: apply the request to what is there now.
    if (gated.asked) plan = await tool.plan!(args, ctx);
    return applyEdit(this.deps, plan);
  }

  private async command(tool: Tool, args: unknown, callId: string, ctx: ToolContext): Promise<ToolOutput> {
    const { command, cwd } = tool.command!(args);
    const absCwd = await this.deps.workspace.resolveCwd(cwd);
    const gated = await this.gate.command({
      callId,
      tool: tool.spec.name,
      reason: tool.reason?.(args) ?? "",
      command,
      cwd,
      absCwd,
    });
    if (!gated.go) return { ok: false, output: gated.output };
    return tool.run!(args, ctx);
  }
}

/**
 * The last event the agent itself made, or the note of a prompt a hook blocked: what the person
 * said after it is still to be checked (words blocked before are not checked again).
 */
function lastAgentEvent(thread: Thread): number {
  const agentMade = new Set(["assistant-text", "tool-call", "tool-result", "summary"]);
  for (let i = thread.events.length - 1; i >= 0; i--) {
    const { seq, event } = thread.events[i]!;
    if (agentMade.has(event.type)) return seq;
    if (event.type === "status" && event.detail?.startsWith(BLOCKED_PREFIX)) return seq;
  }
  return 0;
}

function describe(error: { issues: { path: PropertyKey[]; message: string }[] } | undefined): string {
  if (!error) return "expected a JSON object";
  return error.issues
    .slice(0, 4)
    .map((i) => `${i.path.length ? i.path.map(String).join(".") : "arguments"}: ${i.message}`)
    .join("; ");
}
