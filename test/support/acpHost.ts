// The host's agent side in the test's process, for outside agents: the real host core (createAgent,
// the thread manager, the gate, Node's file and process adapters) on a fresh state folder, with
// the agents given and no model of Tether's own. Stopped by the cleanup it is given.

import { mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { PolicyMode } from "#protocol";
import { createAgent, type Agent } from "../../extension/core/agentHost";
import type { AgentDefinition } from "../../extension/core/agents/catalog";
import { HostAgents } from "../../extension/core/agents/hostAgents";
import { Mirror } from "../../extension/core/mirror/mirror";
import { nodeFileSystem } from "../../extension/node/nodeFileSystem";
import { nodeProcessRunner } from "../../extension/node/processRunner";
import { nodeWorkspaceFiles } from "../../extension/node/nodeWorkspaceFiles";
import type { Cleanup } from "./cleanup";
import { quietLog } from "./host";
import { shellGrammar } from "./shellGrammar";

export interface AcpHost extends Agent {
  agents: HostAgents;
}

export async function startAcpHost(options: {
  folder: string;
  definitions: AgentDefinition[];
  cleanup: Cleanup;
  mode?: PolicyMode;
  allow?: string[];
  deny?: string[];
  stateDir?: string;
}): Promise<AcpHost> {
  const { folder, cleanup } = options;
  const agents = new HostAgents({ definitions: options.definitions, hostName: "mac-mini", log: quietLog });
  const mirror = await Mirror.open({ fs: nodeFileSystem, root: folder });
  const stateDir =
    options.stateDir ??
    cleanup.add(mkdtempSync(join(tmpdir(), "tether-acp-host-")), (d) => rmSync(d, { recursive: true, force: true }));
  const agent = createAgent({
    mirror,
    files: nodeWorkspaceFiles,
    runner: nodeProcessRunner,
    stateDir,
    workspaceName: basename(folder),
    mode: options.mode ?? "ask",
    rules: { allow: options.allow ?? [], deny: options.deny ?? [] },
    homeDir: homedir(),
    grammar: await shellGrammar(),
    resolveModel: () => {
      throw new Error("no model: only outside agents run here");
    },
    maxParallel: 4,
    self: { id: "host", name: "mac-mini" },
    platform: process.platform,
    log: quietLog,
    agents,
  });
  cleanup.add(agent, async (a) => {
    await a.manager.close();
    await a.store.close();
  });
  return { ...agent, agents };
}
