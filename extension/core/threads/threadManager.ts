// The threads of one workspace: starts runs (several at once, the rest queued), routes
// commands from phones and the editor to them, and restores everything from disk on start.

import { EventEmitter } from "node:events";
import {
  ENDED_STATUSES,
  ErrorCode,
  TetherError,
  modeWithin,
  type Command,
  type DeviceRef,
  type LiveEvent,
  type PolicyMode,
  type ThreadSummary,
} from "#protocol";
import { withRetry, formatRetry } from "../agent/model/retry";
import { ModelNotConfigured, type ModelPort } from "../agent/model/port";
import type { Policy } from "../agent/policy/policy";
import type { Tool } from "../agent/tools/tool";
import type { AgentWorkspace } from "../agent/tools/workspace";
import type { Log } from "../log";
import { AgentRun } from "./agentRun";
import { Attachments } from "./attachments";
import { systemPrompt } from "./prompt";
import { Thread, titleOf } from "./thread";
import { hashText, type NumberedEvent, type ThreadStore } from "./threadStore";

export interface ThreadManagerOptions {
  store: ThreadStore;
  workspace: AgentWorkspace;
  workspaceName: string;
  tools: readonly Tool[];
  /** The host's policy: its default mode and its allow/deny rules. */
  policy: Policy;
  /** The model for a task: the requested one or the host's default. Throws `ModelNotConfigured`. */
  resolveModel: (requested?: string) => ModelPort;
  /** Runs at once; more wait in the queue. */
  maxParallel: number;
  /** This host as a device, for events it causes itself. */
  self: DeviceRef;
  platform: string;
  log: Log;
  now?: () => number;
  /** Base delay of model retries (tests shorten it). */
  retryBaseDelayMs?: number;
  /**
   * Keeps a rule added by "Always on this computer" (a settings entry, a file) and calls
   * `setAllowRules` with the new list. Without it the choice is not offered.
   */
  addHostRule?: (rule: string, by: DeviceRef) => void;
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
}

/** What a run waits for after a decision before it goes on (see `RunDeps.beforeResume`). */
export type ResumeGate = (thread: Thread) => Promise<void>;

export class ThreadManager extends EventEmitter<ThreadManagerEvents> {
  private resumeGate: ResumeGate | undefined;
  private readonly threads = new Map<string, Thread>();
  private readonly queue: string[] = [];
  private readonly runs = new Map<string, AgentRun>();
  private readonly idle = new Set<() => void>();
  private readonly now: () => number;
  private readonly attachments: Attachments;
  private closed = false;
  /** The first close()'s work; a later call waits for the same end. */
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ThreadManagerOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.attachments = new Attachments(options.workspace);
  }

  /**
   * Loads the threads on disk. A run the host did not finish (it stopped or crashed) ends as
   * stopped; `stoppedCommands` are the commands of such runs the host ended as it started, by thread.
   */
  load(stoppedCommands: ReadonlyMap<string, readonly string[]> = new Map()): void {
    const { store, self } = this.options;
    const loaded = store
      .list()
      .map((id) => this.adopt(new Thread(id, store, this.now, store.events(id))))
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const thread of loaded) {
      if (thread.lastSeq === 0) continue;
      if (thread.status === "queued") this.queue.push(thread.id);
      else if (!ENDED_STATUSES.includes(thread.status)) {
        for (const p of thread.summary("").pending) {
          thread.append({ type: "approval-resolved", approvalId: p.approvalId, decision: "stop", by: self });
        }
        thread.setStatus("stopped", interruptedDetail(stoppedCommands.get(thread.id) ?? []));
      }
    }
    this.pump();
  }

  list(): Thread[] {
    return [...this.threads.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  get(threadId: string): Thread | undefined {
    return this.threads.get(threadId);
  }

  summary(thread: Thread): ThreadSummary {
    return thread.summary(this.options.workspaceName);
  }

  /** Applies a command from a phone (or the editor). Throws a `TetherError` the sender should see. */
  async handle(command: Command, by: DeviceRef): Promise<void> {
    if (this.closed) throw new TetherError(ErrorCode.HostOffline, "The host is shutting down.");
    switch (command.type) {
      case "new-task": {
        if (this.threads.has(command.threadId)) return; // the same command delivered twice
        const names = command.attachments ?? [];
        // A retry's attachments come from the task it retries, where they still are.
        if (command.retryOf && names.length) await this.attachments.reuse(command.retryOf, command.threadId, names);
        const missing = command.retryOf ? "no longer on this computer" : undefined;
        const appendix = await this.attachments.describe(command.threadId, names, missing);
        this.newTask({ ...command, text: command.text + appendix }, by);
        return;
      }
      case "attach":
        if (this.threads.has(command.threadId)) {
          throw new TetherError(ErrorCode.Conflict, "Attachments go with a new task; this thread has started.");
        }
        await this.attachments.save(command.threadId, command.name, command.data);
        return;
      case "message":
        this.message(command.threadId, command.text, by);
        return;
      case "decide":
        this.runOf(command.threadId, command).decide(command.approvalId, command.decision, command.message, by);
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
    }
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
    let model: ModelPort | undefined;
    let problem: string | undefined;
    try {
      model = this.options.resolveModel(task.model);
    } catch (err) {
      if (!(err instanceof ModelNotConfigured)) throw err;
      problem = err.message;
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
    });
    if (problem) {
      thread.append({ type: "error", message: problem });
      thread.setStatus("failed");
      return thread;
    }
    thread.append({ type: "status", status: "queued" });
    this.queue.push(thread.id);
    this.pump();
    return thread;
  }

  message(threadId: string, text: string, by: DeviceRef): void {
    const thread = this.mustGet(threadId);
    thread.append({ type: "user-message", text, by });
    if (ENDED_STATUSES.includes(thread.status)) {
      thread.setStatus("queued");
      this.queue.push(threadId);
      this.pump();
    }
  }

  stop(threadId: string, by: DeviceRef): void {
    const thread = this.mustGet(threadId);
    const run = this.runs.get(threadId);
    if (run) {
      run.stop(by);
      return;
    }
    const queued = this.queue.indexOf(threadId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      thread.setStatus("stopped", `stopped by ${by.name} before it started`);
    }
  }

  /** Puts back the files the thread changed, as they were before its first change. */
  async revert(threadId: string, by: DeviceRef): Promise<{ files: string[]; skipped: string[] }> {
    const thread = this.mustGet(threadId);
    if (this.runs.has(threadId) || thread.status === "queued") {
      throw new TetherError(ErrorCode.Conflict, "The thread is still running; stop it before reverting.");
    }
    const { store, workspace } = this.options;
    const checkpoint = store.checkpoint(threadId);
    const files: string[] = [];
    const skipped: string[] = [];
    for (const [path, saved] of Object.entries(checkpoint)) {
      let current: string | null;
      try {
        current = await workspace.readText(path);
      } catch {
        current = null;
      }
      if (hashText(current) !== saved.afterHash) {
        skipped.push(path);
        continue;
      }
      if (saved.before === null) {
        if (current !== null) await workspace.remove(path);
      } else await workspace.writeText(path, saved.before);
      files.push(path);
    }
    store.saveCheckpoint(threadId, {});
    thread.append({ type: "reverted", files, ...(skipped.length ? { skipped } : {}), by });
    return { files, skipped };
  }

  /**
   * Deletes a thread that has ended: its history and checkpoint go, the files it changed stay
   * as they are. A thread still running or waiting must be stopped first.
   */
  delete(threadId: string, by: DeviceRef): void {
    const thread = this.mustGet(threadId);
    if (this.runs.has(threadId) || !ENDED_STATUSES.includes(thread.status)) {
      throw new TetherError(ErrorCode.Conflict, "The thread is still running or waiting; stop it before deleting it.");
    }
    this.threads.delete(threadId);
    this.options.store.remove(threadId);
    this.options.log.info("thread deleted", { thread: threadId, by: by.name });
    this.emit("deleted", threadId);
  }

  /** Sets what runs wait for after a decision (the publisher: the decision sent to the phones). */
  gateResumes(gate: ResumeGate | undefined): void {
    this.resumeGate = gate;
  }

  /** Resolves when no thread is running or queued. */
  whenIdle(): Promise<void> {
    if (this.runs.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  get busy(): boolean {
    return this.runs.size > 0 || this.queue.length > 0;
  }

  /** Stops every run; their threads end as stopped. Idempotent: every call resolves once they have. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = this.stopAll();
    }
    return this.closing;
  }

  private async stopAll(): Promise<void> {
    this.queue.length = 0;
    const running = [...this.runs.values()];
    for (const run of running) run.stop(this.options.self, "interrupted: the host shut down during this run");
    await this.whenIdle();
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

  private runOf(threadId: string, what: { approvalId: string } | { questionId: string }): AgentRun {
    const thread = this.mustGet(threadId);
    const run = this.runs.get(threadId);
    if (run) return run;
    if ("approvalId" in what) {
      const earlier = thread.decidedBy(what.approvalId);
      if (earlier) throw new TetherError(ErrorCode.Conflict, `Already decided by ${earlier.by} (${earlier.decision}).`);
      throw new TetherError(ErrorCode.Conflict, `The run has ended (${thread.status}); there is nothing left to decide.`);
    }
    if (thread.wasAnswered(what.questionId)) throw new TetherError(ErrorCode.Conflict, "That question was already answered.");
    throw new TetherError(ErrorCode.Conflict, `The run has ended (${thread.status}); there is no question waiting.`);
  }

  private pump(): void {
    while (!this.closed && this.runs.size < this.options.maxParallel && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.start(this.threads.get(id)!);
    }
    if (this.runs.size === 0 && this.queue.length === 0) {
      for (const resolve of [...this.idle]) resolve();
      this.idle.clear();
    }
  }

  private start(thread: Thread): void {
    const { store, workspace, workspaceName, tools, policy, log, self, platform } = this.options;
    let model: ModelPort;
    try {
      model = this.options.resolveModel(thread.model || undefined);
    } catch (err) {
      thread.append({ type: "error", message: (err as Error).message });
      thread.setStatus("failed");
      this.pump();
      return;
    }
    const retrying = withRetry(model, {
      ...(this.options.retryBaseDelayMs !== undefined ? { baseDelayMs: this.options.retryBaseDelayMs } : {}),
      onRetry: (info) => thread.append({ type: "retry", attempt: info.attempt, inMs: info.inMs, message: formatRetry(info) }),
    });
    const mode = thread.mode;
    const run = new AgentRun({
      thread,
      store,
      model: retrying,
      tools,
      workspace,
      policy: policy.withMode(mode),
      system: () => systemPrompt({ workspace, workspaceName, mode, platform, date: new Date(this.now()) }),
      live: (event) => this.emit("live", thread.id, event),
      self,
      beforeResume: () => this.resumeGate?.(thread) ?? Promise.resolve(),
      ...(this.options.addHostRule ? { addHostRule: this.options.addHostRule } : {}),
    });
    this.runs.set(thread.id, run);
    log.info("run started", { thread: thread.id });
    void run.run().finally(() => {
      this.runs.delete(thread.id);
      log.info("run ended", { thread: thread.id, status: thread.status });
      this.pump();
    });
  }
}

/** Why a run ended when the host started again, with the commands it had running that were ended. */
export function interruptedDetail(commands: readonly string[]): string {
  const detail = "interrupted: the host stopped during this run";
  if (commands.length === 0) return detail;
  const names = commands.map((c) => `\`${c.length > 80 ? `${c.slice(0, 79)}…` : c}\``).join(", ");
  return commands.length === 1
    ? `${detail}; the command ${names} that was running was stopped`
    : `${detail}; the commands ${names} that were running were stopped`;
}
