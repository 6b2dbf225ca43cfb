// Builds the agent side of a host from its parts: the workspace the tools act on, the tools,
// the policy, the model resolver and the thread manager with its threads loaded from disk.
// The headless host and the editor both call this with their own adapters.

import type { DeviceRef, PolicyMode } from "#protocol";
import type { ModelPort } from "./agent/model/port";
import type { HostAgents } from "./agents/hostAgents";
import type { ShellGrammar } from "./agent/policy/grammar";
import { Policy, type PolicyRules } from "./agent/policy/policy";
import type { ProcessRunner, WorkspaceFiles } from "./agent/tools/ports";
import { createTools } from "./agent/tools/index";
import { AgentWorkspace, type AgentWorkspaceDeps } from "./agent/tools/workspace";
import { GitService } from "./git/gitService";
import { TaskWorktrees } from "./git/worktrees";
import type { Hooks } from "./hooks/hooks";
import type { Log } from "./log";
import type { Mirror } from "./mirror/mirror";
import { ThreadManager } from "./threads/threadManager";
import { ThreadStore, workspaceStateDir } from "./threads/threadStore";

export interface AgentSetup {
  mirror: Mirror;
  files: WorkspaceFiles;
  runner: ProcessRunner;
  /** The state directory; threads go under a folder of their own per workspace. */
  stateDir: string;
  workspaceName: string;
  mode: PolicyMode;
  rules: PolicyRules;
  homeDir: string;
  /** The bash grammar the policy parses commands with, loaded once when the host starts (`loadShellGrammar`). */
  grammar: ShellGrammar;
  resolveModel: (requested?: string) => ModelPort;
  maxParallel: number;
  self: DeviceRef;
  platform: string;
  log: Log;
  retryBaseDelayMs?: number;
  /** Keeps a rule added by "Always on this computer" (see `ThreadManagerOptions.addHostRule`). */
  addHostRule?: (rule: string, by: DeviceRef) => void;
  /** Commands of interrupted runs the host ended as it started, by thread (`reapRunning`). */
  stoppedCommands?: ReadonlyMap<string, readonly string[]>;
  /** The outside agents a task may run with; without them only Tether's own agent runs. */
  agents?: HostAgents;
  /**
   * A task runs in a git worktree of its own unless it says otherwise (when the workspace is a
   * repository). Either way a task started while another works in the workspace gets one.
   */
  worktrees?: boolean;
  /**
   * The parts of a workspace rooted at a task's worktree. By default: the workspace mirror's
   * rules over that folder (no git marks), with the same files and runner.
   */
  workspaceAt?: (root: string) => Promise<AgentWorkspaceDeps>;
  /** The host's hooks (`createHooks`); without them none run. */
  hooks?: Hooks;
  /** git's environment for worktrees (tests keep the machine's git configuration out through it). */
  gitEnv?: NodeJS.ProcessEnv;
}

export interface Agent {
  manager: ThreadManager;
  store: ThreadStore;
  workspace: AgentWorkspace;
  /** Git for phones and the editor: state, Changes, diffs, drafts, and the git commands. */
  git: GitService;
}

export function createAgent(setup: AgentSetup): Agent {
  const { mirror, log } = setup;
  const store = new ThreadStore(workspaceStateDir(setup.stateDir, mirror.root), log);
  const workspace = new AgentWorkspace({ mirror, files: setup.files, runner: setup.runner });
  const manager = new ThreadManager({
    store,
    workspace,
    workspaceName: setup.workspaceName,
    tools: createTools(),
    policy: new Policy({
      mode: setup.mode,
      rules: setup.rules,
      workspaceRoot: mirror.root,
      homeDir: setup.homeDir,
      grammar: setup.grammar,
      // Commands run through cmd.exe there, which the gate does not analyse.
      platform: setup.platform === "win32" ? "win32" : "posix",
    }),
    resolveModel: setup.resolveModel,
    maxParallel: setup.maxParallel,
    self: setup.self,
    platform: setup.platform,
    log,
    ...(setup.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: setup.retryBaseDelayMs } : {}),
    ...(setup.addHostRule ? { addHostRule: setup.addHostRule } : {}),
    ...(setup.agents ? { agents: setup.agents } : {}),
    ...(setup.hooks ? { hooks: setup.hooks } : {}),
    worktrees: {
      default: setup.worktrees === true,
      stateDir: setup.stateDir,
      workspaceAt:
        setup.workspaceAt ??
        (async (root) => ({ mirror: await mirror.rootedAt(root), files: setup.files, runner: setup.runner })),
      ...(setup.gitEnv ? { env: setup.gitEnv } : {}),
    },
  });
  manager.load(setup.stoppedCommands);
  const git = new GitService({
    threads: manager,
    root: mirror.root,
    stateDir: workspaceStateDir(setup.stateDir, mirror.root),
    isSecret: (rel) => mirror.isSecret(rel),
    log,
    worktrees: new TaskWorktrees(setup.gitEnv),
  });
  manager.useGit(git);
  return { manager, store, workspace, git };
}
