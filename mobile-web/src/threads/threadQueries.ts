// What a thread's events say beyond its timeline: what waits for a person, the command running
// now, the files it changed, and whether Revert can do anything.

import type { ThreadStatus } from "#protocol";
import { lastChars } from "#protocol/live";
import { withoutEscapes } from "./escapes";
import { ENDED, ordered } from "./eventOrder";
import { buildTimeline } from "./timeline";
import type { LiveView, NumberedEvent } from "./timelineItems";

// What waits for a person lives apart, so the first screen's list of it does not pull in the
// timeline (and its chunk) with it.
export { pendingApprovals, pendingQuestion } from "./pending";

export interface RunningCommand {
  callId: string;
  command: string;
  startedAt: number;
  /** The newest line of its output, without colours, when some has streamed. */
  lastLine?: string;
}

/** The command running right now, for the sticky bar: not one waiting for approval. */
export function runningCommand(events: readonly NumberedEvent[], live: LiveView = {}): RunningCommand | null {
  const items = buildTimeline(events, live);
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.kind !== "tool") continue;
    // An outside agent's terminal commands are its `execute` calls.
    if (!item.running || item.waiting || (item.tool !== "run_command" && item.toolKind !== "execute")) return null;
    const command = typeof item.args["command"] === "string" ? item.args["command"] : item.title;
    const output = item.liveChunks ? lastChars(item.liveChunks, LAST_LINE_CHARS) : item.liveOutput;
    const line = output ? lastLineOf(output) : "";
    return { callId: item.callId, command, startedAt: item.startedAt, ...(line ? { lastLine: line } : {}) };
  }
  return null;
}

/** How far back from the end the sticky bar looks for the last line drawn. */
const LAST_LINE_CHARS = 4000;

function lastLineOf(output: string): string {
  const tail = withoutEscapes(output.slice(-LAST_LINE_CHARS));
  const lines = tail.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    // A progress bar redraws its line after each \r: the last drawing is what is on screen.
    const drawn = lines[i]!.split("\r").filter((part) => part.trim() !== "");
    const line = drawn[drawn.length - 1]?.trim();
    if (line) return line.length > 200 ? `${line.slice(0, 199)}…` : line;
  }
  return "";
}

/**
 * Files this thread changed and that are still changed: a revert puts files back, so they
 * leave the list until the thread changes them again. In the order they were first changed.
 */
export function changedFiles(events: readonly NumberedEvent[]): string[] {
  const changed = new Set<string>();
  for (const { event } of ordered(events)) {
    if (event.type === "file-change") changed.add(event.path);
    else if (event.type === "reverted") for (const path of event.files) changed.delete(path);
  }
  return [...changed];
}

/**
 * Whether Revert can do anything: the run is over and changed files since the last revert
 * (a revert forgets what it put back and what it had to skip).
 */
export function canRevert(status: ThreadStatus, events: readonly NumberedEvent[]): boolean {
  if (!ENDED.includes(status)) return false;
  const list = ordered(events);
  for (let i = list.length - 1; i >= 0; i--) {
    const type = list[i]!.event.type;
    if (type === "file-change") return true;
    if (type === "reverted") return false;
  }
  return false;
}

/**
 * Whether the thread's changes are reverted: a revert that put files back came after its last
 * change. A revert that could put nothing back leaves the changes, and so the word, as they were.
 */
export function isReverted(events: readonly NumberedEvent[]): boolean {
  const list = ordered(events);
  for (let i = list.length - 1; i >= 0; i--) {
    const event = list[i]!.event;
    if (event.type === "file-change") return false;
    if (event.type === "reverted" && event.files.length > 0) return true;
  }
  return false;
}
