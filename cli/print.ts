// What the command line prints of a thread: one line of plain words per durable event, or the
// event itself as a JSON line (`--json`) for a script. Streaming text is not printed: each
// step's text arrives whole as its own event.

import { askReason, decidedWords } from "#protocol/approvalWords";
import type { ThreadEvent, ThreadSummary } from "#protocol";
import { statusWords } from "../mobile-web/src/threads/words";
import type { OpenedEvent } from "../mobile-web/src/threads/open";

/** The event as a JSON line: thread, sequence number and the event as the host sealed it. */
export function jsonLine(opened: OpenedEvent): string {
  return JSON.stringify({ threadId: opened.threadId, seq: opened.seq, ...opened.event });
}

function firstLine(text: string, max = 200): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** One line for a person, or null for events that say nothing a log reader needs. */
export function eventLine(event: ThreadEvent): string | null {
  switch (event.type) {
    case "task":
      return `task: ${firstLine(event.text)} (mode ${event.mode}, by ${event.by.name})`;
    case "user-message":
      return `${event.by.name}: ${event.text}`;
    case "assistant-text":
      return event.text;
    case "tool-call":
      return `> ${event.tool} ${event.title}`;
    case "tool-result":
      return event.ok
        ? null
        : `  ${event.tool} failed${event.exitCode !== null && event.exitCode !== undefined ? ` (exit ${event.exitCode})` : ""}`;
    case "approval-requested":
      return `? approval needed: ${event.kind === "command" ? event.command : event.path} (${askReason(event)})`;
    case "approval-resolved":
      return `  ${decidedWords(event.decision)} by ${event.by.name}${event.message ? `: ${event.message}` : ""}`;
    case "question":
      return `? question: ${event.text}`;
    case "answer":
      return `  ${event.by.name} answered: ${event.text}`;
    case "file-change":
      return `  ${event.change} ${event.path} (+${event.added} -${event.removed})`;
    case "status":
      return `[${statusWords(event.status).label.toLowerCase()}]${event.detail ? ` ${event.detail}` : ""}`;
    case "summary":
      return `summary: ${event.text}`;
    case "error":
      return `error: ${event.message}`;
    case "retry":
      return `  retrying (attempt ${event.attempt}): ${event.message}`;
    default:
      return null;
  }
}

/** A thread in `tether threads`: id, status, title. */
export function threadRow(summary: ThreadSummary): string {
  const status = statusWords(summary.status).label.toLowerCase();
  const waiting = summary.pending.length > 0 ? ` (${summary.pending.length} waiting for approval)` : "";
  return `${summary.threadId}  ${status.padEnd(14)}  ${summary.title}${waiting}`;
}
