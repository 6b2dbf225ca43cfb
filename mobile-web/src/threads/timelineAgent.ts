// The timeline's steps for what only an outside agent (Claude Code, Codex, … over the Agent
// Client Protocol) records on a thread: its reasoning, and changes to a tool call it made. The
// session-wide parts (plan, modes, options, commands, usage) are not timeline items: see
// agentSession.ts.

import type { ToolLocation } from "#protocol";
import type { Base, Building, EventOf } from "./timelineBuild";
import type { LiveView, NumberedEvent, TimelineItem } from "./timelineItems";

export function thoughtStep(b: Building, e: EventOf<"thought">, base: Base): void {
  if (!e.text.trim()) return;
  b.items.push({ ...base, kind: "thought", text: e.text, streaming: false });
}

/** A call's title, kind or files changed while it runs: the row shows the newest. */
export function toolUpdateStep(b: Building, e: EventOf<"tool-update">): void {
  const item = b.tools.get(e.callId);
  // An update to a call in a hole of what has arrived has no row to change.
  if (!item) return;
  if (e.title !== undefined && e.title !== "") item.title = e.title;
  if (e.kind !== undefined) item.toolKind = e.kind;
  if (e.locations !== undefined) item.locations = copyLocations(e.locations);
}

export function copyLocations(locations: readonly ToolLocation[]): ToolLocation[] {
  return locations.map((l) => ({ ...l }));
}

/** The streaming reasoning of steps whose `thought` (or the run's end) has not arrived. */
export function liveThought(
  list: readonly NumberedEvent[],
  live: LiveView,
  step: number,
  endsRun: (n: NumberedEvent) => boolean,
): TimelineItem | null {
  const body = live.thought?.[step] ?? "";
  if (!body.trim()) return null;
  if (list.some((n) => n.seq > step && (n.event.type === "thought" || endsRun(n)))) return null;
  const at = list.length > 0 ? list[list.length - 1]!.event.at : 0;
  return { key: `thought${step}`, seq: null, at, kind: "thought", text: body, streaming: true };
}
