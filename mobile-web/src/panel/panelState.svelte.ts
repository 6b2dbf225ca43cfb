// The thread panel's state in the webview: the view the extension's messages build, and
// commands sent to the extension, each answered by a reply.

import { randomId, type Command, type ThreadSummary } from "#protocol";
import { taskCommands, type TaskForm } from "../threads/taskCommands";
import { Clock } from "../time/clock.svelte";
import { toPanelSchema, type ContextItem, type FromPanel, type TaskAgent } from "#protocol/panel";
import { LOADING, nextView, withAgent, withWorktree, type PanelView } from "./panelModel";
import { Requests } from "./requests";

export class PanelState {
  view = $state.raw<PanelView>(LOADING);
  readonly clock = new Clock();
  readonly #requests: Requests;
  /** The sidebar's: this workspace's threads, newest first. */
  recent = $state.raw<readonly ThreadSummary[]>([]);
  /** The sidebar's: what "Ask Tether about this" attached, not yet taken by the composer. */
  context = $state.raw<readonly ContextItem[]>([]);
  /** The agent the new-task form chose (AgentPicker), with its mode and model; null: the host's default. */
  taskAgent = $state.raw<TaskAgent | null>(null);
  /** "Run in its own worktree" as the person set it in the form; null: the form's default. */
  worktree = $state<boolean | null>(null);
  /** Counts the extension's requests to focus the composer; the composer focuses on each change. */
  focusCount = $state(0);
  // Pending answers, not state anything shows: a plain Map.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #files = new Map<string, (paths: string[]) => void>();

  constructor(private readonly post: (message: FromPanel) => void) {
    this.#requests = new Requests(post);
  }

  /** A message from the extension; anything that does not parse is dropped. */
  receive(data: unknown): void {
    const parsed = toPanelSchema.safeParse(data);
    if (!parsed.success) {
      console.warn("Tether: the panel ignored a message it does not understand");
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case "reply":
        this.#requests.settle(message.id, message.reply);
        return;
      case "recent":
        this.recent = message.threads;
        return;
      case "files":
        this.#files.get(message.id)?.(message.paths);
        this.#files.delete(message.id);
        return;
      case "context":
        this.context = [...this.context, ...message.items];
        this.focusCount++;
        return;
      case "focus":
        this.focusCount++;
        return;
      default:
        this.view = nextView(this.view, message);
    }
  }

  /** The workspace's files for `@` completion (the editor's list, capped and with its excludes). */
  findFiles(): Promise<string[]> {
    const id = randomId(9);
    return new Promise((resolve) => {
      this.#files.set(id, resolve);
      this.post({ type: "find-files", id });
    });
  }

  /** Takes the attached context: the composer holds it from now on. */
  takeContext(): ContextItem[] {
    const items = [...this.context];
    this.context = [];
    return items;
  }

  /** Shows a thread here, or (null) the new-task composer. */
  showThread(threadId: string | null): void {
    this.post({ type: "show-thread", threadId });
  }

  /** Opens the thread shown here as an editor tab. */
  openTab(): void {
    this.post({ type: "open-tab" });
  }

  /** Tells the extension the panel is up, so it sends what to show. */
  ready(): void {
    this.post({ type: "ready" });
  }

  /** Sends a command; rejects with the host's words when it was refused. */
  command(command: Command): Promise<void> {
    return this.#requests.send(command);
  }

  /** Sends a new task's attachments, then the task; the extension then shows its thread here. */
  async startTask(form: TaskForm, agent: TaskAgent | null = this.taskAgent): Promise<void> {
    const threadId = randomId(12);
    const view = this.view;
    for (const command of taskCommands(threadId, form))
      await this.command(withWorktree(withAgent(command, agent), view, this.worktree));
    this.worktree = null;
  }

  showChanges(): void {
    this.post({ type: "show-changes" });
  }

  /** The thread's worktree: its folder in a new window, or the choice to merge, keep or discard it. */
  worktreeAction(action: "open-folder" | "end"): void {
    this.post({ type: "worktree", action });
  }
}
