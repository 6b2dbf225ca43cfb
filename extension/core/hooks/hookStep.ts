// The gate's hook step, after the policy, the standing approvals and the secret scan have
// judged: what the PreToolUse hooks answered turns the verdict into the one the call gets. A
// hook's deny refuses the call with its reason, which the agent reads. A hook's ask, or a hook
// that failed, asks a person in any mode, full-auto included, with the hook's words on the
// approval; no standing approval lifts it (it is sticky). A hook's allow lifts only the mode's
// own ask: never a deny, never an ask the policy keeps for what it cannot fully judge (a place
// outside the workspace, a protected place), never the secret scan's.

import { MAX_WHY_CHARS } from "#protocol";
import type { Verdict } from "../agent/policy/verdict";
import type { PreToolVerdict } from "./hooks";

export const HOOK_RULES = {
  denied: "hook: denied",
  asks: "hook: asks",
  failed: "hook: failed",
  allowed: "hook: allowed",
} as const;

/** An approval asked because of a hook: a rule for the command would not lift it, so none is offered. */
export function isHookRule(rule: string): boolean {
  return Object.values(HOOK_RULES).includes(rule as (typeof HOOK_RULES)[keyof typeof HOOK_RULES]);
}

export function withHooks(verdict: Verdict, hooked: PreToolVerdict | undefined): Verdict {
  if (!hooked || verdict.decision === "deny") return verdict;
  if (hooked.kind === "deny") return { decision: "deny", rule: HOOK_RULES.denied, reason: hooked.reason };
  if (hooked.kind === "ask") {
    // The policy's own reason to ask, when it had one, stays on the card beside the hook's.
    const also = verdict.decision === "ask" ? ` Also: ${verdict.reason}` : "";
    return {
      decision: "ask",
      rule: hooked.failed ? HOOK_RULES.failed : HOOK_RULES.asks,
      reason: clip(hooked.reason + also),
      sticky: true,
    };
  }
  if (verdict.decision === "ask" && !verdict.sticky && verdict.rule.startsWith("mode ")) {
    return { decision: "allow", rule: HOOK_RULES.allowed, reason: hooked.reason };
  }
  return verdict;
}

/** Tether's kind of call for an outside agent's kind (`execute` is a command, `delete` an edit). */
export function callKind(kind: string): string {
  if (kind === "execute" || kind.startsWith("command")) return "command";
  if (kind === "edit" || kind === "delete" || kind === "move") return "edit";
  return kind;
}

function clip(text: string): string {
  return text.length > MAX_WHY_CHARS ? `${text.slice(0, MAX_WHY_CHARS - 1)}…` : text;
}
