// A run the host did not finish (it stopped or crashed mid-run) found again when it starts: the
// thread ends as stopped, with the approvals it was waiting for closed and the commands the host
// ended named, so a phone shows why it stopped rather than a run that will never go on.

import type { DeviceRef } from "#protocol";
import type { Thread } from "./thread";

/** Ends `thread`'s unfinished run as stopped; `commands` are those of it the host ended on start. */
export function endInterrupted(thread: Thread, self: DeviceRef, commands: readonly string[]): void {
  for (const p of thread.summary("").pending) {
    thread.append({ type: "approval-resolved", approvalId: p.approvalId, decision: "stop", by: self });
  }
  thread.setStatus("stopped", interruptedDetail(commands));
}

/** Why a run ended when the host started again, with the commands it had running that were ended. */
export function interruptedDetail(commands: readonly string[]): string {
  const detail = "interrupted: the host stopped during this run";
  if (commands.length === 0) return detail;
  const names = commands.map((c) => `\`${c.length > 80 ? `${c.slice(0, 79)}…` : c}\``).join(", ");
  return commands.length === 1
    ? `${detail}; the command ${names} that was running was stopped`
    : `${detail}; the commands ${names} that were running were stopped`;
}
