// How to start each real ACP agent against a scripted model server, and the child process that
// speaks ACP on its stdio. The environment is built from nothing but PATH: no API key, login,
// setting or proxy of the person running the tests reaches the agent, and everything it writes
// (settings, sessions, logs, caches) lands in the temporary home it is given.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { ensureAcpAgent, ACP_AGENT_PACKAGES, type AcpAgentName } from "./acpAgents";
import { until } from "./wait";

export interface AgentLaunch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface LaunchOptions {
  /** The scripted model server's base URL: `FakeModelServer.url` (Anthropic: no `/v1`; OpenAI-style: with it). */
  modelUrl: string;
  /** An empty temporary folder: the agent's HOME and every config, data and cache folder under it. */
  home: string;
  /** The model name the agent asks for. */
  model?: string;
}

/** Environment every agent gets: a home of its own, no telemetry, no update checks. */
function baseEnv(home: string): NodeJS.ProcessEnv {
  const dirs = {
    XDG_CONFIG_HOME: ".config",
    XDG_CACHE_HOME: ".cache",
    XDG_DATA_HOME: ".local/share",
    XDG_STATE_HOME: ".local/state",
  };
  for (const dir of [...Object.values(dirs), "tmp"]) mkdirSync(join(home, dir), { recursive: true });
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    HOME: home,
    USERPROFILE: home,
    TMPDIR: join(home, "tmp"),
    ...Object.fromEntries(Object.entries(dirs).map(([key, dir]) => [key, join(home, dir)])),
    NO_COLOR: "1",
  };
}

async function nodeEntry(name: AcpAgentName): Promise<string[]> {
  const pkg = await ensureAcpAgent(name);
  return [join(pkg, ACP_AGENT_PACKAGES[name].entry), ...ACP_AGENT_PACKAGES[name].args];
}

/**
 * Claude Code through its ACP adapter. It reads its settings and login from CLAUDE_CONFIG_DIR
 * (default ~/.claude, plus ~/.claude.json); the model server from ANTHROPIC_BASE_URL (no `/v1`),
 * and takes ANTHROPIC_AUTH_TOKEN as a bearer token, so no login is needed.
 */
export async function claudeAgent({ modelUrl, home, model = "test-claude" }: LaunchOptions): Promise<AgentLaunch> {
  const config = join(home, ".claude");
  mkdirSync(config, { recursive: true });
  return {
    command: process.execPath,
    args: await nodeEntry("claude"),
    env: {
      ...baseEnv(home),
      CLAUDE_CONFIG_DIR: config,
      ANTHROPIC_BASE_URL: modelUrl,
      ANTHROPIC_AUTH_TOKEN: "test-token",
      ANTHROPIC_API_KEY: "",
      ANTHROPIC_MODEL: model,
      ANTHROPIC_SMALL_FAST_MODEL: model,
      ANTHROPIC_DEFAULT_SONNET_MODEL: model,
      ANTHROPIC_DEFAULT_HAIKU_MODEL: model,
      ANTHROPIC_DEFAULT_OPUS_MODEL: model,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_ERROR_REPORTING: "1",
    },
  };
}

/**
 * Codex through its ACP adapter. Everything it reads (config.toml, auth.json, sessions) is under
 * CODEX_HOME; the model provider is declared there, its key taken from the variable `env_key` names.
 * `modelUrl` is a Responses API base URL with `/v1`.
 */
export async function codexAgent({ modelUrl, home, model = "gpt-test" }: LaunchOptions): Promise<AgentLaunch> {
  const codexHome = join(home, ".codex");
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(
    join(codexHome, "config.toml"),
    [
      `model = "${model}"`,
      `model_provider = "local"`,
      `check_for_update_on_startup = false`,
      ``,
      `[model_providers.local]`,
      `name = "local"`,
      `base_url = "${modelUrl}"`,
      `env_key = "TETHER_TEST_MODEL_KEY"`,
      `wire_api = "responses"`,
      ``,
      `[analytics]`,
      `enabled = false`,
      ``,
    ].join("\n"),
  );
  return {
    command: process.execPath,
    args: await nodeEntry("codex"),
    env: { ...baseEnv(home), CODEX_HOME: codexHome, TETHER_TEST_MODEL_KEY: "test-key" },
  };
}

/**
 * Gemini CLI in ACP mode. It reads ~/.gemini (settings.json, its login) under HOME, and
 * GEMINI_CLI_SYSTEM_SETTINGS_PATH for the system-wide settings; GOOGLE_GEMINI_BASE_URL with
 * an API key switches it to a key login against that server. `modelUrl` has no version path.
 */
export async function geminiAgent({ modelUrl, home, model = "gemini-test" }: LaunchOptions): Promise<AgentLaunch> {
  const settings = join(home, ".gemini");
  mkdirSync(settings, { recursive: true });
  writeFileSync(join(home, "system-settings.json"), "{}\n");
  return {
    command: process.execPath,
    args: await nodeEntry("gemini"),
    env: {
      ...baseEnv(home),
      GEMINI_CLI_SYSTEM_SETTINGS_PATH: join(home, "system-settings.json"),
      GOOGLE_GEMINI_BASE_URL: modelUrl,
      GEMINI_API_KEY: "test-key",
      GEMINI_MODEL: model,
      GEMINI_CLI_NO_RELAUNCH: "true",
    },
  };
}

export const ACP_AGENT_LAUNCHERS: Record<AcpAgentName, (options: LaunchOptions) => Promise<AgentLaunch>> = {
  claude: claudeAgent,
  codex: codexAgent,
  gemini: geminiAgent,
};

export interface AgentProcess {
  child: ChildProcess;
  /** The agent's stdio as the web streams `ndJsonStream(output, input)` takes. */
  output: WritableStream<Uint8Array>;
  input: ReadableStream<Uint8Array>;
  /** What the agent logged on stderr (its stdout is the protocol). */
  stderr(): string;
  stop(): Promise<void>;
}

// Agents still running when the test process exits (a test that failed half way, Ctrl-C) go with it.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** Starts the agent in `cwd`, in a process group of its own so that stopping it ends its tools too. */
export function spawnAgent(launch: AgentLaunch, cwd: string): AgentProcess {
  const child = spawn(launch.command, launch.args, { cwd, env: launch.env, stdio: ["pipe", "pipe", "pipe"], detached: true });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
  child.stdin!.on("error", () => {}); // an agent that exits mid-write is reported by the test, not as EPIPE
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  running.add(child);
  child.once("exit", () => running.delete(child));
  return {
    child,
    output: Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>,
    input: Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
    stderr: () => log,
    async stop() {
      kill("SIGTERM");
      const killer = setTimeout(() => kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(killer);
      // Its helpers (Codex's app-server, a running command) may outlive it by a moment, still
      // writing to the home folder the test is about to remove.
      await until("the agent's process group to exit", () => !groupAlive(child.pid!), 3000).catch(() => kill("SIGKILL"));
    },
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
