// The agents of one host and their live sessions: which agents there are and which are installed
// (what the phones are told), what each offered the last time a session started (its modes under
// the ceiling, its models, whether it needs a login), and each thread's open session, kept while
// the thread may go on and ended when it ends, when it sits idle too long, or when the host stops.

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import * as acp from "@agentclientprotocol/sdk";
import {
  BUILTIN_AGENT,
  ErrorCode,
  MAX_AGENT_SESSIONS,
  TetherError,
  type AgentChoice,
  type AgentInfo,
  type AgentSessionsResult,
} from "#protocol";
import type { Log } from "../log";
import { AgentProcess } from "./agentProcess";
import type { AgentSession } from "./agentSession";
import type { AgentDefinition } from "./catalog";

/** An open session with nothing running ends after this long. */
export const IDLE_SESSION_MS = 30 * 60_000;

export interface HostAgentsOptions {
  definitions: readonly AgentDefinition[];
  /** The agent a task runs with when it names none (Tether's own when absent). */
  defaultAgent?: string | undefined;
  /** The computer's name, for what a login needs. */
  hostName: string;
  log: Log;
  idleMs?: number;
  /** PATH to look agents up in (the host's own by default). */
  path?: string;
}

interface Learnt {
  modes?: AgentChoice[];
  models?: AgentChoice[];
  login?: string;
}

export class HostAgents {
  private readonly sessions = new Map<string, AgentSession>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  private readonly learnt = new Map<string, Learnt>();
  private readonly changeListeners = new Set<() => void>();
  private closed = false;

  constructor(private options: HostAgentsOptions) {}

  get hostName(): string {
    return this.options.hostName;
  }

  get defaultAgent(): string {
    return this.options.defaultAgent ?? BUILTIN_AGENT;
  }

  /**
   * Other agents from now on (the editor's settings changed): new tasks choose among these, and
   * phones are told; sessions already open go on with the agent they started with.
   */
  configure(definitions: readonly AgentDefinition[], defaultAgent: string | undefined): void {
    this.options = { ...this.options, definitions, defaultAgent };
    for (const listener of this.changeListeners) listener();
  }

  definition(id: string): AgentDefinition | undefined {
    return this.options.definitions.find((d) => d.id === id);
  }

  /** What the phones are told: Tether's own first, then each outside agent, installed or not. */
  list(): AgentInfo[] {
    const builtin: AgentInfo = { id: BUILTIN_AGENT, name: "Tether", installed: true };
    return [
      builtin,
      ...this.options.definitions.map((d) => {
        const learnt = this.learnt.get(d.id) ?? {};
        const installed = this.installed(d);
        return {
          id: d.id,
          name: d.name,
          installed,
          ...(!installed && d.install ? { install: d.install } : {}),
          ...(learnt.login ? { login: learnt.login.slice(0, 500) } : {}),
          ...(learnt.modes && learnt.modes.length > 0 ? { modes: learnt.modes.slice(0, 40) } : {}),
          ...(learnt.models && learnt.models.length > 0 ? { models: learnt.models.slice(0, 200) } : {}),
        };
      }),
    ];
  }

  /** Calls `listener` when what `list()` says changed (a session taught it an agent's modes, a login). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** The agent's program is on this computer. */
  installed(definition: AgentDefinition): boolean {
    return findProgram(definition.command[0] ?? "", this.options.path ?? process.env.PATH ?? "") !== undefined;
  }

  /** A session of the agent started: what it offers is what phones are offered next. */
  learn(definition: AgentDefinition, session: AgentSession): void {
    const next: Learnt = { modes: session.allowedModes, models: session.models };
    this.setLearnt(definition.id, next);
  }

  /** The agent answered that it needs a login. */
  needsLogin(definition: AgentDefinition, message: string): void {
    this.setLearnt(definition.id, { ...this.learnt.get(definition.id), login: message });
  }

  /**
   * The agent's own sessions in `cwd`, newest first (ACP `session/list`), from a process started
   * for the question and ended after it. `listed` is false when the agent cannot list them.
   */
  async listSessions(id: string, cwd: string): Promise<AgentSessionsResult> {
    const definition = this.definition(id);
    if (!definition) throw new TetherError(ErrorCode.NotFound, `There is no agent "${id}" on this computer.`);
    if (!this.installed(definition)) {
      throw new TetherError(ErrorCode.NotFound, `${definition.name} is not installed on this computer.`);
    }
    const proc = await AgentProcess.start({ definition, cwd, side: () => undefined }).catch((err: unknown) => {
      throw new TetherError(ErrorCode.Internal, (err as Error).message);
    });
    try {
      if (!proc.init.agentCapabilities?.sessionCapabilities?.list)
        return { type: "agent-sessions", agent: id, listed: false, sessions: [] };
      const sessions: AgentSessionsResult["sessions"] = [];
      let cursor: string | undefined;
      do {
        const page = await proc.agent.request(acp.methods.agent.session.list, { cwd, ...(cursor ? { cursor } : {}) });
        for (const s of page.sessions) {
          const updated = s.updatedAt ? Date.parse(s.updatedAt) : NaN;
          sessions.push({
            sessionId: s.sessionId.slice(0, 200),
            ...(s.title ? { title: s.title.slice(0, 300) } : {}),
            ...(Number.isFinite(updated) ? { updatedAt: updated } : {}),
          });
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor && sessions.length < MAX_AGENT_SESSIONS);
      sessions.sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
      return { type: "agent-sessions", agent: id, listed: true, sessions: sessions.slice(0, MAX_AGENT_SESSIONS) };
    } catch (err) {
      if (err instanceof TetherError) throw err;
      throw new TetherError(ErrorCode.Internal, `${definition.name} could not list its sessions: ${(err as Error).message}`);
    } finally {
      await proc.close();
    }
  }

  live(threadId: string): AgentSession | undefined {
    return this.sessions.get(threadId);
  }

  /** Keeps the thread's session; a run uses it, so it is not idle. Ends one already kept for the thread. */
  keep(threadId: string, session: AgentSession): void {
    if (this.closed) {
      void session.close();
      return;
    }
    const before = this.sessions.get(threadId);
    if (before && before !== session) void before.close();
    this.sessions.set(threadId, session);
    this.busy(threadId);
    // A session whose process ended (it crashed, it was killed while idle) is no longer open:
    // the thread's next message starts a new process and loads the session there.
    void session.process.exited.then(() => {
      if (this.sessions.get(threadId) !== session) return;
      this.busy(threadId);
      this.sessions.delete(threadId);
      this.options.log.info("agent process ended, session dropped", { thread: threadId });
    });
  }

  /** A run is using the session: it does not end for being idle. */
  busy(threadId: string): void {
    clearTimeout(this.idleTimers.get(threadId));
    this.idleTimers.delete(threadId);
  }

  /** The thread's run ended with the session open: it ends after a while with nothing to do. */
  idle(threadId: string): void {
    if (!this.sessions.has(threadId)) return;
    this.busy(threadId);
    const timer = setTimeout(() => {
      this.options.log.info("agent session idle, ended", { thread: threadId });
      void this.end(threadId);
    }, this.options.idleMs ?? IDLE_SESSION_MS);
    timer.unref();
    this.idleTimers.set(threadId, timer);
  }

  /** Ends the thread's session and its process, if one is open. */
  async end(threadId: string): Promise<void> {
    this.busy(threadId);
    const session = this.sessions.get(threadId);
    if (!session) return;
    this.sessions.delete(threadId);
    await session.close();
  }

  /** Ends every session (the host stops); sessions kept after this are ended at once. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id)));
  }

  /** Open sessions, for the dashboard and the bench. */
  get openSessions(): number {
    return this.sessions.size;
  }

  private setLearnt(id: string, next: Learnt): void {
    const before = JSON.stringify(this.learnt.get(id) ?? {});
    this.learnt.set(id, next);
    if (JSON.stringify(next) !== before) for (const listener of this.changeListeners) listener();
  }
}

/** The program's path when it is an executable file on `path` (or the path it names itself). */
export function findProgram(program: string, path: string): string | undefined {
  if (!program) return undefined;
  const candidates =
    isAbsolute(program) || program.includes("/")
      ? [program]
      : path
          .split(delimiter)
          .filter(Boolean)
          .flatMap((dir) =>
            process.platform === "win32"
              ? ["", ".cmd", ".exe", ".bat"].map((ext) => join(dir, program + ext))
              : [join(dir, program)],
          );
  for (const candidate of candidates) {
    try {
      // A folder is "executable" (searchable) too, but no program.
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
