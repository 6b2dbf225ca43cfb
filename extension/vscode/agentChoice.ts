// The agent the editor's New Task starts with: the one chosen last in this workspace (kept in the
// workspace's state, so each repository keeps its own), as long as the host still runs it, else
// the host's default. Free of `vscode` so the tests reach it: the caller gives the memento.

import { BUILTIN_AGENT, type AgentInfo, type Command } from "#protocol";
import { taskAgentSchema, type TaskAgent } from "#protocol/panel";

/** What of the workspace state this needs (vscode.Memento). */
export interface ChoiceMemory {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

const KEY = "tether.taskAgent";

/** The choice to offer: the remembered one when the host still runs that agent, else its default. */
export function offeredChoice(memory: ChoiceMemory, agents: readonly AgentInfo[], defaultAgent: string): TaskAgent {
  const kept = taskAgentSchema.safeParse(memory.get(KEY));
  if (kept.success && agents.some((a) => a.id === kept.data.agent)) return kept.data;
  return { agent: agents.some((a) => a.id === defaultAgent) ? defaultAgent : BUILTIN_AGENT };
}

/** Keeps the agent, mode and model a task from the form started with. */
export async function rememberChoice(memory: ChoiceMemory, command: Command, defaultAgent: string): Promise<void> {
  if (command.type !== "new-task" || command.retryOf !== undefined) return;
  const agent = command.agent ?? defaultAgent;
  const choice: TaskAgent = {
    agent,
    ...(command.agentMode ? { agentMode: command.agentMode } : {}),
    // Tether's own models are the editor's settings; only an outside agent's model is remembered here.
    ...(agent !== BUILTIN_AGENT && command.model ? { model: command.model } : {}),
  };
  await memory.update(KEY, choice);
}
