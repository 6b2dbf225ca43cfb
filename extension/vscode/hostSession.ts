// The host core running inside the editor, on the first workspace folder, started on demand:
// the relay link, pairing, the mirror and the agent with its threads, which live in the
// extension's global storage so a reopened window shows them again.

import { homedir } from "node:os";
import * as vscode from "vscode";
import { loadShellGrammar, type ShellGrammar } from "../core/agent/policy/grammar";
import { createAgent, type Agent } from "../core/agentHost";
import { askToTrustHooks, editorHooks } from "./editorHooks";
import { HostAgents } from "../core/agents/hostAgents";
import { Host } from "../core/host";
import { HostIdentity } from "../core/identity";
import type { Log } from "../core/log";
import { Mirror } from "../core/mirror/mirror";
import { KeepAwake } from "../core/power/keepAwake";
import { nodeFileSystem } from "../node/nodeFileSystem";
import { createNodeGitStatus } from "../node/nodeGitStatus";
import { createProcessRunner } from "../node/processRunner";
import { RunningCommands, stopLeftRunning } from "../node/runningCommands";
import { workspaceStateDir } from "../core/threads/threadStore";
import { nodeSleepInhibitor } from "../node/sleepInhibitor";
import { nodeWorkspaceFiles } from "../node/nodeWorkspaceFiles";
import type { ApiKeys } from "./apiKeys";
import { checkModel } from "../core/agent/model/check";
import { editorModelResolver, offeredModels } from "./editorModels";
import { secretState } from "./secretState";
import { editorHostRules } from "./hostRules";
import { AGENT_SETTINGS, type AgentSettings } from "./agentSettings";
import { needsRestart, RESTART_SETTINGS, readAgentSettings, readSettings, type EditorSettings } from "./settings";

/** What runs while the session is up. */
export interface Running {
  host: Host;
  agent: Agent;
}

function outputLog(channel: vscode.LogOutputChannel): Log {
  const fmt = (m: string, f?: Record<string, unknown>): string => (f && Object.keys(f).length ? `${m} ${JSON.stringify(f)}` : m);
  // While the window closes, deactivate() still logs (the relay link closing), and the channel
  // throws "Channel has been closed": that would abort Host.close() half-way, the socket open.
  const write = (level: "info" | "warn" | "error", line: string): void => {
    try {
      channel[level](line);
    } catch {
      // The line has nowhere to go.
    }
  };
  return {
    info: (m, f) => write("info", fmt(m, f)),
    warn: (m, f) => write("warn", fmt(m, f)),
    error: (m, f) => write("error", fmt(m, f)),
  };
}

export class HostSession implements vscode.Disposable {
  private running: Promise<Running> | undefined;
  /** The settings the current host started with. */
  private startedWith: EditorSettings | undefined;
  /** Loaded at the first start and kept across restarts: a settings change does not change bash. */
  private grammar: Promise<ShellGrammar> | undefined;
  private readonly started = new vscode.EventEmitter<Running>();
  /** A relay this window started for itself (Tether: Start a Local Relay), used instead of the setting. */
  private relayOverride: string | undefined;
  /** The agent settings' problems last shown to the person. */
  private agentProblems = "";
  /** Fires each time a host starts (at first use, and after a settings change restarts it). */
  readonly onDidStart = this.started.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly channel: vscode.LogOutputChannel,
    private readonly keys: ApiKeys,
  ) {
    context.subscriptions.push(
      this.started,
      vscode.workspace.onDidChangeConfiguration((e) => {
        // Other agents apply to the running host's new tasks at once, and phones are told.
        if (AGENT_SETTINGS.some((s) => e.affectsConfiguration(s))) {
          const agents = this.agentSettings();
          void this.running
            ?.then(({ agent }) => agent.manager.agents?.configure(agents.definitions, agents.defaultAgent))
            .catch(() => undefined);
        }
        if (!RESTART_SETTINGS.some((s) => e.affectsConfiguration(s))) return;
        // The allow rules apply to the running host's threads at once (settings.ts, RESTART_FIELDS).
        if (e.affectsConfiguration("tether.policy.allow")) {
          const { allow } = readSettings();
          void this.running?.then(({ agent }) => agent.manager.setAllowRules(allow)).catch(() => undefined);
        }
        // Only a change to what the host reads, the user's settings (see settings.ts): a
        // workspace's `tether.*` values change nothing, and a restart would interrupt its runs.
        if (this.running && this.startedWith && needsRestart(this.startedWith, readSettings())) void this.restart();
      }),
    );
  }

  /** The running host, started on first use. */
  async get(): Promise<Host> {
    return (await this.session()).host;
  }

  /** The host and its agent, started on first use. */
  session(): Promise<Running> {
    this.running ??= this.start().catch((err: unknown) => {
      this.running = undefined;
      throw err;
    });
    return this.running;
  }

  private async start(): Promise<Running> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== "file")
      throw new Error("Open a folder first: Tether shares the workspace folder with your phone.");
    const settings = readSettings();
    this.startedWith = settings;
    const relay = new URL(this.relayOverride ?? settings.relayUrl).origin;
    const log = outputLog(this.channel);
    await this.keys.load();
    const identity = await HostIdentity.loadOrCreate(secretState(this.context.secrets));
    const mirror = await Mirror.open({
      fs: nodeFileSystem,
      root: folder.uri.fsPath,
      gitStatus: createNodeGitStatus(folder.uri.fsPath),
    });
    const name = vscode.env.appName + " · " + folder.name;
    const stateDir = this.context.globalStorageUri.fsPath;
    // Commands a closed or crashed window left running end before their threads are marked interrupted.
    const runningDir = workspaceStateDir(stateDir, mirror.root);
    const stoppedCommands = await stopLeftRunning(runningDir, log);
    const agentSettings = this.agentSettings();
    const runner = createProcessRunner({ running: new RunningCommands(runningDir) });
    const hooks = editorHooks(mirror.root, stateDir, log);
    const agent = createAgent({
      mirror,
      files: nodeWorkspaceFiles,
      runner,
      worktrees: settings.worktrees,
      // A task's worktree is not open in the editor: its files are read and written on disk.
      workspaceAt: async (root) => ({
        mirror: await mirror.rootedAt(root, createNodeGitStatus(root)),
        files: nodeWorkspaceFiles,
        runner,
      }),
      stoppedCommands,
      stateDir,
      workspaceName: folder.name,
      mode: settings.mode,
      rules: { allow: settings.allow, deny: settings.deny },
      homeDir: homedir(),
      grammar: await (this.grammar ??= loadShellGrammar()),
      resolveModel: editorModelResolver(settings, this.keys),
      maxParallel: settings.maxThreads,
      self: { id: "editor", name },
      platform: process.platform,
      log,
      addHostRule: editorHostRules((rules) => agent.manager.setAllowRules(rules)),
      hooks,
      agents: new HostAgents({
        definitions: agentSettings.definitions,
        defaultAgent: agentSettings.defaultAgent,
        hostName: name,
        log,
      }),
    });
    const keepAwake = settings.keepAwake
      ? new KeepAwake(
          nodeSleepInhibitor(),
          agent.manager,
          agent.manager.list().map((t) => ({ threadId: t.id, status: t.status })),
          log,
        )
      : undefined;
    const host = new Host({
      relay,
      name,
      identity,
      mirror,
      threads: { manager: agent.manager, store: agent.store, git: agent.git, hooks },
      models: await offeredModels(settings),
      notify: settings.notifications,
      log,
      confirmPairing: async ({ phoneName, code }) => {
        const pick = await vscode.window.showInformationMessage(
          `Pair "${phoneName}" with this editor?`,
          { modal: true, detail: `Check that the phone shows the code ${code}.` },
          "Pair",
        );
        return pick === "Pair";
      },
    });
    // In the background, at each start (a settings change restarts the host): phones show the result.
    void checkModel(() => editorModelResolver(settings, this.keys)()).then((status) => {
      host.setModelStatus(status);
      if (status.state === "ok") return;
      log.warn(`model check: ${status.server ? `${status.server}: ` : ""}${status.detail ?? status.state}`);
    });
    host.on("state", (state, detail) => log.info(`relay ${state}${detail ? `: ${detail}` : ""}`));
    host.on("paired", (phone) => void vscode.window.showInformationMessage(`Tether: paired "${phone.name}".`));
    host.on("fatal", (err) => void vscode.window.showErrorMessage(`Tether: ${err.message}`));
    const stopAsking = askToTrustHooks(hooks, agent.manager, mirror.root);
    this.closers.set(host, async () => {
      stopAsking();
      // Runs stopped by a closing window end as "interrupted", never left hanging.
      await agent.manager.close();
      await agent.store.close();
      // A phone paired just now must be saved before the window goes, or the next start forgets it.
      await identity.settledJoins();
      await identity.flush();
      keepAwake?.close();
      host.close();
    });
    // The relay link comes up in the background: threads run in the editor whether or not a
    // relay is reachable (a first start waits for registration until one is).
    host.start().catch((err: unknown) => log.error(`the relay link failed: ${(err as Error).message}`));
    const running = { host, agent };
    this.started.fire(running);
    return running;
  }

  /** The agent settings, with what is wrong in them said once (and again only when it changes). */
  private agentSettings(): AgentSettings {
    const settings = readAgentSettings();
    const said = settings.problems.join("\n");
    if (said && said !== this.agentProblems) {
      for (const problem of settings.problems) {
        outputLog(this.channel).warn(problem);
        void vscode.window.showWarningMessage(`Tether: ${problem}.`, "Open Settings").then((pick) => {
          if (pick) void vscode.commands.executeCommand("workbench.action.openSettings", "tether.agents");
        });
      }
    }
    this.agentProblems = said;
    return settings;
  }

  /** The relay the host uses: this window's own, or the setting's. */
  relayUrl(): string {
    return new URL(this.relayOverride ?? readSettings().relayUrl).origin;
  }

  /** Points the host at `url` (undefined: back to the setting) and restarts it there. */
  async useRelay(url: string | undefined): Promise<void> {
    this.relayOverride = url;
    await this.restart();
    await this.session();
  }

  private readonly closers = new Map<Host, () => Promise<void>>();

  /** Closes the host (its runs end as interrupted); the next use starts a new one. */
  async restart(): Promise<void> {
    const old = this.running;
    this.running = undefined;
    const running = await old?.catch(() => undefined);
    if (!running) return;
    const close = this.closers.get(running.host);
    this.closers.delete(running.host);
    await close?.();
  }

  dispose(): void {
    void this.restart();
  }
}
