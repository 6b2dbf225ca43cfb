// What the thread panel shows, worked out from the extension's messages: the new-task form,
// or one thread with its durable events and live state. Pure, so the tests reach it.

import { BUILTIN_AGENT, type AgentInfo, type Command, type PolicyMode, type ThreadSummary } from "#protocol";
import { mergeEvents } from "../threads/cache";
import { settleLive, withLive, type LiveState } from "#protocol/live";
import type { NumberedEvent } from "../threads/timelineItems";
import type { TaskAgent, ToPanel } from "#protocol/panel";

export type PanelView =
  | { kind: "loading" }
  | {
      kind: "new-task";
      workspace: string;
      mode: PolicyMode;
      models?: readonly string[];
      agents?: readonly AgentInfo[];
      chosen?: TaskAgent;
      /** The form offers a worktree of its own for the task, checked when `default`. */
      worktrees?: { default: boolean };
    }
  | { kind: "thread"; summary: ThreadSummary; events: readonly NumberedEvent[]; live: LiveState };

export const LOADING: PanelView = { kind: "loading" };

/**
 * The view after one message; messages about another thread than the one shown change nothing,
 * nor do the sidebar's own (recent threads, files, context, focus).
 */
export function nextView(view: PanelView, message: Exclude<ToPanel, { type: "reply" }>): PanelView {
  switch (message.type) {
    case "new-task":
      return {
        kind: "new-task",
        workspace: message.workspace,
        mode: message.mode,
        ...(message.models ? { models: message.models } : {}),
        ...(message.agents ? { agents: message.agents } : {}),
        ...(message.chosen ? { chosen: message.chosen } : {}),
        ...(message.worktrees ? { worktrees: message.worktrees } : {}),
      };
    case "thread":
      // The extension keeps the live state by the same rules, already settled by these events.
      return { kind: "thread", summary: message.summary, events: mergeEvents([], message.events), live: message.live };
    case "events":
      if (view.kind !== "thread" || view.summary.threadId !== message.threadId) return view;
      return {
        kind: "thread",
        summary: message.summary.updatedAt >= view.summary.updatedAt ? message.summary : view.summary,
        events: mergeEvents(view.events, message.events),
        live: settleLive(view.live, message.events),
      };
    case "live":
      if (view.kind !== "thread" || view.summary.threadId !== message.threadId) return view;
      return { ...view, live: message.events.reduce(withLive, view.live) };
    default:
      return view;
  }
}

/** The agent a thread's task ran with and its mode: a retry runs with the same (the retry carries the model). */
export function taskAgentOf(events: readonly NumberedEvent[]): TaskAgent | null {
  const task = events.find((e) => e.event.type === "task")?.event;
  if (task?.type !== "task") return null;
  return {
    agent: task.agent?.id ?? BUILTIN_AGENT,
    ...(task.agentMode ? { agentMode: task.agentMode } : {}),
  };
}

/** The new-task command with the chosen agent, its mode and (for an outside agent) its model. */
export function withAgent(command: Command, chosen: TaskAgent | null): Command {
  if (command.type !== "new-task" || !chosen) return command;
  const outside = chosen.agent !== BUILTIN_AGENT;
  const { model, ...rest } = command;
  return {
    ...rest,
    agent: chosen.agent,
    ...(outside && chosen.agentMode ? { agentMode: chosen.agentMode } : {}),
    // An outside agent runs its own models: the form's Tether model does not apply to it.
    ...(outside ? (chosen.model ? { model: chosen.model } : {}) : model ? { model } : {}),
  };
}

/**
 * The new-task command with the form's worktree choice: the person's when they chose, else the
 * default the form showed; nothing when the workspace offers no worktree (not a git repository).
 */
export function withWorktree(command: Command, view: PanelView, chosen: boolean | null): Command {
  if (command.type !== "new-task" || command.retryOf !== undefined || view.kind !== "new-task" || !view.worktrees) return command;
  return { ...command, worktree: chosen ?? view.worktrees.default };
}
