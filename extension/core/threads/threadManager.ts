// The threads of one workspace: creates them, routes commands from phones and the editor to
// them and their runs, and restores them from disk on start. Runs wait their turn in `RunQueue`
// and are made by `runFor`; what a run does is theirs (`agentRun.ts` and the pieces it uses).

import { EventEmitter } from "node:events";
import {
  BUILTIN_AGENT,
  ENDED_STATUSES,
  ErrorCode,
  TetherError,
  modeWithin,
  type Command,
  type DeviceRef,
  type LiveEvent,
  type PolicyMode,
  type ThreadSummary,
  type WorktreeState,
} from "#protocol";
import { ModelNotConfigured, type ModelPort } from "../agent/model/port";
import type { AgentSession } from "../agents/agentSession";
import type { AgentDefinition } from "../agents/catalog";
import type { HostAgents } from "../agents/hostAgents";
import { isGitCommand, type GitCommands, type GitEventInput, type GitThreads, type ThreadWorktree } from "../git/gitThreads";
import type { Mirror } from "../mirror/mirror";
import { Attachments } from "./attachments";
import { endInterrupted } from "./interrupted";
import { refuseEnded } from "./personWait";
import { revertThread } from "./revert";
import { PreparedRun } from "./preparedRun";
import { runFor, type RunParts } from "./runFactory";
import { RunQueue, type ThreadRun } from "./runQueue";
import { Thread, titleOf } from "./thread";
import type { AppliedBy, AppliedInEvent, NumberedEvent } from "./threadStore";
import { ThreadWorktrees, type WorktreeSetup } from "./threadWorktrees";

export { interruptedDetail } from "./interrupted";

/** What the manager needs besides the parts every run uses (`RunParts`, documented there). */
export interface ThreadManagerOptions extends RunParts {
  /** Runs at once; more wait in the queue. */
  maxParallel: number;
  now?: () => number;
  /** Tasks in git worktrees of their own; without it every task runs in the workspace. */
  worktrees?: WorktreeSetup;
}

export interface ThreadManagerEvents {
  event: [thread: Thread, numbered: NumberedEvent];
  live: [threadId: string, event: LiveEvent];
  /** A thread's summary changed. */
  summary: [summary: ThreadSummary];
  /** A thread was deleted, with its history. */
  deleted: [threadId: string];
}

export interface NewTask {
  threadId: string;
  text: string;
  mode?: PolicyMode;
  model?: string;
  /** The agent to run it with (`tether` or an outside agent's id); the host's default when absent. */
  agent?: string;
  /** The outside agent's own mode to start in. */
  agentMode?: string;
  /** An outside agent's session started on the computer, to continue in this thread. */
  agentSession?: string;
  /** Run it in a worktree of its own (true) or in the workspace (false); the host decides when absent. */
  worktree?: boolean;
}

/** What a run waits for after a decision before it goes on (see `RunDeps.beforeResume`). */
export type ResumeGate = (thread: Thread) => Promise<void>;

export class ThreadManager extends EventEmitter<ThreadManagerEvents> implements GitThreads {
  private resumeGate: ResumeGate | undefined;
  private git: GitCommands | undefined;
  private readonly commandsInEvents: AppliedInEvent[] = [];
  private readonly threads = new Map<string, Thread>();
  private readonly runs: RunQueue<ThreadRun>;
  private readonly now: () => number;
  private readonly attachments: Attachments;
  private readonly worktrees: ThreadWorktrees;
  /** Settles once the host knows whether tasks may have worktrees (and old ones were cleaned up). */
  private worktreesChecked: Promise<void> = Promise.resolve();
  /** The first close()'s work (set: the host is shutting down); a later call waits for the same end. */
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ThreadManagerOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.attachments = new Attachments(options.workspace);
    this.worktrees = new ThreadWorktrees(options.worktrees, options);
    this.runs = new RunQueue({
      maxParallel: options.maxParallel,
      start: (threadId) => this.start(this.threads.get(threadId)!),
      ended: (threadId) => options.log.info("run ended", { thread: threadId, status: this.threads.get(threadId)?.status }),
    });
  }

  /**
   * Loads the threads on disk. A run the host did not finish (it stopped or crashed) ends as
   * stopped; `stoppedCommands` are the commands of such runs the host ended as it started, by thread.
   */
  load(stoppedCommands: ReadonlyMap<string, readonly string[]> = new Map()): void {
    const { store, self } = this.options;
    const loaded = store
      .list()
      .map((id) => {
        const { events, commands } = store.eventsWithCommands(id);
        this.commandsInEvents.push(...commands);
        return this.adopt(new Thread(id, store, this.now, events));
      })
      .sort((a, b) => a.createdAt - b.createdAt);
    this.worktreesChecked = this.worktrees.start(loaded.map((t) => t.id));
    for (const thread of loaded) {
      if (thread.lastSeq === 0) continue;
      if (thread.status === "queued") this.runs.enqueue(thread.id);
      else if (!ENDED_STATUSES.includes(thread.status)) endInterrupted(thread, self, stoppedCommands.get(thread.id) ?? []);
    }
    this.runs.pump();
  }

  list(): Thread[] {
    return [...this.threads.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  get(threadId: string): Thread | undefined {
    return this.threads.get(threadId);
  }

  summary(thread: Thread): ThreadSummary {
    const found = this.worktrees.of(thread.id);
    return thread.summary(this.options.workspaceName, found && { branch: found.worktree.branch, state: found.state });
  }

  /** Resolves once the host knows whether its tasks may run in worktrees (`worktreesProfile`). */
  whenWorktreesChecked(): Promise<void> {
    return this.worktreesChecked;
  }

  /** What phones are told of worktrees: present when the workspace is a git repository. */
  get worktreesProfile(): { default: boolean } | undefined {
    return this.worktrees.profile;
  }

  /**
   * Commands that events on disk say they applied (see `AppliedBy`), as loaded: the command
   * server remembers them even when a crash kept them out of applied.jsonl.
   */
  appliedInEvents(): readonly AppliedInEvent[] {
    return this.commandsInEvents;
  }

  /**
   * Applies a command from a phone (or the editor). Throws a `TetherError` the sender should see.
   * `applied`: the phone's command id, written with the event a `message` appends, so applying it
   * and remembering that it was applied are one write.
   */
  async handle(command: Command, by: DeviceRef, applied?: AppliedBy): Promise<void> {
    if (this.closing) throw new TetherError(ErrorCode.HostOffline, "The host is shutting down.");
    if (isGitCommand(command)) {
      if (!this.git) throw new TetherError(ErrorCode.BadRequest, "This computer does not take git commands.");
      return this.git.handle(command, by);
    }
    switch (command.type) {
      case "new-task": {
        if (this.threads.has(command.threadId)) return; // the same command delivered twice
        const appendix = await this.attachments.forTask(command.threadId, command.attachments ?? [], command.retryOf);
        await this.worktreesChecked;
        const worktree = await this.worktrees.choose(command.worktree, this.workspaceBusy());
        this.newTask({ ...command, text: command.text + appendix, worktree }, by);
        return;
      }
      case "attach":
        if (this.threads.has(command.threadId)) {
          throw new TetherError(ErrorCode.Conflict, "Attachments go with a new task; this thread has started.");
        }
        await this.attachments.save(command.threadId, command.name, command.data);
        return;
      case "message":
        this.message(command.threadId, command.text, by, applied);
        return;
      case "decide":
        this.runOf(command.threadId, command).decide(command.approvalId, command.decision, command.message, by, command.optionId);
        return;
      case "answer":
        this.runOf(command.threadId, command).answer(command.questionId, command.text, by);
        return;
      case "stop":
        this.stop(command.threadId, by);
        return;
      case "revert":
        await this.revert(command.threadId, by);
        return;
      case "agent-mode":
        await this.agentSession(command.threadId).setMode(command.mode);
        this.agentStateChanged(command.threadId);
        return;
      case "agent-option":
        await this.agentSession(command.threadId).setOption(command.option, command.value);
        this.agentStateChanged(command.threadId);
        return;
      case "hooks-trust":
        this.trustHooks(command.hash, by);
        return;
    }
  }

  /** Trusts the project's hooks file if it still has the content `hash` is of (what the person saw). */
  trustHooks(hash: string, by: DeviceRef): void {
    if (!this.options.hooks) throw new TetherError(ErrorCode.BadRequest, "This computer runs no hooks.");
    this.options.hooks.trustShown(hash);
    this.options.log.info("project hooks trusted", { by: by.id });
  }

  /** The outside agents of this host, if it runs any. */
  get agents(): HostAgents | undefined {
    return this.options.agents;
  }

  /**
   * The host's allow rules from now on, for every thread, runs already going included: a rule
   * added by "Always on this computer", or one the person removed on the computer.
   */
  setAllowRules(rules: readonly string[]): void {
    this.options.policy.setAllowRules(rules);
  }

  /**
   * The host's configured mode: the most a task may run in. A phone or the editor's panel may
   * ask for it or less; never more.
   */
  get maxMode(): PolicyMode {
    return this.options.policy.mode;
  }

  newTask(task: NewTask, by: DeviceRef): Thread {
    const existing = this.threads.get(task.threadId);
    if (existing) return existing; // the same command delivered twice
    const { store, workspaceName, policy } = this.options;
    // Refused, not lowered: the sender chose that mode and hears why it cannot have it.
    if (task.mode && !modeWithin(task.mode, policy.mode)) {
      throw new TetherError(
        ErrorCode.Forbidden,
        `This computer allows tasks up to "${policy.mode}"; "${task.mode}" asks for more. Choose "${policy.mode}" or less.`,
      );
    }
    const inWorktree = this.worktrees.chooseNow(task.worktree, this.workspaceBusy());
    const agent = this.outsideAgent(task.agent);
    let model: ModelPort | undefined;
    let problem: string | undefined;
    if (agent) {
      if (!this.options.agents!.installed(agent)) {
        throw new TetherError(
          ErrorCode.NotFound,
          `${agent.name} is not installed on this computer.${agent.install ? ` Install it with: ${agent.install}` : ""}`,
        );
      }
    } else {
      try {
        model = this.options.resolveModel(task.model);
      } catch (err) {
        if (!(err instanceof ModelNotConfigured)) throw err;
        problem = err.message;
      }
    }
    store.create(task.threadId);
    const thread = this.adopt(new Thread(task.threadId, store, this.now));
    thread.append({
      type: "task",
      text: task.text,
      title: titleOf(task.text),
      workspace: workspaceName,
      mode: task.mode ?? policy.mode,
      model: model?.id ?? task.model ?? "",
      by,
      ...(agent ? { agent: { id: agent.id, name: agent.name } } : {}),
      ...(agent && task.agentMode ? { agentMode: task.agentMode } : {}),
    });
    if (problem) {
      thread.append({ type: "error", message: problem });
      thread.setStatus("failed");
      return thread;
    }
    if (agent && task.agentSession) {
      store.saveMeta(thread.id, { ...store.meta(thread.id), agentSession: task.agentSession, importHistory: true });
    }
    if (inWorktree) store.saveMeta(thread.id, { ...store.meta(thread.id), inWorktree: true });
    thread.append({ type: "status", status: "queued" });
    this.runs.enqueue(thread.id);
    this.runs.pump();
    return thread;
  }

  message(threadId: string, text: string, by: DeviceRef, applied?: AppliedBy): void {
    const thread = this.mustGet(threadId);
    thread.append({ type: "user-message", text, by }, applied);
    if (ENDED_STATUSES.includes(thread.status)) {
      thread.setStatus("queued");
      this.runs.enqueue(threadId);
      this.runs.pump();
    }
  }

  stop(threadId: string, by: DeviceRef): void {
    const thread = this.mustGet(threadId);
    const run = this.runs.running(threadId);
    if (run) {
      run.stop(by);
      return;
    }
    if (this.runs.dequeue(threadId)) {
      thread.setStatus("stopped", `stopped by ${by.name} before it started`);
    }
  }

  /** Puts back the files the thread changed, as they were before its first change. */
  async revert(threadId: string, by: DeviceRef): Promise<{ files: string[]; skipped: string[] }> {
    const thread = this.mustGet(threadId);
    if (this.runs.running(threadId) || thread.status === "queued") {
      throw new TetherError(ErrorCode.Conflict, "The thread is still running; stop it before reverting.");
    }
    const place = await this.worktrees.placeFor(threadId);
    return revertThread({ store: this.options.store, workspace: place?.workspace ?? this.options.workspace }, thread, by);
  }

  /**
   * Deletes a thread that has ended: its history and checkpoint go, the files it changed stay
   * as they are. A thread still running or waiting must be stopped first. Its open worktree is
   * removed (its branch stays), or, when it holds uncommitted changes, the thread is not deleted.
   */
  async delete(threadId: string, by: DeviceRef): Promise<void> {
    const thread = this.mustGet(threadId);
    if (this.runs.running(threadId) || !ENDED_STATUSES.includes(thread.status)) {
      throw new TetherError(ErrorCode.Conflict, "The thread is still running or waiting; stop it before deleting it.");
    }
    await this.worktrees.removeFor(threadId);
    if (!this.threads.has(threadId)) return; // deleted meanwhile
    this.threads.delete(threadId);
    void this.options.agents?.end(threadId);
    this.options.store.remove(threadId);
    this.options.log.info("thread deleted", { thread: threadId, by: by.name });
    this.emit("deleted", threadId);
  }

  /** What a phone browses for a thread: its open worktree, or the workspace (undefined). NotFound for no such thread. */
  async mirrorOf(threadId: string): Promise<Mirror | undefined> {
    this.mustGet(threadId);
    return this.worktrees.mirrorOf(threadId);
  }

  worktreeOf(threadId: string): ThreadWorktree | undefined {
    this.mustGet(threadId);
    return this.worktrees.of(threadId);
  }

  isActive(threadId: string): boolean {
    const thread = this.mustGet(threadId);
    return this.runs.running(threadId) !== undefined || !ENDED_STATUSES.includes(thread.status);
  }

  recordGit(threadId: string, event: GitEventInput): void {
    this.mustGet(threadId).append({ type: "git", ...event });
  }

  setWorktreeState(threadId: string, state: WorktreeState): void {
    const thread = this.mustGet(threadId);
    this.worktrees.setState(threadId, state);
    this.emit("summary", this.summary(thread));
  }

  draftModel(threadId?: string): ModelPort {
    const thread = threadId === undefined ? undefined : this.mustGet(threadId);
    const task = thread?.events[0]?.event;
    if (thread && task?.type === "task" && !task.agent) return this.options.resolveModel(thread.model || undefined);
    return this.options.resolveModel();
  }

  /** Routes git commands (stage, commit, push, a worktree's end) to the git service. */
  useGit(git: GitCommands | undefined): void {
    this.git = git;
  }

  /** Sets what runs wait for after a decision (the publisher: the decision sent to the phones). */
  gateResumes(gate: ResumeGate | undefined): void {
    this.resumeGate = gate;
  }

  /** Resolves when no thread is running or queued. */
  whenIdle(): Promise<void> {
    return this.runs.whenIdle();
  }

  get busy(): boolean {
    return this.runs.busy;
  }

  /** Stops every run; their threads end as stopped. Idempotent: every call resolves once they have. */
  close(): Promise<void> {
    this.closing ??= this.runs
      .stopAll(this.options.self, "interrupted: the host shut down during this run")
      .then(() => this.options.agents?.close());
    return this.closing;
  }

  /** The outside agent a task names (or the host's default, when that is one); none for Tether's own. */
  private outsideAgent(id: string | undefined): AgentDefinition | undefined {
    const agents = this.options.agents;
    const chosen = id ?? agents?.defaultAgent ?? BUILTIN_AGENT;
    if (chosen === BUILTIN_AGENT) return undefined;
    const definition = agents?.definition(chosen);
    if (!definition) throw new TetherError(ErrorCode.NotFound, `There is no agent "${chosen}" on this computer.`);
    return definition;
  }

  /** The open session of a thread run by an outside agent, to switch its mode or options. */
  private agentSession(threadId: string): AgentSession {
    const thread = this.mustGet(threadId);
    const session = this.options.agents?.live(threadId);
    if (session) return session;
    const task = thread.events[0]?.event;
    if (task?.type !== "task" || !task.agent) {
      throw new TetherError(ErrorCode.BadRequest, "This thread runs Tether's own agent, which has no agent modes or options.");
    }
    throw new TetherError(
      ErrorCode.Conflict,
      `${task.agent.name}'s session is not open now; send a message to go on, then switch.`,
    );
  }

  /** Records an agent's mode and options after a person changed them. */
  private agentStateChanged(threadId: string): void {
    const session = this.options.agents?.live(threadId);
    const thread = this.threads.get(threadId);
    if (!session || !thread) return;
    thread.append({
      type: "agent-state",
      ...(session.mode !== undefined ? { mode: session.mode } : {}),
      modes: session.allowedModes,
      options: session.options,
    });
  }

  private adopt(thread: Thread): Thread {
    this.threads.set(thread.id, thread);
    thread.on("event", (numbered) => {
      this.emit("event", thread, numbered);
      this.emit("summary", this.summary(thread));
    });
    return thread;
  }

  private mustGet(threadId: string): Thread {
    const thread = this.threads.get(threadId);
    if (!thread) throw new TetherError(ErrorCode.NotFound, "There is no such thread on this host.");
    return thread;
  }

  private runOf(threadId: string, what: { approvalId: string } | { questionId: string }): ThreadRun {
    const thread = this.mustGet(threadId);
    const run = this.runs.running(threadId);
    if (run) return run;
    return refuseEnded(thread, what);
  }

  /** Another task works in the workspace itself (running, waiting or queued), not in a worktree. */
  private workspaceBusy(): boolean {
    return [...this.threads.values()].some((t) => !ENDED_STATUSES.includes(t.status) && !this.worktrees.planned(t.id));
  }

  /**
   * The thread's run, or nothing when it cannot run (it ends as failed and says why). A task in a
   * worktree of its own gets it ready first, in the run, so no command waits for a checkout.
   */
  private start(thread: Thread): ThreadRun | undefined {
    const hooks = {
      now: this.now,
      live: (event: LiveEvent) => this.emit("live", thread.id, event),
      beforeResume: () => this.resumeGate?.(thread) ?? Promise.resolve(),
    };
    const run = this.worktrees.planned(thread.id)
      ? new PreparedRun(thread, async () => {
          await this.worktreesChecked;
          const place = await this.worktrees.prepare(thread);
          // What a phone attached went into the workspace; the agent works in the worktree.
          if (place.fresh) await this.attachments.copyTo(thread.id, place.workspace);
          return runFor(thread, { ...this.options, workspace: place.workspace, policy: place.policy }, hooks);
        })
      : runFor(thread, this.options, hooks);
    if (run) this.options.log.info("run started", { thread: thread.id });
    return run;
  }
}
