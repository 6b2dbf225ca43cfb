// A host's threads with outside agents and no relay: the real thread manager, workspace, policy
// and Node adapters on a temporary state folder, with the scripted ACP agent (acpAgent/) as the
// outside agent. For tests of the host's ACP client as a person on a phone would see it.

import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { DeviceRef, PolicyMode, ThreadEvent } from "#protocol";
import { createAgent } from "../../extension/core/agentHost";
import type { Hooks } from "../../extension/core/hooks/hooks";
import type { AgentDefinition } from "../../extension/core/agents/catalog";
import { HostAgents } from "../../extension/core/agents/hostAgents";
import { ModelNotConfigured } from "../../extension/core/agent/model/port";
import { Mirror } from "../../extension/core/mirror/mirror";
import type { ThreadManager } from "../../extension/core/threads/threadManager";
import type { ThreadStore } from "../../extension/core/threads/threadStore";
import { nodeFileSystem } from "../../extension/node/nodeFileSystem";
import { nodeProcessRunner } from "../../extension/node/processRunner";
import { nodeWorkspaceFiles } from "../../extension/node/nodeWorkspaceFiles";
import { readRecords, scriptedAgentCommand, type AgentCommand } from "./acpAgent/launch";
import type { AgentRecord, AgentScript } from "./acpAgent/script";
import type { Cleanup } from "./cleanup";
import { quietLog } from "./host";
import { shellGrammar } from "./shellGrammar";
import { until } from "./wait";

export const phone: DeviceRef = { id: "phone-1", name: "Pixel" };

export interface AcpHost {
  manager: ThreadManager;
  store: ThreadStore;
  agents: HostAgents;
  folder: string;
  stateDir: string;
  close(): Promise<void>;
}

/** A definition that plays `script`, with the records it writes; modes as the catalog would give them. */
export function scriptedDefinition(
  script: AgentScript,
  cleanup: Cleanup,
  extra: Partial<AgentDefinition> = {},
): { definition: AgentDefinition; agent: AgentCommand } {
  const agent = scriptedAgentCommand(script, cleanup);
  return {
    agent,
    definition: {
      id: "scripted",
      name: "Scripted",
      command: [agent.command, ...agent.args],
      env: agent.env,
      modes: { asking: "default", unasked: ["yolo"] },
      ...extra,
    },
  };
}

export async function startAcpHost(options: {
  cleanup: Cleanup;
  definitions: AgentDefinition[];
  folder?: string;
  stateDir?: string;
  mode?: PolicyMode;
  allow?: string[];
  deny?: string[];
  path?: string;
  /** How long an open session may sit idle. */
  idleMs?: number;
  /** The agent a task runs with when it names none. */
  defaultAgent?: string;
  /** Tasks run in git worktrees of their own by default; `gitEnv` is git's environment for them. */
  worktrees?: boolean;
  gitEnv?: NodeJS.ProcessEnv;
  /** The host's hooks (extension/core/hooks). */
  hooks?: Hooks;
}): Promise<AcpHost> {
  const { cleanup } = options;
  const folder = options.folder ?? tempFolder(cleanup, "ws");
  const stateDir = options.stateDir ?? tempFolder(cleanup, "state");
  const mirror = await Mirror.open({ fs: nodeFileSystem, root: folder });
  const agents = new HostAgents({
    definitions: options.definitions,
    hostName: "test-host",
    log: quietLog,
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
    defaultAgent: options.defaultAgent,
  });
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
      throw new ModelNotConfigured("no model in these tests");
    },
    maxParallel: 4,
    self: { id: "host", name: "test-host" },
    platform: process.platform,
    log: quietLog,
    agents,
    ...(options.worktrees !== undefined ? { worktrees: options.worktrees } : {}),
    ...(options.gitEnv ? { gitEnv: options.gitEnv } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  await agent.manager.whenWorktreesChecked();
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await agent.manager.close();
      await agent.store.close();
    })());
  cleanup.add(undefined, close);
  return { manager: agent.manager, store: agent.store, agents, folder: mirror.root, stateDir, close };
}

/** A fresh folder (its real path), removed by `cleanup`. */
export function tempFolder(cleanup: Cleanup, what = "ws"): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `tether-acp-${what}-`)));
  return cleanup.add(dir, (d) => rmSync(d, { recursive: true, force: true }));
}

/** The thread's events so far. */
export function eventsOf(host: AcpHost, threadId: string): ThreadEvent[] {
  return host.manager.get(threadId)?.events.map((n) => n.event) ?? [];
}

/** Waits for the thread to reach `status` (or any ended status), returning its events. */
export async function ended(host: AcpHost, threadId: string, ms = 20_000): Promise<string> {
  return until(
    `thread ${threadId} to end`,
    () => {
      const status = host.manager.get(threadId)?.status;
      return status === "done" || status === "failed" || status === "stopped" ? status : undefined;
    },
    ms,
  );
}

/** The thread's pending approval request, once there is one not yet resolved. */
export async function pendingApproval(
  host: AcpHost,
  threadId: string,
  after = 0,
): Promise<Extract<ThreadEvent, { type: "approval-requested" }>> {
  return until(`an approval in ${threadId}`, () => {
    const events = eventsOf(host, threadId);
    const resolved = new Set(events.flatMap((e) => (e.type === "approval-resolved" ? [e.approvalId] : [])));
    const asks = events.filter(
      (e): e is Extract<ThreadEvent, { type: "approval-requested" }> =>
        e.type === "approval-requested" && !resolved.has(e.approvalId),
    );
    return asks.length > 0 && events.filter((e) => e.type === "approval-requested").length > after ? asks[0] : undefined;
  });
}

/** The process runs (a zombie has ended, only not yet been waited for). */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** A fresh thread id. */
let counter = 0;
export function threadId(): string {
  return `t${Date.now().toString(36)}${counter++}`;
}

type Request = Extract<AgentRecord, { kind: "request" }>;

/** The requests of `method` the scripted agent received, in order. */
export function requests(recordPath: string, method: string): Request[] {
  return readRecords(recordPath).filter((r): r is Request => r.kind === "request" && r.method === method);
}

/** The text of a `session/prompt` request. */
export function promptText(r: Request): string {
  return (r.params as { prompt: { type: string; text?: string }[] }).prompt.map((p) => p.text ?? "").join("");
}

/** What the agent said in the thread, step by step. */
export function said(events: readonly ThreadEvent[]): string[] {
  return events.flatMap((e) => (e.type === "assistant-text" ? [e.text] : []));
}

/** An agent's modes as the catalog entry of `scriptedDefinition` knows them: one asks, one does not. */
export const scriptedModes: AgentScript["modes"] = {
  currentModeId: "default",
  availableModes: [
    { id: "default", name: "Ask first" },
    { id: "yolo", name: "Run everything" },
  ],
};

/** A choice of models. */
export const scriptedModels: AgentScript["configOptions"] = [
  {
    type: "select",
    id: "model",
    name: "Model",
    category: "model",
    currentValue: "small",
    options: [
      { value: "small", name: "Small" },
      { value: "large", name: "Large" },
    ],
  },
];

/** Sends a message to a thread that has ended and waits for the run it starts to end. */
export async function send(host: AcpHost, id: string, text: string): Promise<void> {
  const endings = (): number =>
    eventsOf(host, id).filter((e) => e.type === "status" && ["done", "failed", "stopped"].includes(e.status)).length;
  const before = endings();
  host.manager.message(id, text, phone);
  await until("the run the message started to end", () => endings() > before, 20_000);
}
