// The words a thread's state is said in, in one place: its badge and how an approval ended
// (the approval's own words, shared with the editor and the terminal, are protocol/approvalWords.ts).

import { decidedWords } from "#protocol/approvalWords";
import type { ThreadStatus } from "#protocol";
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
  return `${decidedWords(resolved.decision)} by ${resolved.by.name}`;
}
