// The words a thread's state is said in, in one place: badges, decisions, and why the gate asks.

import type { ThreadStatus } from "../../../protocol/index";
import type { ApprovalResolution } from "./timelineItems";

export type StatusTone = "neutral" | "active" | "attention" | "success" | "danger";

/** A status as a badge says it, and the colour it takes. */
export function statusWords(status: ThreadStatus): { label: string; tone: StatusTone } {
  switch (status) {
    case "queued":
      return { label: "Queued", tone: "neutral" };
    case "running":
      return { label: "Running", tone: "active" };
    case "awaiting-approval":
      return { label: "Needs approval", tone: "attention" };
    case "awaiting-answer":
      return { label: "Has a question", tone: "attention" };
    case "done":
      return { label: "Done", tone: "success" };
    case "failed":
      return { label: "Failed", tone: "danger" };
    case "stopped":
      return { label: "Stopped", tone: "neutral" };
    default:
      return { label: String(status), tone: "neutral" };
  }
}

/** How an approval ended, in words: "Approved by Pixel 8". */
export function decisionWords(resolved: Pick<ApprovalResolution, "decision" | "by">): string {
  const verb = {
    approve: "Approved",
    "approve-always": "Approved for this thread",
    deny: "Denied",
    stop: "Run stopped",
  }[resolved.decision];
  return `${verb} by ${resolved.by.name}`;
}

/**
 * The gate's reason as the card's "why" line: "Asks because `find -exec` runs a program." A
 * sentence that starts with an ordinary capitalised word ("It writes into .git/…") continues
 * the line in lower case; names such as `GIT_PAGER` or `.git/` keep theirs.
 */
export function whyLine(why: string): string {
  const text = why.trim();
  const lowered = /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
  return `Asks because ${lowered}`;
}
