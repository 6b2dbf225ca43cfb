// How thread lists are ordered wherever they are shown: waiting for a person first, then
// running or queued, then ended; newest activity first within each.

import type { ThreadSummary } from "#protocol";

function rank(summary: Pick<ThreadSummary, "status">): number {
  switch (summary.status) {
    case "awaiting-approval":
    case "awaiting-answer":
      return 0;
    case "running":
    case "queued":
      return 1;
    default:
      return 2;
  }
}

export function threadOrder(
  a: Pick<ThreadSummary, "status" | "updatedAt">,
  b: Pick<ThreadSummary, "status" | "updatedAt">,
): number {
  return rank(a) - rank(b) || b.updatedAt - a.updatedAt;
}
