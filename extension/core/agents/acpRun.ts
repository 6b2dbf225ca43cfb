// A thread's run with an outside agent: it opens (or finds, or loads) the thread's session, sends
// the task, then every message that came while the agent worked as the next prompt, until there
// is none. What the agent says and does is recorded by `UpdateRecorder`; what it asks to do goes
// through `RunSide` to Tether's gate. Stop sends `session/cancel`, which answers every open
// request as cancelled; an agent that does not end its turn soon after is ended itself.

import { setTimeout as delay } from "node:timers/promises";
import type * as acp from "@agentclientprotocol/sdk";
import { TetherError, type Decision, type DeviceRef, type LiveEvent } from "#protocol";
import type { Policy } from "../agent/policy/policy";
import type { AgentWorkspace } from "../agent/tools/workspace";
import type { Hooks } from "../hooks/hooks";
import { PromptBlocked, RunHooks } from "../hooks/runHooks";
import type { Log } from "../log";
import { ApprovalGate } from "../threads/approvalGate";
import { PersonWait, Stopped, isAbort } from "../threads/personWait";
import type { ThreadRun } from "../threads/runQueue";
import type { Thread } from "../threads/thread";
import type { ThreadMeta, ThreadStore } from "../threads/threadStore";
import type { AgentExit } from "./agentProcess";
import { AgentSession } from "./agentSession";
import type { AgentDefinition } from "./catalog";
import { RunSide } from "./clientSide";
import type { HostAgents } from "./hostAgents";
import { HISTORY_DEVICE, UpdateRecorder } from "./updates";
import { AgentEdits } from "./agentEdits";

/** How long an agent has to end its turn after `session/cancel` before its process is ended. */
const CANCEL_GRACE_MS = 5000;
/** How long a failed prompt waits for the process's exit, to tell a crash from an error. */
const EXIT_WAIT_MS = 1000;

export interface AcpRunDeps {
  thread: Thread;
  store: ThreadStore;
  workspace: AgentWorkspace;
  /** The policy in the thread's mode. */
  policy: Policy;
  definition: AgentDefinition;
  agents: HostAgents;
  live: (event: LiveEvent) => void;
  self: DeviceRef;
  log: Log;
  beforeResume?: () => Promise<void>;
  addHostRule?: (rule: string, by: DeviceRef) => void;
  /** The host's hooks; without them none run. */
  hooks?: Hooks | undefined;
}

export class AcpRun implements ThreadRun {
  private readonly abort = new AbortController();
  private readonly waits: PersonWait;
  private readonly gate: ApprovalGate;
  private readonly recorder: UpdateRecorder;
  private readonly edits: AgentEdits;
  private readonly side: RunSide;
  private readonly meta: ThreadMeta;
  private readonly hooks: RunHooks;
  private session: AgentSession | undefined;
  private stopDetail: string | undefined;
  /** Updates the agent sent, to notice ones that come after its answer. */
  private updates = 0;
  /** Ends an agent that has not ended its turn soon after a Stop. */
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: AcpRunDeps) {
    const { thread, store, policy, beforeResume, addHostRule, workspace, live } = deps;
    this.meta = store.meta(thread.id);
    this.waits = new PersonWait({ thread, signal: this.abort.signal, beforeResume });
    const scope = { thread, cwd: workspace.root, mode: policy.mode, agent: deps.definition.id, signal: this.abort.signal };
    this.hooks = new RunHooks(deps.hooks, scope);
    this.gate = new ApprovalGate({ thread, store, policy, waits: this.waits, addHostRule, hooks: this.hooks.gate });
    this.edits = new AgentEdits({ thread, store, workspace });
    this.recorder = new UpdateRecorder({
      thread,
      root: workspace.root,
      live,
      ended: (callId) => {
        void this.edits
          .after(callId)
          .catch((err: unknown) => deps.log.warn("could not record an agent's edit", { error: String(err) }));
        // The agent does not wait for these: it ran the tool itself; what they say lands on the thread.
        void this.hooks.after(callId);
      },
    });
    this.side = new RunSide({
      thread,
      store,
      workspace,
      gate: this.gate,
      recorder: this.recorder,
      live,
      signal: this.abort.signal,
      edits: this.edits,
      stopped: () => this.stop(deps.self, "stopped"),
      sessionUpdate: (update) => {
        this.updates++;
        if (update.sessionUpdate === "current_mode_update") this.session?.modeChanged(update.currentModeId);
        else if (update.sessionUpdate === "config_option_update") this.session?.optionsChanged(update.configOptions);
        else return;
        this.keepUnderCeiling();
      },
    });
  }

  /** Runs to the end; never rejects. */
  async run(): Promise<void> {
    const { thread, agents, definition } = this.deps;
    thread.setStatus("running");
    let keep = false;
    try {
      const session = await this.open();
      this.session = session;
      for (;;) {
        // A Stop while the agent was starting (or between turns) sends nothing more, and leaves
        // what was not sent for the next message to carry.
        if (this.abort.signal.aborted) throw new Stopped();
        const prompt = this.nextPrompt();
        if (prompt === undefined) break;
        await this.hooks.prompt(prompt);
        const answer = await this.turn(session, prompt);
        await this.lateUpdates();
        this.recorder.endTurn();
        await this.edits.settle();
        if (this.abort.signal.aborted) throw new Stopped();
        this.ended(answer.stopReason);
      }
      thread.setStatus("done");
      keep = true;
    } catch (err) {
      this.recorder.endTurn();
      if (err instanceof PromptBlocked) {
        thread.setStatus("stopped", err.message);
        keep = true;
      } else if (isAbort(err) || this.abort.signal.aborted) {
        thread.setStatus("stopped", this.stopDetail);
        keep = true;
      } else {
        thread.append({ type: "error", message: this.failure(err) });
        thread.setStatus("failed");
        // A turn the agent ended short (a refusal, a length limit) leaves its session sound.
        keep = true;
      }
    } finally {
      // The agent ended its turn: the session it kept open is the thread's for its next message.
      clearTimeout(this.graceTimer);
      await this.side.close();
      await this.hooks.end();
      if (this.session) this.session.side = undefined;
      // A session whose process still runs waits for the next message; one whose process ended ends.
      if (keep && this.session && this.processAlive) agents.idle(thread.id);
      else await agents.end(thread.id);
      this.deps.log.info("agent run ended", { thread: thread.id, agent: definition.id, status: thread.status });
    }
  }

  stop(by: DeviceRef, detail?: string): void {
    if (this.abort.signal.aborted) return;
    this.stopDetail ??= detail ?? `stopped by ${by.name}`;
    this.waits.stopPending(by);
    this.abort.abort();
    const session = this.session;
    if (!session) return;
    session.cancel();
    // An agent that ignores the cancel is ended, so Stop always stops.
    this.graceTimer = setTimeout(() => void this.deps.agents.end(this.deps.thread.id), CANCEL_GRACE_MS);
    this.graceTimer.unref();
  }

  decide(approvalId: string, decision: Decision, message: string | undefined, by: DeviceRef, optionId?: string): void {
    this.waits.decide(approvalId, decision, message, by, optionId);
    if (decision === "stop") this.stop(by);
  }

  answer(questionId: string, text: string, by: DeviceRef): void {
    this.waits.answer(questionId, text, by);
  }

  /** The thread's open session, a new one, or its earlier one loaded in a new process. */
  private async open(): Promise<AgentSession> {
    const { thread, agents, definition, workspace, policy } = this.deps;
    const live = agents.live(thread.id);
    if (live) {
      agents.busy(thread.id);
      live.side = this.side;
      await this.allowedMode(live);
      return live;
    }
    const task = thread.events[0]?.event;
    const requestedMode = task?.type === "task" ? task.agentMode : undefined;
    const resume = this.meta.agentSession;
    const importing = this.meta.importHistory === true;
    let session: AgentSession;
    try {
      session = await AgentSession.open({
        definition,
        cwd: workspace.root,
        ceiling: policy.mode === "full-auto" ? "full-auto" : policy.mode,
        resume,
        side: this.side,
        replaying: (on) => {
          this.recorder.muted = on && !importing;
          this.recorder.importing = on && importing;
          if (!on && importing) this.recorder.endReplay();
        },
        hostName: agents.hostName,
      });
    } catch (err) {
      if (err instanceof Error && err.name === "AgentLoginNeeded") agents.needsLogin(definition, err.message);
      throw err;
    }
    agents.keep(thread.id, session);
    this.session = session;
    if (importing) {
      this.meta.importHistory = false;
      this.deps.store.saveMeta(thread.id, this.meta);
    }
    if (resume !== undefined && session.mode !== undefined && !session.allowedModes.some((m) => m.id === session.mode)) {
      // A loaded session keeps the mode it had, which may be one that runs tools unasked (set on the computer).
      const mode = session.startingMode(undefined);
      if (mode !== undefined) await session.setMode(mode);
    }
    if (resume === undefined || importing) {
      this.meta.agentSession = session.sessionId;
      this.deps.store.saveMeta(thread.id, this.meta);
      const mode = session.startingMode(requestedMode);
      if (mode !== undefined && mode !== session.mode) await session.setMode(mode);
      if (task?.type === "task" && task.model) {
        const model = session.options.find((o) => o.category === "model");
        if (model && model.value !== task.model) await session.setOption(model.id, task.model);
      }
    } else {
      await this.allowedMode(session);
    }
    agents.learn(definition, session);
    this.recorder.state({
      ...(session.mode !== undefined ? { mode: session.mode } : {}),
      modes: session.allowedModes,
      options: session.options,
    });
    return session;
  }

  /**
   * A loaded session starts in whatever mode the agent gives it, and a kept one is in whatever
   * mode it was left in, either of which may run tools unasked: it goes back under the ceiling
   * before it is prompted (or the run fails saying why).
   */
  private async allowedMode(session: AgentSession): Promise<void> {
    if (session.mode === undefined || session.allowedModes.some((m) => m.id === session.mode)) return;
    await session.setMode(session.startingMode(undefined) ?? session.mode);
  }

  /**
   * An agent may switch its own mode (leaving plan mode, say) to one that runs tools without
   * asking; where the ceiling does not allow that mode, it is switched back to the asking one.
   */
  private keepUnderCeiling(): void {
    const session = this.session;
    const mode = session?.mode;
    if (!session || mode === undefined || session.allowedModes.some((m) => m.id === mode)) return;
    const back = session.startingMode(undefined);
    if (back === undefined || back === mode) return;
    session.setMode(back).then(
      () => this.recorder.state({ mode: back }),
      (err: unknown) => this.deps.log.warn("agent mode not set back", { thread: this.deps.thread.id, error: String(err) }),
    );
  }

  /**
   * What to send next: the task, then the messages that came after what was sent last, joined.
   * Marked as sent before it goes, so a restart never sends it twice.
   */
  private nextPrompt(): string | undefined {
    const { thread, store } = this.deps;
    const through = this.meta.promptedThrough ?? 0;
    const texts: string[] = [];
    for (const { seq, event } of thread.events) {
      if (seq <= through) continue;
      if (event.type === "task") texts.push(event.text);
      // Words of a history taken over were said to the agent already, on the computer.
      else if (event.type === "user-message" && event.by.id !== HISTORY_DEVICE.id) texts.push(event.text);
    }
    if (texts.length === 0) return undefined;
    this.meta.promptedThrough = thread.lastSeq;
    store.saveMeta(thread.id, this.meta);
    return texts.join("\n\n");
  }

  /** One prompt's turn; rejects when the agent's process ends before answering. */
  private async turn(session: AgentSession, prompt: string): Promise<acp.PromptResponse> {
    const exited = session.process.exited.then((exit) => Promise.reject(new AgentExited(this.deps.definition, exit)));
    exited.catch(() => undefined);
    try {
      return await Promise.race([session.prompt(prompt), exited]);
    } catch (err) {
      if (err instanceof AgentExited) throw err;
      // The SDK fails the prompt ("connection closed") as soon as stdout ends, before the
      // process's exit is known; the exit, with its last stderr lines, is what says why.
      const exit = await Promise.race([session.process.exited, delay(EXIT_WAIT_MS, undefined, { ref: false })]);
      if (exit) throw new AgentExited(this.deps.definition, exit);
      throw err;
    }
  }

  /**
   * Waits for updates an agent sends after answering its prompt (Gemini CLI's last words can come
   * after its answer): until none came for a moment, at most half a second.
   */
  private async lateUpdates(): Promise<void> {
    const quietMs = 60;
    const until = Date.now() + 500;
    let seen = this.updates;
    do {
      await new Promise((r) => setTimeout(r, quietMs));
      if (this.updates === seen) return;
      seen = this.updates;
    } while (Date.now() < until);
  }

  /** A turn's stop reason: `end_turn` goes on; the others end the run as the agent said. */
  private ended(reason: acp.StopReason): void {
    const name = this.deps.definition.name;
    if (reason === "end_turn") return;
    if (reason === "cancelled") throw new Stopped();
    if (reason === "max_tokens") throw new TetherError("internal", `${name} stopped: its answer reached its length limit.`);
    if (reason === "max_turn_requests")
      throw new TetherError("internal", `${name} stopped: it reached its limit of steps in one turn.`);
    if (reason === "refusal") throw new TetherError("internal", `${name} declined to go on with this request.`);
  }

  private get processAlive(): boolean {
    const p = this.session?.process;
    return p !== undefined && this.deps.agents.live(this.deps.thread.id) === this.session;
  }

  private failure(err: unknown): string {
    if (err instanceof TetherError || err instanceof AgentExited) return err.message;
    if (err instanceof Error && ["AgentStartError", "AgentLoginNeeded", "CannotResume"].includes(err.name)) return err.message;
    const message = err instanceof Error ? err.message : String(err);
    return `${this.deps.definition.name} failed: ${message}`;
  }
}

/** The agent's process ended while a turn was running. */
class AgentExited extends Error {
  constructor(definition: AgentDefinition, exit: AgentExit) {
    super(
      `${definition.name} exited during its turn (${exit.signal ?? `code ${exit.code}`})` +
        (exit.stderr ? `. Its last words:\n${exit.stderr}` : "."),
    );
    this.name = "AgentExited";
  }
}
