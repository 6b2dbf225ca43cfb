// An outside agent's session as a thread's events left it: which agent, its mode and the modes
// it may switch to, its options (the model), its slash commands, its plan and what it has used.
// Each `agent-state` names only what changed; each `plan` replaces the one before. Pure, so the
// tests reach it; the thread screen pins what it says above the timeline.

import type { AgentChoice, AgentCommand, AgentOption, PlanEntry, ThreadEvent } from "#protocol";
import { ordered } from "./eventOrder";
import type { NumberedEvent } from "./timelineItems";

type Usage = Extract<ThreadEvent, { type: "usage" }>;

export interface AgentSession {
  /** The agent, as the task named it; absent for Tether's own agent. */
  agent?: { id: string; name: string };
  mode?: string;
  modes: AgentChoice[];
  options: AgentOption[];
  commands: AgentCommand[];
  plan?: PlanEntry[];
  usage?: Pick<Usage, "used" | "size" | "cost">;
}

export function agentSession(events: readonly NumberedEvent[]): AgentSession {
  const session: AgentSession = { modes: [], options: [], commands: [] };
  for (const { event: e } of ordered(events)) {
    if (e.type === "task") {
      if (e.agent) session.agent = { ...e.agent };
      if (e.agentMode !== undefined) session.mode = e.agentMode;
    } else if (e.type === "agent-state") {
      if (e.mode !== undefined) session.mode = e.mode;
      if (e.modes) session.modes = e.modes;
      if (e.options) session.options = e.options;
      if (e.commands) session.commands = e.commands;
    } else if (e.type === "plan") {
      session.plan = e.entries;
    } else if (e.type === "usage") {
      session.usage = { used: e.used, size: e.size, ...(e.cost ? { cost: e.cost } : {}) };
    }
  }
  return session;
}

/** The option that picks the model, when the agent offers one. */
export function modelOption(session: AgentSession): AgentOption | undefined {
  return session.options.find((o) => o.category === "model") ?? session.options.find((o) => /model/i.test(o.id));
}

/** "41k", "1.2M": token counts as a header has room for. */
export function tokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${n < 10_000 ? (n / 1000).toFixed(1).replace(/\.0$/, "") : Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, "")}M`;
}

/** "41k/200k · $0.12": tokens in the context of its size, and the cost when the agent said it. */
export function usageWords(usage: NonNullable<AgentSession["usage"]>): string {
  const parts = [usage.size > 0 ? `${tokens(usage.used)}/${tokens(usage.size)}` : tokens(usage.used)];
  if (usage.cost) parts.push(money(usage.cost.amount, usage.cost.currency));
  return parts.join(" · ");
}

function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency, maximumFractionDigits: 2 }).format(amount);
  } catch {
    // A currency code Intl does not know is still said, plainly.
    return `${amount.toFixed(2)} ${currency}`;
  }
}

export interface PlanProgress {
  done: number;
  total: number;
  /** The entry being worked on, or else the next one waiting. */
  current?: PlanEntry;
}

export function planProgress(entries: readonly PlanEntry[]): PlanProgress {
  const done = entries.filter((e) => e.status === "completed").length;
  const current = entries.find((e) => e.status === "in_progress") ?? entries.find((e) => e.status === "pending");
  return { done, total: entries.length, ...(current ? { current } : {}) };
}

/**
 * The agent's slash commands that fit what is typed: only while the text is one word that
 * starts with `/`. Names may come with or without their slash.
 */
export function slashSuggestions(text: string, commands: readonly AgentCommand[]): AgentCommand[] {
  const typed = /^\/(\S*)$/.exec(text);
  if (!typed) return [];
  const prefix = typed[1]!.toLowerCase();
  return commands.filter((c) => {
    const name = bare(c.name).toLowerCase();
    return name.startsWith(prefix) && name !== prefix;
  });
}

/** A command's name without a leading slash. */
export const bare = (name: string): string => name.replace(/^\//, "");
