// The gate every edit and command of a run passes before it happens: it asks the policy, lifts
// an ask the person already answered for this task ("approve always"), and leaves the rest to a
// person through `PersonWait`. The verdict comes back as go or refuse, with the words the agent
// is given when refused. It knows nothing of where the call came from, so a run driven by an
// outside agent can put its tool calls through the same gate as Tether's own model loop.

import {
  ErrorCode,
  MAX_WHY_CHARS,
  TetherError,
  type AgentPermissionOption,
  type Decision,
  type DeviceRef,
  type PolicyMode,
} from "#protocol";
import { join } from "node:path";
import type { Policy, Verdict } from "../agent/policy/policy";
import { callKind, HOOK_RULES, isHookRule, withHooks } from "../hooks/hookStep";
import type { HookCall, HookScope, Hooks, PreToolVerdict } from "../hooks/hooks";
import { commandSecrets, editSecrets, SECRET_RULE, withSecrets } from "../secrets/secretAsk";
import { unifiedDiff } from "./diff";
import { Stopped, type ApprovalRequest, type ApprovalTerms, type PersonWait } from "./personWait";
import type { Thread } from "./thread";
import type { ThreadMeta, ThreadStore } from "./threadStore";

export interface GateDeps {
  thread: Thread;
  store: ThreadStore;
  /** The policy in the thread's mode. */
  policy: Policy;
  waits: PersonWait;
  /** Keeps an allow rule on this computer ("Always on this computer"); without it the choice is not offered. */
  addHostRule?: ((rule: string, by: DeviceRef) => void) | undefined;
  /** The host's hooks and where this run's hooks run; without them no hook is asked. */
  hooks?: { hooks: Hooks; scope: HookScope } | undefined;
}

/**
 * Go ahead (`asked`: a person approved it just now), or refused with what the agent is told;
 * `optionId`: the outside agent's option the person chose, when they chose one.
 */
export type Gated = { go: true; asked: boolean; optionId?: string } | { go: false; output: string; optionId?: string };

/** What every gated call says about itself. */
export interface GatedCall {
  callId: string;
  /** The tool's name, as the model or agent called it. */
  tool: string;
  /** The agent's reason for the call, if it gave one. */
  reason: string;
  /** An outside agent's own choices on its permission request. */
  options?: readonly AgentPermissionOption[] | undefined;
}

export class ApprovalGate {
  /** The thread's standing approvals ("approve always"), kept on disk with the thread. */
  private readonly meta: ThreadMeta;

  constructor(private readonly deps: GateDeps) {
    this.meta = deps.store.meta(deps.thread.id);
  }

  /** The thread's mode, as its policy has it. */
  get mode(): PolicyMode {
    return this.deps.policy.mode;
  }

  /** An edit of `path` from `before` to `after` (`null`: no file). Rejects with `Stopped` on "stop". */
  async edit(call: GatedCall & { path: string; before: string | null; after: string | null }): Promise<Gated> {
    const { policy, thread, store } = this.deps;
    let verdict: Verdict = policy.checkEdit(call.path);
    // "All edits in this thread" lifts the mode's ask, never a protected place's (`sticky`).
    if (verdict.decision === "ask" && this.meta.autoEdit && !verdict.sticky) {
      verdict = { decision: "allow", rule: "edits approved for this thread", reason: "" };
    }
    // A separate step after the policy: a secret about to be written asks, in any mode.
    if (verdict.decision !== "deny") verdict = withSecrets(verdict, await editSecrets(call.path, call.before, call.after));
    // Another separate step: the PreToolUse hooks, on what is left to decide.
    if (verdict.decision !== "deny") {
      const input = { file_path: this.absolute(call.path), path: call.path, content: call.after };
      verdict = withHooks(verdict, await this.preTool({ callId: call.callId, tool: call.tool, kind: "edit", input }));
    }
    if (verdict.decision !== "ask") return settled(verdict);
    const preview = unifiedDiff(call.path, call.before, call.after);
    const request: ApprovalRequest = {
      callId: call.callId,
      tool: call.tool,
      kind: "edit",
      path: call.path,
      diff: preview.diff,
      reason: call.reason,
      rule: verdict.rule,
      why: verdict.reason,
      options: call.options,
    };
    return this.ask(request, () => {
      this.meta.autoEdit = true;
      store.saveMeta(thread.id, this.meta);
    });
  }

  /**
   * A command line run in `cwd` (as the agent wrote it), `absCwd` being where that is.
   * Rejects with `Stopped` on "stop".
   */
  async command(call: GatedCall & { command: string; cwd: string | undefined; absCwd: string }): Promise<Gated> {
    const { policy, thread, store } = this.deps;
    const { command } = call;
    let verdict = policy.checkCommand(command, call.absCwd);
    if (verdict.decision === "ask" && this.meta.approvedCommands.includes(command)) {
      verdict = { decision: "allow", rule: "approved for this thread", reason: "" };
    }
    // A separate step after the policy: a secret on the command line asks, in any mode.
    if (verdict.decision !== "deny") verdict = withSecrets(verdict, await commandSecrets(command));
    if (verdict.decision !== "deny") {
      const input = { command, cwd: call.cwd ?? ".", description: call.reason };
      verdict = withHooks(verdict, await this.preTool({ callId: call.callId, tool: call.tool, kind: "command", input }));
    }
    if (verdict.decision !== "ask") return settled(verdict);
    const request: ApprovalRequest = {
      callId: call.callId,
      tool: call.tool,
      kind: "command",
      command,
      cwd: call.cwd,
      reason: call.reason,
      rule: verdict.rule,
      why: verdict.reason,
      // A rule for the command would not lift the secret's ask, so it is not offered for one.
      computerRule:
        this.deps.addHostRule && verdict.rule !== SECRET_RULE && !isHookRule(verdict.rule)
          ? policy.computerRule(command, call.absCwd)
          : undefined,
      options: call.options,
    };
    return this.ask(request, () => {
      if (this.meta.approvedCommands.includes(command)) return;
      this.meta.approvedCommands.push(command);
      store.saveMeta(thread.id, this.meta);
    });
  }

  /**
   * Something an outside agent asks to do that is neither an edit Tether can see nor a command
   * (a web fetch, a move, a tool of its own): the policy's mode decides, else a person.
   */
  async other(
    call: GatedCall & {
      title: string;
      kind: string;
      allowed: boolean;
      /**
       * A command known only by the words the agent shows for it (Gemini CLI's title): the
       * user's and the built-in deny rules refuse it, but no allow rule lets it through unasked.
       */
      shownCommand?: { command: string; absCwd: string };
      /** Why a person is asked, when it is not that Tether cannot see what the call does. */
      why?: string;
    },
  ): Promise<Gated> {
    const { policy } = this.deps;
    if (call.shownCommand) {
      const verdict = policy.checkCommand(call.shownCommand.command, call.shownCommand.absCwd);
      if (verdict.decision === "deny") return settled(verdict);
    }
    // The secret step: a command shown only by its words asks when they hold a secret, in any mode.
    const secrets = call.shownCommand ? await commandSecrets(call.shownCommand.command) : undefined;
    // The hooks: a deny refuses, an ask (or a failure) asks in any mode, an allow lifts nothing
    // here, since Tether cannot see what the call does.
    const input = { title: call.title, kind: call.kind, ...(call.shownCommand ? { command: call.shownCommand.command } : {}) };
    const hooked = await this.preTool({ callId: call.callId, tool: call.tool, kind: callKind(call.kind), input });
    if (hooked?.kind === "deny") return settled({ decision: "deny", rule: HOOK_RULES.denied, reason: hooked.reason });
    const hookAsks = hooked?.kind === "ask" ? hooked : undefined;
    if (!secrets && !hookAsks && (policy.mode === "full-auto" || call.allowed)) return { go: true, asked: false };
    // Read-only is a ceiling: what Tether cannot tell is only a read is refused, not put to a person.
    if (policy.mode === "read-only" && !call.allowed) {
      return { go: false, output: `Read-only mode: the agent may not use ${call.title} (${call.kind}).` };
    }
    const request: ApprovalRequest = {
      callId: call.callId,
      tool: call.tool,
      kind: "command",
      command: call.title,
      reason: call.reason,
      rule: hookAsks ? (hookAsks.failed ? HOOK_RULES.failed : HOOK_RULES.asks) : secrets ? SECRET_RULE : `${call.kind}: ask`,
      why:
        (hookAsks && secrets ? clipWhy(`${hookAsks.reason} Also: ${secrets.why}`) : hookAsks?.reason) ??
        secrets?.why ??
        call.why ??
        `Tether cannot see what this ${call.kind === "other" ? "tool" : call.kind} does before it runs, so it needs your OK.`,
      options: call.options,
    };
    return this.ask(request, () => undefined);
  }

  /** The PreToolUse hooks' verdict on a call, when this run has hooks. */
  private preTool(call: HookCall): Promise<PreToolVerdict | undefined> {
    const hooks = this.deps.hooks;
    return hooks ? hooks.hooks.preTool(hooks.scope, call) : Promise.resolve(undefined);
  }

  private absolute(path: string): string {
    return this.deps.hooks ? join(this.deps.hooks.scope.cwd, path) : path;
  }

  /** Leaves the call to a person; `always` keeps their "approve always" for the thread. */
  private async ask(request: ApprovalRequest, always: () => void): Promise<Gated> {
    const terms: ApprovalTerms = {
      admit: (decision, by, optionId) => {
        if (optionId !== undefined) admitOption(request.options, decision, optionId);
        if (decision !== "approve-on-computer") return;
        // The rule is the host's own reading of the command; a request it offered none for gets none.
        if (request.computerRule === undefined || !this.deps.addHostRule) {
          throw new TetherError(
            ErrorCode.BadRequest,
            "This request cannot be allowed on this computer; approve it here instead.",
          );
        }
        this.deps.addHostRule(request.computerRule, by);
      },
      // Saved with the decision, so the command that carried it is acknowledged with it on disk.
      recorded: (decision: Decision) => {
        if (decision === "approve-always" || decision === "approve-on-computer") always();
      },
    };
    const answer = await this.deps.waits.requestApproval(request, terms);
    const chosen = answer.optionId !== undefined ? { optionId: answer.optionId } : {};
    if (answer.decision === "deny") return { go: false, output: denied(request.kind, answer.message), ...chosen };
    if (answer.decision === "stop") throw new Stopped();
    return { go: true, asked: true, ...chosen };
  }
}

/** The kinds of an outside agent's option each decision may choose. */
const OPTION_KINDS: Record<Decision, readonly AgentPermissionOption["kind"][]> = {
  approve: ["allow_once"],
  "approve-always": ["allow_always", "allow_once"],
  "approve-on-computer": ["allow_always", "allow_once"],
  deny: ["reject_once", "reject_always"],
  stop: [],
};

/** Refuses an option the request did not offer, or one of another kind than the decision. */
function admitOption(options: readonly AgentPermissionOption[] | undefined, decision: Decision, optionId: string): void {
  const option = options?.find((o) => o.optionId === optionId);
  if (!option) throw new TetherError(ErrorCode.BadRequest, "The agent offered no such choice on this request.");
  if (!OPTION_KINDS[decision].includes(option.kind)) {
    throw new TetherError(ErrorCode.BadRequest, `"${option.name}" does not go with the decision "${decision}".`);
  }
}

/** A verdict the policy reached alone: allow or deny. */
function settled(verdict: Verdict): Gated {
  if (verdict.decision === "deny") return { go: false, output: `Not allowed: ${verdict.reason} (${verdict.rule})` };
  return { go: true, asked: false };
}

function denied(what: "edit" | "command", message: string | undefined): string {
  const base = `The user denied this ${what}.`;
  return message ? `${base} Their message: ${message}` : `${base} Try another way, or ask them.`;
}

function clipWhy(text: string): string {
  return text.length > MAX_WHY_CHARS ? `${text.slice(0, MAX_WHY_CHARS - 1)}…` : text;
}
