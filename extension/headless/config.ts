// `tether-host` settings from flags and TETHER_* environment variables (flags win).

import { existsSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { join, resolve } from "node:path";
import { parseRuleList } from "../core/agent/policy/policy";
import { AgentConfigError, hostAgents, parseAgentSpec, type AgentDefinition } from "../core/agents/catalog";
import { parseArgs } from "node:util";
import { httpOrigin, policyModeSchema, type PolicyMode } from "#protocol";

export interface HostConfig {
  relay: string;
  folder: string;
  name: string;
  stateDir: string;
  acceptPairing: boolean;
  /** Show a pairing code at start: true, false, or "auto" (when no phone is paired yet). */
  pair: boolean | "auto";
  /** Push notifications to paired phones (approvals, questions, finished runs). */
  notify: boolean;
  /** Hold off sleep while tasks run or wait. */
  keepAwake: boolean;
  /** Make a relay on this computer reachable over HTTPS with Tailscale Serve or a cloudflared tunnel. */
  expose?: "tailscale" | "tunnel";
  /** The user's hooks file: `--hooks`, else `hooks.json` in the state directory (none when it is missing). */
  hooksFile: string;
  agent: AgentConfig;
}

export interface AgentConfig {
  /** `provider:model` or a bare model name; undefined when none is set (tasks then fail and say what to set). */
  model?: string;
  /** Base URL of an OpenAI-compatible or Anthropic server, when not the provider's own. */
  baseUrl?: string;
  mode: PolicyMode;
  allow: string[];
  deny: string[];
  maxThreads: number;
  /** Outside agents the person added or redefined (`--agent NAME=COMMAND`). */
  agents: AgentDefinition[];
  /** The agent a task runs with when it names none. */
  defaultAgent?: string;
  /** A task runs in a git worktree of its own unless it says otherwise. */
  worktrees: boolean;
}

export const HOST_OPTIONS_HELP = `  --relay <url>        Relay to connect to (env TETHER_RELAY, default http://127.0.0.1:8787)
  --folder <dir>       Workspace folder the phone may browse (default: the current folder)
  --name <name>        Name phones show for this computer (env TETHER_HOST_NAME, default: hostname)
  --state-dir <dir>    Where keys and pairings are kept, mode 0600 (env TETHER_STATE_DIR,
                       default ~/.tether)
  --pair               Show a pairing QR code at start (default: only when no phone is paired)
  --no-pair            Do not show a pairing QR code at start
  --accept-pairing     Accept every pairing request without asking (for scripts and tests)
  --no-notify          Send no notifications to phones (env TETHER_NOTIFY=off)
  --no-keep-awake      Let the computer sleep while tasks run (env TETHER_KEEP_AWAKE=off)
  --hooks <file>       Your hooks: commands run before and after the agent's tools, when a prompt
                       is sent and when a run ends (default <state-dir>/hooks.json; the README's
                       "Hooks" says how). A project's own .tether/hooks.json runs only once trusted
  --tailscale          Reach a relay on this computer from your tailnet over HTTPS, through
                       \`tailscale serve\` (stopped when Tether exits)
  --tunnel             Reach a relay on this computer from anywhere over HTTPS, through a
                       cloudflared quick tunnel; the relay is blind, so only ciphertext is exposed

Agent options:
  --model <id>         Model for tasks (env TETHER_MODEL): openai:gpt-4.1, anthropic:claude-sonnet-4-5,
                       ollama:qwen2.5-coder, or a model name on --base-url. API keys come from
                       OPENAI_API_KEY / ANTHROPIC_API_KEY only, never from flags or files.
  --base-url <url>     OpenAI-compatible or Anthropic server (env OPENAI_BASE_URL or
                       ANTHROPIC_BASE_URL), e.g. http://localhost:11434/v1 for Ollama
  --mode <mode>        read-only | ask | auto-edit | full-auto (env TETHER_MODE, default ask):
                       ask = edits and commands wait for approval; auto-edit = only commands do
  --allow <rules>      Commands that run without asking, comma-separated prefixes such as
                       "npm test,git status" (env TETHER_ALLOW)
  --deny <rules>       Commands never run, e.g. "git push,npm publish" (env TETHER_DENY)
  --max-threads <n>    Tasks that run at once; more wait in a queue (env TETHER_MAX_THREADS, default 2)
  --agent NAME=COMMAND An outside agent that speaks the Agent Client Protocol on stdio, e.g.
                       --agent "mine=my-agent --acp" (repeatable). Claude Code, Codex, Gemini CLI,
                       Copilot CLI, OpenCode, Goose and Qwen Code are known without it; a known
                       NAME with a COMMAND changes how that one starts.
  --default-agent NAME Agent a task runs with when the phone names none (env TETHER_DEFAULT_AGENT,
                       default tether: Tether's own)
  --worktrees          Run each task in a git worktree of its own, on a new tether/<title> branch,
                       unless it asks for the workspace (env TETHER_WORKTREES=1). Without it a task
                       gets one only when it asks, or when another task already works in the folder`;

export const HOST_HELP = `Usage: tether-host [options]
       tether-host rules [--remove <rule>]   list or take back rules allowed on this computer

Runs a Tether host on a folder without an editor: connects to a relay, pairs phones through
a QR code, lets them browse the folder, and runs the coding agent on the tasks they send.
Keys stay on this machine; the relay sees only ciphertext.

Options:
${HOST_OPTIONS_HELP}
  -h, --help           Show this help

While it runs, press Enter to show a new pairing code, type "phones" to list the paired
phones with when each was last seen, and "revoke <number, name or id>" to unpair one.
`;

export class ConfigError extends Error {}

export function relayOrigin(value: string, flag = "--relay"): string {
  const origin = httpOrigin(value);
  if (!origin) throw new ConfigError(`${flag} must be an http(s) URL, got "${value}"`);
  return origin;
}

export const hostFlags = {
  relay: { type: "string" },
  folder: { type: "string" },
  name: { type: "string" },
  "state-dir": { type: "string" },
  pair: { type: "boolean" },
  "no-pair": { type: "boolean" },
  "accept-pairing": { type: "boolean" },
  "no-notify": { type: "boolean" },
  "no-keep-awake": { type: "boolean" },
  hooks: { type: "string" },
  tailscale: { type: "boolean" },
  tunnel: { type: "boolean" },
  model: { type: "string" },
  "base-url": { type: "string" },
  mode: { type: "string" },
  allow: { type: "string" },
  deny: { type: "string" },
  "max-threads": { type: "string" },
  agent: { type: "string", multiple: true },
  "default-agent": { type: "string" },
  worktrees: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type HostFlagValues = {
  [K in keyof typeof hostFlags]?: (typeof hostFlags)[K] extends { multiple: true }
    ? string[]
    : (typeof hostFlags)[K]["type"] extends "string"
      ? string
      : boolean;
};

export function hostConfigFrom(values: HostFlagValues, env: NodeJS.ProcessEnv, cwd: string): HostConfig {
  if (values.tailscale && values.tunnel)
    throw new ConfigError("--tailscale and --tunnel are two ways to the same place: pick one");
  const expose = values.tailscale ? "tailscale" : values.tunnel ? "tunnel" : undefined;
  const stateDir = resolve(values["state-dir"] ?? env.TETHER_STATE_DIR ?? join(homedir(), ".tether"));
  // A file named on purpose must be there; the default one is optional.
  if (values.hooks !== undefined && !existsSync(resolve(cwd, values.hooks))) {
    throw new ConfigError(`--hooks: there is no file ${resolve(cwd, values.hooks)}`);
  }
  return {
    ...(expose ? { expose } : {}),
    relay: relayOrigin(values.relay ?? env.TETHER_RELAY ?? "http://127.0.0.1:8787"),
    folder: resolve(cwd, values.folder ?? "."),
    name: (values.name ?? env.TETHER_HOST_NAME ?? hostname()).trim() || hostname(),
    stateDir,
    hooksFile: values.hooks !== undefined ? resolve(cwd, values.hooks) : join(stateDir, "hooks.json"),
    acceptPairing: values["accept-pairing"] ?? false,
    pair: values["no-pair"] ? false : values.pair ? true : "auto",
    notify: !(values["no-notify"] ?? env.TETHER_NOTIFY === "off"),
    keepAwake: !(values["no-keep-awake"] ?? env.TETHER_KEEP_AWAKE === "off"),
    agent: agentConfigFrom(values, env),
  };
}

function agentConfigFrom(values: HostFlagValues, env: NodeJS.ProcessEnv): AgentConfig {
  const modeText = values.mode ?? env.TETHER_MODE ?? "ask";
  const mode = policyModeSchema.safeParse(modeText);
  if (!mode.success) {
    throw new ConfigError(`--mode must be one of ${policyModeSchema.options.join(", ")}, got "${modeText}"`);
  }
  const threadsText = values["max-threads"] ?? env.TETHER_MAX_THREADS ?? "2";
  const maxThreads = Number(threadsText);
  if (!Number.isInteger(maxThreads) || maxThreads < 1 || maxThreads > 32) {
    throw new ConfigError(`--max-threads must be a whole number from 1 to 32, got "${threadsText}"`);
  }
  const baseUrl = values["base-url"];
  if (baseUrl !== undefined && !httpOrigin(baseUrl)) throw new ConfigError(`--base-url must be an http(s) URL, got "${baseUrl}"`);
  const model = (values.model ?? env.TETHER_MODEL)?.trim() || undefined;
  let agents: AgentDefinition[];
  const defaultAgent = (values["default-agent"] ?? env.TETHER_DEFAULT_AGENT)?.trim().toLowerCase() || undefined;
  try {
    agents = (values.agent ?? []).map(parseAgentSpec);
    hostAgents(agents, defaultAgent);
  } catch (err) {
    if (err instanceof AgentConfigError) throw new ConfigError(err.message);
    throw err;
  }
  return {
    agents,
    ...(defaultAgent ? { defaultAgent } : {}),
    ...(model ? { model } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    mode: mode.data,
    allow: parseRuleList(values.allow ?? env.TETHER_ALLOW ?? ""),
    deny: parseRuleList(values.deny ?? env.TETHER_DENY ?? ""),
    maxThreads,
    worktrees: values.worktrees ?? ["1", "true", "on"].includes((env.TETHER_WORKTREES ?? "").trim().toLowerCase()),
  };
}

/** Parses argv (without node and script); returns null when help was asked for. */
export function parseHostConfig(argv: string[], env: NodeJS.ProcessEnv, cwd: string): HostConfig | null {
  const { values } = parseArgs({ args: argv, options: hostFlags, strict: true });
  if (values.help) return null;
  return hostConfigFrom(values, env, cwd);
}
