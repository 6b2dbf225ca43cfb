// The outside agents the editor's host runs: `tether.agents` (name → the command line that starts
// one in Agent Client Protocol mode) on top of the agents Tether knows, and `tether.defaultAgent`.
// Both are machine settings (package.json), read from the user's value only (settings.ts): a
// repository's `.vscode/settings.json` would otherwise name a program for the host to run.
//
// Free of `vscode` so the tests reach it; settings.ts reads the values. A setting a person got
// wrong costs them that entry, not the host: each problem is said in words that name the entry,
// and the rest goes on.

import { BUILTIN_AGENT } from "#protocol";
import { AgentConfigError, agentDefinition, hostAgents, type AgentDefinition } from "../core/agents/catalog";

export interface AgentSettings {
  /** Every agent of the host: the known ones with the person's own replacing or added to them. */
  definitions: AgentDefinition[];
  /** The agent a task runs with when it names none; Tether's own when the setting names none here. */
  defaultAgent: string;
  /** What was wrong and left out, one line each, naming the entry. */
  problems: string[];
}

/** `tether.agents` and `tether.defaultAgent` as the settings file holds them (any JSON). */
export function parseAgentSettings(agents: unknown, defaultAgent: unknown): AgentSettings {
  const problems: string[] = [];
  const own: AgentDefinition[] = [];
  if (agents !== undefined && agents !== null && (typeof agents !== "object" || Array.isArray(agents))) {
    problems.push(`tether.agents should map a name to a command line, e.g. {"mine": "my-agent --acp"}; it is ignored`);
  } else {
    for (const [name, line] of Object.entries((agents ?? {}) as Record<string, unknown>)) {
      if (typeof line !== "string") {
        problems.push(`tether.agents "${name}": the command line should be a string; left out`);
        continue;
      }
      try {
        const definition = agentDefinition(name, line);
        if (own.some((d) => d.id === definition.id)) {
          problems.push(`tether.agents "${name}": another entry has the same name; the first is kept`);
          continue;
        }
        own.push(definition);
      } catch (err) {
        if (!(err instanceof AgentConfigError)) throw err;
        problems.push(`tether.agents "${name}": ${err.message.replace(/^agent name "[^"]*": /, "")}; left out`);
      }
    }
  }
  const definitions = hostAgents(own, undefined);
  let chosen = typeof defaultAgent === "string" && defaultAgent.trim() ? defaultAgent.trim().toLowerCase() : BUILTIN_AGENT;
  if (chosen !== BUILTIN_AGENT && !definitions.some((d) => d.id === chosen)) {
    const names = [BUILTIN_AGENT, ...definitions.map((d) => d.id)].join(", ");
    problems.push(`tether.defaultAgent "${String(defaultAgent)}" is not an agent here (${names}); Tether's own runs instead`);
    chosen = BUILTIN_AGENT;
  }
  return { definitions, defaultAgent: chosen, problems };
}

/** The settings whose change gives new tasks other agents, without a restart. */
export const AGENT_SETTINGS = ["tether.agents", "tether.defaultAgent"];
