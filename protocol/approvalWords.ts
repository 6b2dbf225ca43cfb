// The words of an approval, in one place for every surface that shows one (the phone's card, the
// editor's prompt, the headless host's terminal): why it asks, in a person's words, and what
// each choice lets through. The host sends the gate's rule and reason; these turn them into
// sentences, so the three surfaces never say it three ways.

import type { Decision, PolicyMode, ThreadEvent } from "./thread";

type Requested = Extract<ThreadEvent, { type: "approval-requested" }>;
export type ApprovalAsked = Pick<Requested, "kind" | "command" | "rule" | "why" | "computerRule">;

const MODE_NAMES: Record<PolicyMode, string> = {
  "read-only": "Read-only",
  ask: "Ask",
  "auto-edit": "Auto-edit",
  "full-auto": "Full-auto",
};

/** The gate's rule for a mode's own ask, as the host writes it: `mode ask: edits ask`. */
const MODE_RULE = /^mode (read-only|ask|auto-edit|full-auto): (edits|commands) ask$/;

/**
 * Why the request asks, as one sentence: "You chose Ask: each edit needs your OK." for the mode's
 * own ask, the gate's reason (which names the option or place) otherwise.
 */
export function askReason(request: ApprovalAsked): string {
  const mode = MODE_RULE.exec(request.rule);
  if (mode) {
    const name = MODE_NAMES[mode[1] as PolicyMode];
    if (request.kind === "command" && mode[2] === "edits") {
      return `You chose ${name}: each edit needs your OK, and this command writes a file.`;
    }
    if (mode[1] === "ask") return `You chose ${name}: each ${mode[2] === "edits" ? "edit" : "command"} needs your OK.`;
    return `You chose ${name}: ${mode[2]} need your OK.`;
  }
  const why = (request.why ?? "").trim();
  if (request.rule === "cannot be analysed" || request.rule.startsWith("dynamic ")) {
    return `Tether could not fully read this command, so it needs your OK. ${why}`.trim();
  }
  const uncovered = /^not covered by allow rule "(.*)"$/.exec(request.rule);
  if (uncovered) return `Your rule "${uncovered[1]}" does not cover this: ${lowerFirst(why)}`.trim();
  if (request.rule.startsWith("option: ")) return `${why} That needs your OK.`.trim();
  return why || `Asked because: ${request.rule}`;
}

/** The label of each choice, saying how far it reaches. */
export function choiceLabel(decision: Decision, request: ApprovalAsked): string {
  switch (decision) {
    case "approve":
      return "Approve";
    case "approve-always":
      return request.kind === "edit"
        ? "Allow all edits in this task"
        : `Allow \`${shortCommand(request.command ?? "")}\` for the rest of this task`;
    case "approve-on-computer":
      return "Always on this computer";
    case "deny":
      return "Deny";
    case "stop":
      return "Stop the run";
  }
}

/** What "Always on this computer" adds, under its label: "Adds the rule `npm test` on this computer". */
export function computerRuleNote(rule: string): string {
  return `Allows \`${rule}\` in every task here; you can remove it on the computer.`;
}

/** How a decision reads once made, before "by <device>": "Approved for this task". */
export function decidedWords(decision: Decision): string {
  return {
    approve: "Approved",
    "approve-always": "Approved for this task",
    "approve-on-computer": "Allowed on this computer",
    deny: "Denied",
    stop: "Run stopped",
  }[decision];
}

function shortCommand(command: string): string {
  const line = command.trim().replace(/\s+/g, " ");
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
