// The agents a host knows: Tether's own, the outside agents people most often have (each one
// line: how to start it in Agent Client Protocol mode, the program that says it is installed,
// how to install it, how to log in), and the ones a person adds with `--agent NAME=COMMAND` or
// the editor's `tether.agents`. A definition says nothing about a session; what an agent offers
// (modes, models) is learnt when one starts.

import { BUILTIN_AGENT, agentIdSchema } from "#protocol";

/** An outside agent: a command that speaks ACP on stdin/stdout. */
export interface AgentDefinition {
  id: string;
  name: string;
  /** The program and its arguments, not run through a shell. */
  command: readonly string[];
  /** What to run to install it, shown when the program is not found. */
  install?: string;
  /** What to run once on the computer to log in, shown when the agent says it needs one. */
  login?: string;
  /**
   * How Tether keeps the host's mode ceiling with this agent: the session mode to start in so
   * that every edit and command reaches `session/request_permission` (`asking`), and the modes
   * that run tools without asking, offered only where the ceiling is full-auto. Absent for an
   * agent Tether knows nothing of: its modes are then offered only under full-auto.
   */
  modes?: { asking: string; unasked: readonly string[] };
  /** Environment the agent needs on top of the host's (never secrets: those stay in the user's environment). */
  env?: Readonly<Record<string, string>>;
}

/**
 * Outside agents Tether knows, checked against each one's documentation and registry entry.
 * Claude Code and Codex speak ACP through Zed's published adapters; the others natively.
 */
export const KNOWN_AGENTS: readonly AgentDefinition[] = [
  {
    id: "claude",
    name: "Claude Code",
    command: ["claude-agent-acp"],
    install: "npm install -g @agentclientprotocol/claude-agent-acp",
    login: "run `claude` once and log in, or set ANTHROPIC_API_KEY for the host",
    // `auto` sends permissions to Claude's own classifier and `acceptEdits` writes unasked.
    modes: { asking: "default", unasked: ["acceptEdits", "auto", "bypassPermissions", "dontAsk"] },
  },
  {
    id: "codex",
    name: "Codex",
    command: ["codex-acp"],
    install: "npm install -g @agentclientprotocol/codex-acp",
    login: "run `codex login` once, or set OPENAI_API_KEY for the host",
    // A command inside its sandbox never asks, in any mode: `read-only` keeps that sandbox from
    // writing, so every write asks; `workspace-write` writes unasked, `agent` leaves approvals
    // to Codex's own reviewer, and full access asks nothing.
    modes: { asking: "read-only", unasked: ["workspace-write", "agent", "agent-full-access"] },
  },
  {
    id: "gemini",
    name: "Gemini CLI",
    command: ["gemini", "--acp"],
    install: "npm install -g @google/gemini-cli",
    login: "run `gemini` once and log in, or set GEMINI_API_KEY for the host",
    modes: { asking: "default", unasked: ["autoEdit", "yolo"] },
  },
  {
    id: "copilot",
    name: "Copilot CLI",
    command: ["copilot", "--acp", "--stdio"],
    install: "npm install -g @github/copilot",
    login: "run `copilot` once and use /login",
  },
  {
    id: "opencode",
    name: "OpenCode",
    command: ["opencode", "acp"],
    install: "npm install -g opencode-ai",
    login: "run `opencode auth login` once",
  },
  {
    id: "goose",
    name: "Goose",
    command: ["goose", "acp"],
    install: "brew install block-goose-cli (or see block.github.io/goose)",
    login: "run `goose configure` once",
  },
  {
    id: "qwen",
    name: "Qwen Code",
    command: ["qwen", "--acp"],
    install: "npm install -g @qwen-code/qwen-code",
    login: "run `qwen` once and log in",
  },
];

export class AgentConfigError extends Error {}

/**
 * One `NAME=COMMAND` (a flag, a setting's entry): the command split as a POSIX shell would split
 * plain words and quotes, with no expansion. A name of a known agent replaces its definition.
 */
export function parseAgentSpec(spec: string): AgentDefinition {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new AgentConfigError(`--agent takes NAME=COMMAND, got "${spec}"`);
  const name = spec.slice(0, eq).trim();
  return agentDefinition(name, spec.slice(eq + 1));
}

/** A person's own agent: `name` and the command line that starts it in ACP mode. */
export function agentDefinition(name: string, commandLine: string): AgentDefinition {
  const id = name.toLowerCase();
  const checked = agentIdSchema.safeParse(id);
  if (!checked.success) {
    throw new AgentConfigError(`agent name "${name}": ${checked.error.issues[0]?.message ?? "not a valid name"}`);
  }
  if (id === BUILTIN_AGENT) throw new AgentConfigError(`"${BUILTIN_AGENT}" is Tether's own agent; choose another name`);
  const command = splitWords(commandLine);
  if (command.length === 0) throw new AgentConfigError(`agent "${name}" has no command`);
  const known = KNOWN_AGENTS.find((a) => a.id === id);
  return known ? { ...known, command } : { id, name, command };
}

/**
 * The agents of a host: the known ones, with the person's own definitions replacing or added
 * to them, in that order. `defaultAgent` must be one of them or Tether's own.
 */
export function hostAgents(own: readonly AgentDefinition[], defaultAgent: string | undefined): AgentDefinition[] {
  const byId = new Map(KNOWN_AGENTS.map((a) => [a.id, a]));
  for (const a of own) byId.set(a.id, a);
  const agents = [...byId.values()];
  if (defaultAgent !== undefined && defaultAgent !== BUILTIN_AGENT && !byId.has(defaultAgent)) {
    throw new AgentConfigError(
      `--default-agent "${defaultAgent}" is not an agent here; choose ${[BUILTIN_AGENT, ...byId.keys()].join(", ")}`,
    );
  }
  return agents;
}

/** Words of a command line: spaces split, single and double quotes and backslashes group; nothing expands. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let started = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) words.push(word);
      word = "";
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (quote) throw new AgentConfigError(`unclosed ${quote} in "${line}"`);
  if (started) words.push(word);
  return words;
}
