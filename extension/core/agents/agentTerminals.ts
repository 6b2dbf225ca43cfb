// The terminals an outside agent runs through Tether (`terminal/*`): each command line runs
// through the host's process runner in its own process group, its output kept for the agent and
// sent live under the tool call that shows it, and Stop (or the run's end) kills it. Whether a
// command may run is the caller's to decide, through the gate, before `create`.

import * as acp from "@agentclientprotocol/sdk";
import type { LiveEvent } from "#protocol";
import type { RunResult } from "../agent/tools/ports";
import type { AgentWorkspace } from "../agent/tools/workspace";
import type { Thread } from "../threads/thread";
import type { UpdateRecorder } from "./updates";

/** Longest a terminal the agent starts may run. */
const TERMINAL_TIMEOUT_MS = 30 * 60_000;
/** Output a terminal keeps for `terminal/output` when the agent sets no limit. */
const TERMINAL_OUTPUT_BYTES = 1024 * 1024;

interface Terminal {
  output: string;
  truncated: boolean;
  limit: number;
  exit: RunResult | undefined;
  /** Its output has gone live under the call that shows it (until then it is only kept). */
  shown: boolean;
  done: Promise<RunResult>;
  abort: AbortController;
}

export interface TerminalDeps {
  workspace: AgentWorkspace;
  thread: Thread;
  recorder: UpdateRecorder;
  live: (event: LiveEvent) => void;
  /** The run's signal: a stop kills every terminal. */
  signal: AbortSignal;
}

export class AgentTerminals {
  private readonly terminals = new Map<string, Terminal>();
  private nextTerminal = 1;

  constructor(private readonly deps: TerminalDeps) {}

  /** A fresh terminal id, for the gate to name the call before the terminal starts. */
  nextId(): string {
    return `term-${this.nextTerminal++}`;
  }

  /** Starts `line` in the workspace folder `cwd` (relative) as terminal `terminalId`. */
  create(terminalId: string, line: string, cwd: string, params: acp.CreateTerminalRequest): void {
    const { workspace, thread, signal } = this.deps;
    const abort = new AbortController();
    const onStop = (): void => abort.abort();
    signal.addEventListener("abort", onStop, { once: true });
    const env = Object.fromEntries((params.env ?? []).map((v) => [v.name, v.value]));
    const terminal: Terminal = {
      output: "",
      truncated: false,
      limit: params.outputByteLimit ?? TERMINAL_OUTPUT_BYTES,
      exit: undefined,
      shown: false,
      abort,
      done: Promise.resolve(undefined as never),
    };
    terminal.done = workspace
      .runCommand({
        command: line,
        cwd,
        timeoutMs: TERMINAL_TIMEOUT_MS,
        signal: abort.signal,
        env,
        threadId: thread.id,
        onOutput: (chunk) => {
          terminal.output += chunk;
          if (Buffer.byteLength(terminal.output) > terminal.limit) {
            terminal.truncated = true;
            terminal.output = terminal.output.slice(-terminal.limit);
          }
          this.showOutput(terminalId, terminal, chunk);
        },
      })
      .then((result) => {
        terminal.exit = result;
        signal.removeEventListener("abort", onStop);
        return result;
      });
    this.terminals.set(terminalId, terminal);
  }

  output(id: string): acp.TerminalOutputResponse {
    const t = this.terminal(id);
    return { output: t.output, truncated: t.truncated, ...(t.exit ? { exitStatus: exitStatus(t.exit) } : {}) };
  }

  async waitForExit(id: string): Promise<acp.WaitForTerminalExitResponse> {
    return exitStatus(await this.terminal(id).done);
  }

  kill(id: string): void {
    this.terminal(id).abort.abort();
  }

  release(id: string): void {
    this.terminal(id).abort.abort();
    this.terminals.delete(id);
  }

  /** After an update: output kept for a terminal whose tool call the agent has now named goes live. */
  showPending(): void {
    for (const [id, terminal] of this.terminals) if (!terminal.shown) this.showOutput(id, terminal, "");
  }

  /** Kills every terminal still running (the run ended) and waits for them to end. */
  async close(): Promise<void> {
    const running = [...this.terminals.values()];
    this.terminals.clear();
    for (const t of running) t.abort.abort();
    await Promise.all(running.map((t) => t.done));
  }

  /**
   * Sends a terminal's new output live under the call that shows it. Agents name that call only
   * after the terminal exists, so what it wrote before then goes out, kept, once the call is known.
   */
  private showOutput(terminalId: string, terminal: Terminal, chunk: string): void {
    const callId = this.deps.recorder.callOfTerminal(terminalId);
    if (!callId) return;
    const text = terminal.shown ? chunk : terminal.output;
    terminal.shown = true;
    if (text) this.deps.live({ type: "output", callId, chunk: text });
  }

  private terminal(id: string): Terminal {
    const t = this.terminals.get(id);
    if (!t) throw acp.RequestError.invalidParams(undefined, `There is no terminal ${id}.`);
    return t;
  }
}

function exitStatus(result: RunResult): acp.TerminalExitStatus {
  return { exitCode: result.exitCode, signal: result.signal };
}
