// Commands from the panel to the extension, each answered by a `reply` with its id: the
// promise of a command settles with the reply, rejecting with the host's words when refused.

import { TetherError, randomId, type Command, type CommandReply } from "#protocol";
import type { FromPanel } from "#protocol/panel";

export class Requests {
  readonly #pending = new Map<string, { resolve: () => void; reject: (err: Error) => void }>();

  constructor(private readonly post: (message: FromPanel) => void) {}

  send(command: Command): Promise<void> {
    const id = randomId(9);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.post({ type: "command", id, command });
    });
  }

  /** Settles the command `id`; a reply to nothing sent (or sent twice) is ignored. */
  settle(id: string, reply: CommandReply): void {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    if (reply.ok) pending?.resolve();
    else pending?.reject(new TetherError(reply.code, reply.message));
  }

  get waiting(): number {
    return this.#pending.size;
  }
}
