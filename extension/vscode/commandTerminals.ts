// Commands run visibly: each thread's commands stream into a terminal named after the thread,
// fed by the host's own process output, so the person at the editor sees what ran on their
// machine. The terminals are read-only mirrors (typing into them does nothing) and are not
// focused when they appear.

import * as vscode from "vscode";
import type { LiveEvent } from "#protocol";
import { DisposableStore } from "../core/disposable";
import type { Thread } from "../core/threads/thread";
import type { ThreadManager } from "../core/threads/threadManager";
import type { NumberedEvent } from "../core/threads/threadStore";
import type { HostSession } from "./hostSession";

/** Terminal text: CRLF line ends, as a pseudoterminal expects. */
export function toTerminal(text: string): string {
  return text.replace(/\r?\n/g, "\r\n");
}

class ThreadTerminal {
  private readonly store = new DisposableStore();
  private readonly writer = this.store.add(new vscode.EventEmitter<string>());
  private opened = false;
  private readonly waiting: string[] = [];

  constructor(title: string) {
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writer.event,
      open: () => {
        this.opened = true;
        for (const text of this.waiting.splice(0)) this.writer.fire(text);
      },
      // The person closed it: the thread's next command opens a new one.
      close: () => this.dispose(),
    };
    this.store.add(vscode.window.createTerminal({ name: `Tether: ${title.slice(0, 40)}`, pty, isTransient: true }));
  }

  get closed(): boolean {
    return this.store.isDisposed;
  }

  write(text: string): void {
    if (this.opened) this.writer.fire(text);
    else this.waiting.push(text);
  }

  dispose(): void {
    this.store.dispose();
  }
}

export class CommandTerminals implements vscode.Disposable {
  private manager: ThreadManager | undefined;
  private readonly terminals = new Map<string, ThreadTerminal>();
  /** Running command calls: callId → threadId. */
  private readonly calls = new Map<string, string>();
  private readonly store = new DisposableStore();

  private readonly onEvent = (thread: Thread, { event }: NumberedEvent): void => {
    if (event.type === "tool-call" && event.tool === "run_command") {
      this.calls.set(event.callId, thread.id);
      const cwd = typeof event.args.cwd === "string" && event.args.cwd !== "." ? ` (in ${event.args.cwd})` : "";
      this.terminalFor(thread).write(toTerminal(`\x1b[1m$ ${String(event.args.command ?? "")}\x1b[0m${cwd}\n`));
    } else if (event.type === "tool-result" && this.calls.has(event.callId)) {
      this.calls.delete(event.callId);
      const code = event.exitCode;
      const line =
        code === 0
          ? "\x1b[32m✓ exit 0\x1b[0m"
          : code === undefined || code === null
            ? "\x1b[33m■ ended\x1b[0m"
            : `\x1b[31m✗ exit ${code}\x1b[0m`;
      this.terminalFor(thread).write(toTerminal(`${line}\n\n`));
    }
  };

  private readonly onLive = (threadId: string, event: LiveEvent): void => {
    if (event.type !== "output" || this.calls.get(event.callId) !== threadId) return;
    const thread = this.manager?.get(threadId);
    if (thread) this.terminalFor(thread).write(toTerminal(event.chunk));
  };

  constructor(session: HostSession) {
    // Undone newest first: off the manager, off the session, then the terminals close.
    this.store.defer(() => {
      for (const terminal of this.terminals.values()) terminal.dispose();
      this.terminals.clear();
    });
    this.store.add(
      session.onDidStart(({ agent }) => {
        this.unbind();
        this.manager = agent.manager;
        this.manager.on("event", this.onEvent);
        this.manager.on("live", this.onLive);
      }),
    );
    this.store.defer(() => this.unbind());
  }

  private terminalFor(thread: Thread): ThreadTerminal {
    let terminal = this.terminals.get(thread.id);
    if (!terminal || terminal.closed) {
      terminal?.dispose();
      terminal = new ThreadTerminal(thread.title);
      this.terminals.set(thread.id, terminal);
    }
    return terminal;
  }

  private unbind(): void {
    this.manager?.off("event", this.onEvent);
    this.manager?.off("live", this.onLive);
    this.calls.clear();
  }

  dispose(): void {
    this.store.dispose();
  }
}
