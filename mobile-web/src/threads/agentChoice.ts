// The agent a person last started a task with on each computer, kept in localStorage beside the
// drafts, so the new-task form opens on it next time. Only a choice the computer still offers
// is taken; otherwise the computer's default agent is.

import type { AgentInfo } from "#protocol";
import type { DraftStorage } from "./drafts";

const key = (hostId: string): string => `tether.agent.${hostId}`;

export function readAgentChoice(storage: DraftStorage | null, hostId: string): string | null {
  try {
    return storage?.getItem(key(hostId)) ?? null;
  } catch {
    return null;
  }
}

export function saveAgentChoice(storage: DraftStorage | null, hostId: string, agent: string): void {
  try {
    storage?.setItem(key(hostId), agent);
  } catch {
    // A full storage forgets the choice; the form still works.
  }
}

/** The agent the form starts on: the one chosen here before, else the computer's default, else the first. */
export function startingAgent(
  agents: readonly AgentInfo[],
  remembered: string | null,
  defaultAgent: string | undefined,
): AgentInfo | undefined {
  return agents.find((a) => a.id === remembered) ?? agents.find((a) => a.id === defaultAgent) ?? agents[0];
}
