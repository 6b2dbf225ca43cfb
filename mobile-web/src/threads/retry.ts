// What a run that ended badly offers: Retry (the same task again, as a new thread) and
// Continue (a follow-up in the same thread, so the agent resumes where it stopped). Both are
// worked out from the thread's events; pure, for the tests.

import { ATTACHED_FILES_HEADING, type PolicyMode, type ThreadStatus } from "#protocol";
import type { NumberedEvent } from "./timelineItems";

/** The follow-up Continue sends: the agent has the whole thread, this tells it to go on. */
export const CONTINUE_TEXT = "Continue where you stopped.";

/** How the run ended, in a person's words, and whether it can be tried again. */
export interface EndedOffer {
  /** `interrupted`: the host stopped (or crashed) during the run. */
  ended: "failed" | "stopped" | "interrupted";
  /** One line over the buttons. */
  words: string;
  /** The task to start again; null when its first event is not on this phone (trimmed). */
  retry: RetryTask | null;
}

/** A task as it was first asked, to be sent again. */
export interface RetryTask {
  /** The person's text, without the list of attached files the host added under it. */
  text: string;
  mode: PolicyMode;
  /** Empty when the host chose its default. */
  model: string;
  /** The outside agent that ran it, by id, and the mode it started in. */
  agent?: string;
  agentMode?: string;
  /** Names of the files attached to it; the host reuses those it still has. */
  attachments: string[];
}

/** Retry and Continue for a failed, stopped or interrupted thread; null for any other. */
export function endedOffer(status: ThreadStatus | undefined, events: readonly NumberedEvent[]): EndedOffer | null {
  if (status !== "failed" && status !== "stopped") return null;
  let detail: string | undefined;
  for (let i = events.length - 1; i >= 0; i--) {
    const { event } = events[i]!;
    if (event.type === "status") {
      // Only the status event that ended this run speaks for it.
      if (event.status === status) detail = event.detail;
      break;
    }
  }
  const interrupted = status === "stopped" && (detail?.startsWith("interrupted") ?? false);
  const ended = interrupted ? "interrupted" : status;
  const words =
    ended === "failed"
      ? "This run failed."
      : ended === "interrupted"
        ? "This run was interrupted when its computer stopped."
        : "This run was stopped.";
  return { ended, words, retry: retryTask(events) };
}

/** The thread's task as it was asked, from its first event. */
export function retryTask(events: readonly NumberedEvent[]): RetryTask | null {
  const task = events.find((n) => n.event.type === "task")?.event;
  if (task?.type !== "task") return null;
  const { text, attachments } = splitAttachments(task.text);
  if (!text.trim()) return null;
  return {
    text,
    mode: task.mode,
    model: task.model,
    ...(task.agent ? { agent: task.agent.id } : {}),
    ...(task.agentMode !== undefined ? { agentMode: task.agentMode } : {}),
    attachments,
  };
}

/**
 * A task's text and the names of its attached files, from the list the host put under it
 * (`- .tether/attachments/<thread>/<name> (12 KB)` or `- <name>: did not arrive`).
 */
export function splitAttachments(full: string): { text: string; attachments: string[] } {
  const marker = `\n\n${ATTACHED_FILES_HEADING}\n`;
  const at = full.lastIndexOf(marker);
  if (at < 0) return { text: full, attachments: [] };
  const lines = full.slice(at + marker.length).split("\n");
  const attachments: string[] = [];
  for (const line of lines) {
    if (!line.startsWith("- ")) return { text: full, attachments: [] }; // not the host's list
    const item = line.slice(2);
    const saved = /^(\S.*) \([^()]*\)$/.exec(item);
    const name = saved ? saved[1]!.slice(saved[1]!.lastIndexOf("/") + 1) : item.slice(0, Math.max(0, item.lastIndexOf(": ")));
    if (name) attachments.push(name);
  }
  return { text: full.slice(0, at), attachments };
}

/** What Retry says about the task's attachments, or null when it had none. */
export function attachmentsNote(task: RetryTask): string | null {
  const n = task.attachments.length;
  if (n === 0) return null;
  const files = n === 1 ? "its attached file" : `its ${n} attached files`;
  return `Retry sends ${files} again if the computer still has ${n === 1 ? "it" : "them"}; the new task says which are missing.`;
}
