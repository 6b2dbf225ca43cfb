// What the top bar says of the computer a thread or file screen belongs to, in one short line.
// The phone reaches the computer through the relay, so the relay's state comes first: while it
// is away, what the relay last said of the computer no longer holds.

import { clockTime } from "../threads/offline";

// The shapes of `Presence` (hosts/hostSync.ts) and `LinkStatus` (link/relayLink.svelte.ts), written
// out so this stays plain TypeScript that tests load without Svelte's compiler.
type Presence = { kind: "known"; online: boolean; lastSeen: number } | { kind: "unlisted" } | { kind: "unknown" };
type LinkStatus = "online" | "connecting" | "offline";

export interface BarState {
  tone: "online" | "connecting" | "offline";
  /** Shown beside the computer's name; never cut, the name is cut instead. */
  words: string;
}

export function barState(presence: Presence, relay: LinkStatus, now: number): BarState {
  if (relay === "offline") return { tone: "offline", words: "relay offline" };
  if (relay === "connecting" || presence.kind === "unknown") return { tone: "connecting", words: "connecting…" };
  if (presence.kind === "unlisted") return { tone: "offline", words: "offline" };
  if (presence.online) return { tone: "online", words: "online" };
  return { tone: "offline", words: `offline since ${clockTime(presence.lastSeen, now)}` };
}
