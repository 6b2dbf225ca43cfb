// The thread panel's state in the webview: the view the extension's messages build, and
// commands sent to the extension, each answered by a reply.

import { randomId, type Command } from "../../../protocol/index";
import { taskCommands, type TaskForm } from "../threads/taskCommands";
import { Clock } from "../time/clock.svelte";
import { toPanelSchema, type FromPanel } from "./bridge";
import { LOADING, nextView, type PanelView } from "./panelModel";
import { Requests } from "./requests";

export class PanelState {
  view = $state.raw<PanelView>(LOADING);
  readonly clock = new Clock();
  readonly #requests: Requests;

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
    if (message.type === "reply") this.#requests.settle(message.id, message.reply);
    else this.view = nextView(this.view, message);
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
  async startTask(form: TaskForm): Promise<void> {
    const threadId = randomId(12);
    for (const command of taskCommands(threadId, form)) await this.command(command);
  }

  showChanges(): void {
    this.post({ type: "show-changes" });
  }
}
