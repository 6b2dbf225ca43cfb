// The host's hooks: the user's own (settings, the headless host's file) and the project's
// (`.tether/hooks.json`, only once trusted), run around a thread's work whatever agent does it.
// Before a tool runs they answer allow, deny or ask (`preTool`, which the gate applies); after
// it ran, when a prompt is sent and when a run ends they report, and what they print lands on
// the thread as a note. A project whose hooks are not trusted has them skipped, and the thread
// says so once.

import { ErrorCode, TetherError, type PolicyMode } from "#protocol";
import type { Log } from "../log";
import type { Thread } from "../threads/thread";
import { readAnswer, reportOf, type HookAnswer } from "./hookAnswer";
import type { HookEvent, HookSpec } from "./hookConfig";
import { matches, type MatchedCall } from "./hookMatch";
import { PROJECT_HOOKS_FILE, type ProjectHooks, type ProjectHooksState } from "./projectHooks";
import { runHook } from "./runHook";

/** Where and for whom hooks run: one thread's run. */
export interface HookScope {
  thread: Thread;
  /** The folder the run works in (the workspace, or the task's worktree). */
  cwd: string;
  mode: PolicyMode;
  /** `tether` for Tether's own agent, else the outside agent's id. */
  agent: string;
  signal?: AbortSignal | undefined;
}

/** A tool call about to run or that ran, as hooks get it (`tool_input` is what the agent asked). */
export interface HookCall extends MatchedCall {
  callId: string;
  input: Record<string, unknown>;
}

/** What the hooks decided about a call: the gate applies it. `failed`: a hook failed (it asks). */
export type PreToolVerdict = { kind: "allow" | "deny" | "ask"; reason: string; failed?: boolean };

export interface HooksDeps {
  /** The user's hooks; throws when their list cannot be read (then every call asks, saying why). */
  user: () => readonly HookSpec[];
  project?: ProjectHooks | undefined;
  log: Log;
}

export const UNTRUSTED_NOTE = `This project's hooks are not trusted yet (${PROJECT_HOOKS_FILE}): they do not run until you trust them on the phone or in the editor.`;
export const CHANGED_NOTE = `This project's hooks changed since you trusted them (${PROJECT_HOOKS_FILE}): they do not run until you trust them again.`;

export class Hooks {
  private readonly listeners = new Set<(state: ProjectHooksState) => void>();
  private lastProject = "";

  constructor(private readonly deps: HooksDeps) {}

  /** The project's hooks file as it is now; tells the listeners when that changed. */
  project(): ProjectHooksState {
    const state = this.deps.project?.read() ?? { state: "none" };
    const key = state.state === "none" ? "none" : `${state.state}:${state.hash}`;
    if (key !== this.lastProject) {
      this.lastProject = key;
      for (const listener of this.listeners) listener(state);
    }
    return state;
  }

  /** Trusts the project's file if it still has the content `hash` is of (see `ProjectHooks.trust`). */
  trustProject(hash: string): boolean {
    const trusted = this.deps.project?.trust(hash) ?? false;
    this.project();
    return trusted;
  }

  /** As `trustProject`, refusing in words a person understands when the file is not what they saw. */
  trustShown(hash: string): void {
    if (this.trustProject(hash)) return;
    throw new TetherError(
      ErrorCode.Conflict,
      "The project's hooks file changed or is gone since it was shown: look at it again before trusting it.",
    );
  }

  /** Notices changes of the project's hooks file while nothing runs (the phones' card follows them). */
  watchProject(): () => void {
    return this.deps.project?.watch(() => void this.project()) ?? (() => undefined);
  }

  /** Calls `listener` when the project's hooks file changes state (appears, changes, is trusted). */
  onProjectChange(listener: (state: ProjectHooksState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The verdict of the PreToolUse hooks on `call`; undefined when none ran or none had an opinion. */
  async preTool(scope: HookScope, call: HookCall): Promise<PreToolVerdict | undefined> {
    const { hooks, broken } = this.active("PreToolUse", scope, call);
    if (broken) return { kind: "ask", reason: broken, failed: true };
    if (hooks.length === 0) return undefined;
    const input = { ...this.common("PreToolUse", scope), ...callInput(call) };
    const answers = await Promise.all(
      hooks.map(async (hook) => readAnswer(hook, await runHook(hook, input, this.env("PreToolUse", scope, hook)))),
    );
    const of = (kind: HookAnswer["kind"]): string[] =>
      answers.flatMap((a) => (a.kind === kind && "reason" in a && a.reason ? [a.reason] : []));
    // Deny wins, then a failure (fail closed: it asks), then an ask, then an allow.
    if (answers.some((a) => a.kind === "deny")) return { kind: "deny", reason: of("deny").join(" ") };
    if (answers.some((a) => a.kind === "failed")) return { kind: "ask", reason: of("failed").join(" "), failed: true };
    if (answers.some((a) => a.kind === "ask")) return { kind: "ask", reason: of("ask").join(" ") };
    if (answers.some((a) => a.kind === "allow")) return { kind: "allow", reason: of("allow").join(" ") };
    return undefined;
  }

  /** Runs the PostToolUse hooks on a call that ran; what they print goes on the thread. */
  async postTool(
    scope: HookScope,
    call: HookCall,
    result: { ok: boolean; output: string; exitCode?: number | null },
  ): Promise<void> {
    const input = {
      ...this.common("PostToolUse", scope),
      ...callInput(call),
      tool_response: {
        ok: result.ok,
        output: result.output,
        ...(result.exitCode !== undefined ? { exit_code: result.exitCode } : {}),
      },
    };
    await this.report("PostToolUse", scope, input, call);
  }

  /**
   * Runs the UserPromptSubmit hooks on what is about to be sent to the agent. Returns why it must
   * not be sent (a hook blocked it, or failed: a prompt is not sent past a broken guard), or
   * undefined to send it.
   */
  async prompt(scope: HookScope, prompt: string): Promise<string | undefined> {
    const { hooks, broken } = this.active("UserPromptSubmit", scope);
    if (broken) return broken;
    if (hooks.length === 0) return undefined;
    const input = { ...this.common("UserPromptSubmit", scope), prompt };
    const answers = await Promise.all(
      hooks.map(async (hook) => {
        const run = await runHook(hook, input, this.env("UserPromptSubmit", scope, hook));
        // As in Claude Code, words a prompt hook prints on success are for the thread, not an answer.
        if (run.exitCode === 0 && !run.timedOut && !run.stdout.trim().startsWith("{")) {
          const said = reportOf(hook, run);
          if (said) this.note(scope, said);
          return { kind: "none" as const };
        }
        return readAnswer(hook, run);
      }),
    );
    const refused = answers.flatMap((a) => (a.kind === "deny" || a.kind === "failed" ? [a.reason] : []));
    return refused.length > 0 ? refused.join(" ") : undefined;
  }

  /** Runs the Stop hooks as a run ends (`status`: how it ended); what they print goes on the thread. */
  async stop(scope: HookScope, status: string): Promise<void> {
    await this.report("Stop", scope, { ...this.common("Stop", scope), status });
  }

  private async report(event: HookEvent, scope: HookScope, input: object, call?: MatchedCall): Promise<void> {
    const { hooks, broken } = this.active(event, scope, call);
    if (broken) this.noteOnce(scope, broken);
    const reports = await Promise.all(
      hooks.map(async (hook) => reportOf(hook, await runHook(hook, input, this.env(event, scope, hook)))),
    );
    for (const text of reports) if (text) this.note(scope, text);
  }

  /** The hooks that run on `event` for `call`: the user's, and the project's once trusted. */
  private active(event: HookEvent, scope: HookScope, call?: MatchedCall): { hooks: HookSpec[]; broken?: string } {
    let user: readonly HookSpec[] = [];
    let broken: string | undefined;
    try {
      user = this.deps.user();
    } catch (err) {
      broken = `Your hooks cannot be read, so Tether cannot tell what they would say: ${(err as Error).message}`;
    }
    const project = this.project();
    let projectHooks: readonly HookSpec[] = [];
    if (project.state === "trusted") projectHooks = project.hooks;
    else if (project.state === "untrusted") this.noteOnce(scope, project.changed ? CHANGED_NOTE : UNTRUSTED_NOTE);
    const hooks = [...user, ...projectHooks].filter((h) => h.event === event && (!call || matches(h.matcher, call)));
    return broken !== undefined ? { hooks, broken } : { hooks };
  }

  /** What every hook gets on stdin, named as Claude Code names it so its hooks read it unchanged. */
  private common(event: HookEvent, scope: HookScope): Record<string, unknown> {
    return {
      hook_event_name: event,
      session_id: scope.thread.id,
      thread_id: scope.thread.id,
      cwd: scope.cwd,
      permission_mode: scope.mode,
      agent: scope.agent,
    };
  }

  private env(
    event: HookEvent,
    scope: HookScope,
    hook: HookSpec,
  ): { cwd: string; env: Record<string, string>; signal?: AbortSignal } {
    this.deps.log.info("hook runs", { event, thread: scope.thread.id, source: hook.source });
    return {
      cwd: scope.cwd,
      env: {
        TETHER_HOOK_EVENT: event,
        TETHER_THREAD_ID: scope.thread.id,
        TETHER_AGENT: scope.agent,
        TETHER_MODE: scope.mode,
        TETHER_PROJECT_DIR: this.deps.project?.root ?? scope.cwd,
      },
      ...(scope.signal ? { signal: scope.signal } : {}),
    };
  }

  private note(scope: HookScope, text: string): void {
    scope.thread.setStatus(scope.thread.status, text);
  }

  /** A note the thread shows once (whatever runs after on it). */
  private noteOnce(scope: HookScope, text: string): void {
    const said = scope.thread.events.some(({ event }) => event.type === "status" && event.detail === text);
    if (!said) this.note(scope, text);
  }
}

function callInput(call: HookCall): Record<string, unknown> {
  return { tool_name: call.tool, tool_kind: call.kind, tool_use_id: call.callId, tool_input: call.input };
}
