// What the status bar entry says: a few words in the bar ("Tether · 1 waiting"), the detail in
// its tooltip (the relay, the connection, the paired phones, the tasks), with links to act on
// it. Pure, so the words are tested without an editor.

import type { ThreadStatus } from "#protocol";
import { seenText } from "../core/devices/seen";

export type StatusLink = "open" | "connecting" | "closed" | "stopped";

export interface StatusFacts {
  link: StatusLink;
  /** The relay's origin the host uses. */
  relay: string;
  /** The relay is this window's own (Tether: Start a Local Relay). */
  localRelay: boolean;
  /** Approvals and questions that wait for a person. */
  waiting: number;
  threads: ThreadStatus[];
  phones: { name: string; online: boolean; lastSeen: number }[];
  now: number;
}

/** The commands the tooltip links to (and the only ones its MarkdownString may run). */
export const TOOLTIP_COMMANDS = ["tether.showApprovals", "tether.pairPhone", "tether.startLocalRelay", "tether.showLog"];

const ICON: Record<StatusLink, string> = {
  open: "$(radio-tower)",
  connecting: "$(sync~spin)",
  closed: "$(debug-disconnect)",
  stopped: "$(debug-disconnect)",
};

const LINK_WORDS: Record<StatusLink, string> = {
  open: "connected to the relay",
  connecting: "connecting to the relay…",
  closed: "not connected to the relay",
  stopped: "not started",
};

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The bar's text: the connection's icon, the name, and at most one count. */
export function statusText(facts: StatusFacts): string {
  const running = facts.threads.filter((s) => s === "running").length;
  const tail = facts.waiting > 0 ? ` · ${facts.waiting} waiting` : running > 0 ? ` · ${running} running` : "";
  return `${ICON[facts.link]} Tether${tail}`;
}

/** The tooltip, as Markdown with command links. */
export function statusTooltip(facts: StatusFacts): string {
  const running = facts.threads.filter((s) => s === "running").length;
  const queued = facts.threads.filter((s) => s === "queued").length;
  const lines = [`**Tether** · ${LINK_WORDS[facts.link]}`];
  lines.push(`Relay: \`${facts.relay}\`${facts.localRelay ? " (this window's own)" : ""}`);
  if (facts.phones.length === 0) {
    lines.push("Phones: none paired yet · [Pair Phone](command:tether.pairPhone)");
  } else {
    const phones = facts.phones.map((p) => `${escape(p.name)} (${seenText(p, facts.now)})`);
    lines.push(`Phones: ${phones.join(", ")}`);
  }
  const tasks = [
    ...(running ? [`${running} running`] : []),
    ...(queued ? [`${queued} queued`] : []),
    ...(facts.waiting ? [`${count(facts.waiting, "approval or question", "approvals or questions")} waiting for you`] : []),
  ];
  lines.push(`Tasks: ${tasks.length ? tasks.join(", ") : "none running"}`);
  const links = [
    ...(facts.waiting ? ["[Decide Now](command:tether.showApprovals)"] : []),
    ...(facts.link !== "open" && !facts.localRelay ? ["[Start a Local Relay](command:tether.startLocalRelay)"] : []),
    "[Pair Phone](command:tether.pairPhone)",
    "[Show Log](command:tether.showLog)",
  ];
  lines.push(links.join(" · "));
  return lines.join("\n\n");
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, "\\$&");
}
