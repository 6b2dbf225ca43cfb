// Words a UserPromptSubmit hook kept from the agent stay out of what the model is sent later
// too: a thread continued after a blocked message rebuilds its conversation from its events, and
// the blocked words must not ride along with the next message. They are known from the thread
// alone (the note the run ended with), so this holds across restarts.

import type { ThreadEvent } from "#protocol";

/** How the note a blocked prompt ends its run with begins. */
export const BLOCKED_PREFIX = "A hook kept this message from being sent to the agent: ";

/** What the model is told instead of words a hook blocked. */
export const WITHHELD = "(A message here was kept from the agent by a hook; it is not shown.)";

const AGENT_MADE = new Set<ThreadEvent["type"]>(["assistant-text", "tool-call", "tool-result", "summary"]);

/** `events` with the task or messages a hook blocked replaced by `WITHHELD`. */
export function withoutBlockedPrompts(events: readonly ThreadEvent[]): ThreadEvent[] {
  const blocked = new Set<number>();
  let pending: number[] = [];
  events.forEach((e, i) => {
    if (e.type === "task" || e.type === "user-message") pending.push(i);
    else if (AGENT_MADE.has(e.type)) pending = [];
    else if (e.type === "status" && e.detail?.startsWith(BLOCKED_PREFIX)) {
      for (const at of pending) blocked.add(at);
      pending = [];
    }
  });
  if (blocked.size === 0) return [...events];
  return events.map((e, i) =>
    blocked.has(i) && (e.type === "task" || e.type === "user-message") ? { ...e, text: WITHHELD } : e,
  );
}
