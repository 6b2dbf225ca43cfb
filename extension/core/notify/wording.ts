// What a notification says. A lock screen shows about one line of title and a few of body, so
// titles put the thing to decide first and are cut to fit, and bodies stay a few plain lines.
// These strings are user content: they travel only inside the sealed box, never into a log.

import type { ThreadEvent } from "#protocol";
import type { NumberedEvent } from "../threads/threadStore";

/** Titles aim at this many characters, which most phones show whole. */
const TITLE_TARGET = 60;
/** A long command or path still keeps this much, even if the title runs past the target. */
const MIN_SUBJECT = 24;
const MAX_WORKSPACE = 30;
/** The schema's limits for what goes in the box. */
const MAX_TITLE = 200;
const MAX_BODY = 500;
/** Lines of a summary or an error shown in a body. */
const BODY_LINES = 4;

type ApprovalRequested = Extract<ThreadEvent, { type: "approval-requested" }>;

/** Cuts at `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, Math.max(0, max - 1)).trimEnd() + "…";
}

/** One line: newlines and runs of spaces (a multi-line command) become single spaces. */
const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();

/** The first few non-empty lines. */
function firstLines(text: string, lines = BODY_LINES): string {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "")
    .slice(0, lines)
    .join("\n");
}

/** Keeps a path's end (the file name is what people recognise), cut at a folder boundary. */
function clipPath(path: string, max: number): string {
  if (path.length <= max) return path;
  const tail = path.slice(path.length - (max - 1));
  const slash = tail.indexOf("/");
  return "…" + (slash >= 0 && slash < tail.length - 1 ? tail.slice(slash) : tail);
}

const workspaceLabel = (workspace: string): string => clip(oneLine(workspace) || "the workspace", MAX_WORKSPACE);

/** Room left for the subject once the fixed words and the workspace are in the title. */
const room = (fixed: number, workspace: string): number => Math.max(MIN_SUBJECT, TITLE_TARGET - fixed - workspace.length);

/** "Approve `npm test` in api-service?" or "Allow edit of src/app.ts in api-service?" */
export function approvalTitle(event: ApprovalRequested, workspace: string): string {
  const ws = workspaceLabel(workspace);
  if (event.kind === "edit") {
    const path = clipPath(oneLine(event.path ?? "a file"), room("Allow edit of  in ?".length, ws));
    return clip(`Allow edit of ${path} in ${ws}?`, MAX_TITLE);
  }
  const command = clip(oneLine(event.command ?? event.tool), room("Approve `` in ?".length, ws));
  return clip(`Approve \`${command}\` in ${ws}?`, MAX_TITLE);
}

/** The agent's reason, then where a command would run. */
export function approvalBody(event: ApprovalRequested, workspace: string): string {
  const reason = firstLines(event.reason) || "The agent gave no reason.";
  if (event.kind !== "command") return clip(reason, MAX_BODY);
  const cwd = !event.cwd || event.cwd === "." ? workspace : `${workspace}/${event.cwd}`;
  const where = `Runs in ${clipPath(cwd, 120)}`;
  return clip(reason, MAX_BODY - where.length - 1) + "\n" + where;
}

export const questionTitle = (workspace: string): string => `Question in ${workspaceLabel(workspace)}`;

export const questionBody = (text: string): string => clip(text.trim() || "The agent has a question.", MAX_BODY);

export const finishedTitle = (status: "done" | "failed", threadTitle: string): string =>
  clip(`${status === "done" ? "Done" : "Failed"}: ${oneLine(threadTitle)}`, MAX_TITLE);

/**
 * What the run ended with: for a finished run its summary (or, without one, its last words),
 * for a failed one the error it reported. Only the events of this run count, so an earlier
 * run's summary is never shown as this one's.
 */
export function finishedBody(status: "done" | "failed", events: readonly NumberedEvent[], endSeq: number): string {
  let lastText: string | undefined;
  for (let i = Math.min(endSeq, events.length) - 1; i >= 0; i--) {
    const e = events[i]!.event;
    if (e.type === "task" || e.type === "user-message") break;
    if (status === "done" && e.type === "summary") return clip(firstLines(e.text), MAX_BODY);
    if (status === "failed" && e.type === "error") return clip(firstLines(e.message), MAX_BODY);
    if (e.type === "assistant-text" && lastText === undefined) lastText = e.text;
  }
  if (status === "failed") return "The run stopped with an error. Open the thread for details.";
  return lastText?.trim() ? clip(firstLines(lastText), MAX_BODY) : "The agent finished.";
}
