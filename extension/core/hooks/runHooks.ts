// The hooks as one run uses them, whatever its agent: the gate's step before a tool, the
// prompt's check before it is sent, the report after a tool (read back from the thread's own
// record of the call, so an outside agent's calls are seen the same as Tether's), and the report
// when the run ends, after every report of its tools.

import type { Thread } from "../threads/thread";
import { BLOCKED_PREFIX } from "./blockedPrompts";
import { callKind } from "./hookStep";
import type { HookScope, Hooks } from "./hooks";

/** A hook kept a prompt from being sent; the run ends as stopped, saying why. */
export class PromptBlocked extends Error {
  constructor(reason: string) {
    super(`${BLOCKED_PREFIX}${reason}`);
    this.name = "PromptBlocked";
  }
}

export class RunHooks {
  private reports: Promise<void> = Promise.resolve();

  constructor(
    private readonly hooks: Hooks | undefined,
    private readonly scope: HookScope,
  ) {}

  /** What the gate takes, or nothing when the host has no hooks. */
  get gate(): { hooks: Hooks; scope: HookScope } | undefined {
    return this.hooks ? { hooks: this.hooks, scope: this.scope } : undefined;
  }

  /** Rejects with `PromptBlocked` when a UserPromptSubmit hook blocks (or fails on) `prompt`. */
  async prompt(prompt: string): Promise<void> {
    if (!this.hooks || prompt.trim() === "") return;
    const blocked = await this.hooks.prompt(this.scope, prompt);
    if (blocked !== undefined) throw new PromptBlocked(blocked);
  }

  /** Runs the PostToolUse hooks on the call `callId` the thread recorded as ended; resolves when they reported. */
  after(callId: string, kind?: string): Promise<void> {
    const hooks = this.hooks;
    if (!hooks) return Promise.resolve();
    const { thread } = this.scope;
    const call = findEvent(thread, "tool-call", callId);
    const result = findEvent(thread, "tool-result", callId);
    if (!call || !result) return Promise.resolve();
    const hookCall = { callId, tool: call.tool, kind: kind ?? callKind(call.kind ?? "other"), input: call.args };
    const done = hooks.postTool(this.scope, hookCall, {
      ok: result.ok,
      output: result.output,
      ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    });
    this.reports = this.reports.then(() => done).catch(() => undefined);
    return done;
  }

  /** The run ended as `thread.status` says: the Stop hooks run once the tools' reports are in. */
  async end(): Promise<void> {
    if (!this.hooks) return;
    await this.reports;
    // A stopped run's Stop hooks still run, to their own time limits; a stop that comes while they
    // run (the host closing) ends them.
    const { signal, ...rest } = this.scope;
    const scope = signal?.aborted ? rest : this.scope;
    await this.hooks.stop(scope, scope.thread.status).catch(() => undefined);
  }
}

type Recorded<T extends string> = Extract<Thread["events"][number]["event"], { type: T }>;

/** The last event of `type` about `callId`. */
function findEvent<T extends "tool-call" | "tool-result">(thread: Thread, type: T, callId: string): Recorded<T> | undefined {
  const events = thread.events;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!.event;
    if (event.type === type && "callId" in event && event.callId === callId) return event as Recorded<T>;
  }
  return undefined;
}
