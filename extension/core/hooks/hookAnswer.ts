// What a hook's run says, read the way Claude Code and Gemini CLI read theirs, so their hooks work
// here unchanged: exit 0 with JSON on stdout is an answer (`hookSpecificOutput.permissionDecision`
// allow | deny | ask with `permissionDecisionReason`, or a top-level `decision` approve | allow |
// block | deny | ask with `reason`); exit 0 with nothing on stdout is no opinion; exit 2 blocks,
// its stderr the reason. Where they let a failing hook through (any other exit, a timeout),
// Tether does not: a hook that fails, times out or answers what cannot be read is a failure,
// and the caller fails closed on it (the call asks, the prompt is not sent).

import type { HookSpec } from "./hookConfig";
import type { HookRun } from "./runHook";

/** Longest reason or output kept from one hook, in characters. */
const MAX_REASON_CHARS = 400;
const MAX_OUTPUT_CHARS = 4000;

export type HookAnswer =
  | { kind: "allow"; reason: string }
  | { kind: "deny"; reason: string }
  | { kind: "ask"; reason: string }
  /** It ran and had nothing to say about the call; `output`: what it printed, to show. */
  | { kind: "none"; output: string }
  | { kind: "failed"; reason: string };

/** `hook "sh check.sh"`, short enough for a phone line. */
export function hookName(hook: HookSpec): string {
  const cmd = hook.command.replace(/\s+/g, " ");
  return `hook "${cmd.length > 60 ? `${cmd.slice(0, 59)}…` : cmd}"${hook.source === "project" ? " (project)" : ""}`;
}

/** The run's answer about a tool call or a prompt. */
export function readAnswer(hook: HookSpec, run: HookRun): HookAnswer {
  const name = hookName(hook);
  if (run.startError !== undefined) return { kind: "failed", reason: `${name} could not start: ${clip(run.startError)}` };
  if (run.timedOut) return { kind: "failed", reason: `${name} took longer than its ${hook.timeoutS} s limit and was ended.` };
  if (run.exitCode === 2) {
    return { kind: "deny", reason: clip(run.stderr.trim()) || `${name} refused it (exit 2) without saying why.` };
  }
  if (run.exitCode !== 0) {
    const said = run.stderr.trim() || run.stdout.trim();
    return { kind: "failed", reason: `${name} failed (exit ${run.exitCode ?? "by a signal"})${said ? `: ${clip(said)}` : "."}` };
  }
  const out = run.stdout.trim();
  if (out === "") return { kind: "none", output: "" };
  let value: unknown;
  try {
    value = JSON.parse(out);
  } catch {
    // Gemini CLI's rule: stdout is the answer, so words that are not JSON are a broken answer.
    return { kind: "failed", reason: `${name} printed something that is not a JSON answer: ${clip(out)}` };
  }
  if (!isObject(value)) return { kind: "failed", reason: `${name} answered ${clip(out)}, not a JSON object.` };
  const specific = isObject(value.hookSpecificOutput) ? value.hookSpecificOutput : undefined;
  const decision = text(specific?.permissionDecision) ?? text(value.decision);
  const reason = clip(text(specific?.permissionDecisionReason) ?? text(value.reason) ?? "");
  if (decision === undefined) return { kind: "none", output: clip(text(value.systemMessage) ?? "", MAX_OUTPUT_CHARS) };
  switch (decision.toLowerCase()) {
    case "allow":
    case "approve":
      return { kind: "allow", reason };
    case "deny":
    case "block":
      return { kind: "deny", reason: reason || `${name} refused it without saying why.` };
    case "ask":
      return { kind: "ask", reason: reason || `${name} asks you to decide.` };
    default:
      return { kind: "failed", reason: `${name} answered a decision Tether does not know: "${clip(decision)}".` };
  }
}

/**
 * What to show on the thread from a hook that only reports (after a tool, at the end of a run):
 * its output, or its failure in words. Undefined when it ran and said nothing.
 */
export function reportOf(hook: HookSpec, run: HookRun): string | undefined {
  const name = hookName(hook);
  if (run.startError !== undefined) return `${name} could not start: ${clip(run.startError)}`;
  if (run.timedOut) return `${name} took longer than its ${hook.timeoutS} s limit and was ended.`;
  const said = [run.stdout.trim(), run.stderr.trim()].filter(Boolean).join("\n");
  if (run.exitCode !== 0)
    return `${name} failed (exit ${run.exitCode ?? "by a signal"})${said ? `: ${clip(said, MAX_OUTPUT_CHARS)}` : "."}`;
  return said ? `${name}: ${clip(said, MAX_OUTPUT_CHARS)}` : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function clip(s: string, max = MAX_REASON_CHARS): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
