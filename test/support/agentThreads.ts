// The agent's threads without a host or relay: the real thread manager, tools and Node
// adapters on a temporary state folder, with the model behind a scripted local server. For
// tests of what listens to the threads (the notifier) rather than of how they travel.

import { mkdtempSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { PolicyMode, ThreadEvent } from "#protocol";
import { shellGrammar } from "./shellGrammar";
import { createAgent } from "../../extension/core/agentHost";
import type { Hooks } from "../../extension/core/hooks/hooks";
import { resolveModel } from "../../extension/core/agent/model/config";
import { HostIdentity } from "../../extension/core/identity";
import { Mirror } from "../../extension/core/mirror/mirror";
import type { Thread } from "../../extension/core/threads/thread";
import type { ThreadManager } from "../../extension/core/threads/threadManager";
import type { NumberedEvent, ThreadStore } from "../../extension/core/threads/threadStore";
import { nodeFileSystem } from "../../extension/node/nodeFileSystem";
import { nodeProcessRunner } from "../../extension/node/processRunner";
import { nodeWorkspaceFiles } from "../../extension/node/nodeWorkspaceFiles";
import { stateFile } from "../../extension/node/stateFile";
import { quietLog } from "./host";

export interface AgentThreads {
  manager: ThreadManager;
  store: ThreadStore;
  identity: HostIdentity;
  /** The workspace folder's name, as the host shows it. */
  workspaceName: string;
  stateDir: string;
  /** Stops runs (they end as interrupted); the state folder stays for a restart. */
  close(): Promise<void>;
}

/** Threads loaded from `stateDir` (a fresh one by default), as a restarted host would have them. */
export async function startAgentThreads(options: {
  folder: string;
  modelUrl: string;
  stateDir?: string;
  mode?: PolicyMode;
  /** Tasks run in worktrees of their own by default. */
  worktrees?: boolean;
  /** git's environment for the task worktrees (see test/extension/git/gitFixture.ts). */
  gitEnv?: NodeJS.ProcessEnv;
  /** The host's hooks (extension/core/hooks). */
  hooks?: Hooks;
}): Promise<AgentThreads> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "tether-threads-"));
  const identity = await HostIdentity.loadOrCreate(stateFile(stateDir));
  const mirror = await Mirror.open({ fs: nodeFileSystem, root: options.folder });
  const workspaceName = basename(mirror.root);
  const agent = createAgent({
    mirror,
    files: nodeWorkspaceFiles,
    runner: nodeProcessRunner,
    stateDir,
    workspaceName,
    mode: options.mode ?? "ask",
    rules: { allow: [], deny: [] },
    homeDir: homedir(),
    grammar: await shellGrammar(),
    resolveModel: (requested) => resolveModel({ model: requested ?? "openai:test-model", baseUrl: options.modelUrl }, {}),
    maxParallel: 2,
    self: { id: "host", name: "test-host" },
    platform: process.platform,
    log: quietLog,
    retryBaseDelayMs: 10,
    ...(options.worktrees !== undefined ? { worktrees: options.worktrees } : {}),
    ...(options.gitEnv ? { gitEnv: options.gitEnv } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  await agent.manager.whenWorktreesChecked();
  const close = async (): Promise<void> => {
    await agent.manager.close();
    await agent.store.close();
  };
  return { manager: agent.manager, store: agent.store, identity, workspaceName, stateDir, close };
}

/** The first event of the thread that matches, already there or still to come. */
export function nextEvent(
  manager: ThreadManager,
  threadId: string,
  match: (e: ThreadEvent) => boolean,
  ms = 15_000,
): Promise<ThreadEvent> {
  return new Promise((resolve, reject) => {
    const had = manager.get(threadId)?.events.find((n) => match(n.event));
    if (had) return resolve(had.event);
    const on = (thread: Thread, numbered: NumberedEvent): void => {
      if (thread.id !== threadId || !match(numbered.event)) return;
      clearTimeout(timer);
      manager.off("event", on);
      resolve(numbered.event);
    };
    const timer = setTimeout(() => {
      manager.off("event", on);
      reject(new Error(`timed out waiting for an event in thread ${threadId}`));
    }, ms);
    manager.on("event", on);
  });
}

export const runEnded = (manager: ThreadManager, threadId: string): Promise<ThreadEvent> =>
  nextEvent(manager, threadId, (e) => e.type === "status" && ["done", "failed", "stopped"].includes(e.status));
