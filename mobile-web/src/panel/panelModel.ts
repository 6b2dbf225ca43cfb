// What the thread panel shows, worked out from the extension's messages: the new-task form,
// or one thread with its durable events and live state. Pure, so the tests reach it.

import type { PolicyMode, ThreadSummary } from "#protocol";
import { mergeEvents } from "../threads/cache";
import { settleLive, withLive, type LiveState } from "#protocol/live";
import type { NumberedEvent } from "../threads/timelineItems";
import type { ToPanel } from "#protocol/panel";

export type PanelView =
  | { kind: "loading" }
  | { kind: "new-task"; workspace: string; mode: PolicyMode; models?: readonly string[] }
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
