// A host that runs the agent, in this process: the real host core, thread manager, tools and
// Node adapters, on a temporary state folder, with the model behind a scripted local server.

import { mkdtempSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { DeviceRef, PolicyMode } from "#protocol";
import { shellGrammar } from "./shellGrammar";
import { createAgent } from "../../extension/core/agentHost";
import type { AgentDefinition } from "../../extension/core/agents/catalog";
import { HostAgents } from "../../extension/core/agents/hostAgents";
import { resolveModel } from "../../extension/core/agent/model/config";
import { Host } from "../../extension/core/host";
import type { Log } from "../../extension/core/log";
import { HostIdentity } from "../../extension/core/identity";
import { Mirror } from "../../extension/core/mirror/mirror";
import type { ProcessRunner } from "../../extension/core/agent/tools/ports";
import type { ThreadManager } from "../../extension/core/threads/threadManager";
import type { ThreadStore } from "../../extension/core/threads/threadStore";
import { nodeFileSystem } from "../../extension/node/nodeFileSystem";
import { nodeProcessRunner } from "../../extension/node/processRunner";
import { nodeWorkspaceFiles } from "../../extension/node/nodeWorkspaceFiles";
import { stateFile } from "../../extension/node/stateFile";
import { quietLog } from "./host";

export interface AgentHost {
  host: Host;
  identity: HostIdentity;
  threads: ThreadManager;
  store: ThreadStore;
  stateDir: string;
  /** Stops runs (they end as interrupted) and disconnects; the state folder stays for a restart. */
  stop(): Promise<void>;
}

export async function startAgentHost(options: {
  relay: string;
  folder: string;
  /** Base URL of a fake OpenAI-compatible server; without it (and without env) no model is configured. */
  modelUrl?: string | undefined;
  env?: NodeJS.ProcessEnv;
  stateDir?: string;
  mode?: PolicyMode;
  allow?: string[];
  deny?: string[];
  maxParallel?: number;
  /** The command runner (default: Node's), to watch when commands start. */
  runner?: ProcessRunner;
  /** Where the host core logs (default: nowhere). */
  log?: Log;
  /** The host's clock for judging commands fresh (default: `Date.now`). */
  now?: () => number;
  /** The computer's name as its phones show it (default: `test-host`). */
  name?: string;
  /** Keeps "Always on this computer" rules; without it the choice is not offered. */
  addHostRule?: (rule: string, by: DeviceRef) => void;
  /** Outside agents (ACP) the host can run besides Tether's own. */
  agents?: { definitions: AgentDefinition[]; defaultAgent?: string; path?: string; idleMs?: number };
  /** Tasks run in git worktrees of their own by default; `gitEnv` is git's environment for them. */
  worktrees?: boolean;
  gitEnv?: NodeJS.ProcessEnv;
}): Promise<AgentHost> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "tether-agent-"));
  const identity = await HostIdentity.loadOrCreate(stateFile(stateDir));
  const mirror = await Mirror.open({ fs: nodeFileSystem, root: options.folder });
  const env = options.env ?? {};
  const agent = createAgent({
    mirror,
    files: nodeWorkspaceFiles,
    runner: options.runner ?? nodeProcessRunner,
    stateDir,
    workspaceName: basename(mirror.root),
    mode: options.mode ?? "ask",
    rules: { allow: options.allow ?? [], deny: options.deny ?? [] },
    homeDir: homedir(),
    grammar: await shellGrammar(),
    resolveModel: (requested) =>
      resolveModel(
        options.modelUrl ? { model: requested ?? "openai:test-model", baseUrl: options.modelUrl } : { model: requested },
        env,
      ),
    maxParallel: options.maxParallel ?? 2,
    self: { id: "host", name: "test-host" },
    platform: process.platform,
    log: quietLog,
    retryBaseDelayMs: 10,
    ...(options.worktrees !== undefined ? { worktrees: options.worktrees } : {}),
    ...(options.gitEnv ? { gitEnv: options.gitEnv } : {}),
    ...(options.addHostRule ? { addHostRule: options.addHostRule } : {}),
    ...(options.agents
      ? {
          agents: new HostAgents({
            definitions: options.agents.definitions,
            defaultAgent: options.agents.defaultAgent,
            hostName: options.name ?? "test-host",
            log: options.log ?? quietLog,
            ...(options.agents.path !== undefined ? { path: options.agents.path } : {}),
            ...(options.agents.idleMs !== undefined ? { idleMs: options.agents.idleMs } : {}),
          }),
        }
      : {}),
  });
  const host = new Host({
    relay: options.relay,
    name: options.name ?? "test-host",
    identity,
    mirror,
    confirmPairing: async () => true,
    threads: { manager: agent.manager, store: agent.store, git: agent.git },
    log: options.log ?? quietLog,
    ...(options.now ? { now: options.now } : {}),
  });
  await agent.manager.whenWorktreesChecked();
  await host.start();
  await host.whenOpen();
  let stopped: Promise<void> | undefined;
  return {
    host,
    identity,
    threads: agent.manager,
    store: agent.store,
    stateDir,
    stop() {
      stopped ??= (async () => {
        await agent.manager.close();
        await agent.store.close();
        host.close();
      })();
      return stopped;
    },
  };
}
