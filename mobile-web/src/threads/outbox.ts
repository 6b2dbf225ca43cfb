// The phone's outbox: every command (a task, a message, an answer, a decision, a stop) is kept
// here, on disk, from the moment the person makes it until the relay took it. A command made
// while the relay cannot be reached stays, survives a reload, and is sent when the connection
// is back: in the order it was made, with the id it was made with, so the host's at-most-once
// (per phone and id) holds when a command is sent again after an answer that never arrived.

import { TetherError, type Command } from "#protocol";
import type { CommandOutcome } from "../link/commands";

export interface OutboxItem {
  /** The command id, fixed when the command is made: a resend carries the same one. */
  id: string;
  hostId: string;
  /** The thread the command is about. */
  threadId: string;
  /** Order among this phone's commands, made from a counter, never reused. */
  order: number;
  /** When the person made it; sealed inside the command as its `sentAt` (see `sendCommand`). */
  madeAt: number;
  command: Command;
  /** Set when the relay or host refused it after it waited here: shown, kept for editing. */
  refused?: string;
}

/** Where the outbox keeps its items (IndexedDB in the app, a map in tests). */
export interface OutboxStorage {
  all(): Promise<OutboxItem[]>;
  put(item: OutboxItem): Promise<void>;
  delete(id: string): Promise<void>;
}

/** Thrown by a send that could not leave the phone: the relay is not reachable now. */
export class UnreachableError extends Error {
  constructor() {
    super("The relay cannot be reached.");
    this.name = "UnreachableError";
  }
}

/**
 * What became of one command: applied or queued at the relay for a sleeping computer; kept here
 * because nothing could leave the phone; refused, with the reason in words.
 */
export type SendResult =
  { kind: "sent"; outcome: CommandOutcome } | { kind: "unsent" } | { kind: "refused"; error: TetherError | Error };

export interface OutboxDeps {
  storage: OutboxStorage;
  /** Sends one item with its own id and time; throws {@link UnreachableError} when nothing left. */
  send(item: OutboxItem): Promise<CommandOutcome>;
  now(): number;
  /** Told after every change, with every item in order. */
  changed(items: readonly OutboxItem[]): void;
  /** Told when an item that waited here went through. */
  sent?(item: OutboxItem, outcome: CommandOutcome): void;
}

/** Items in the order they were made. */
export function inOrder(items: readonly OutboxItem[]): OutboxItem[] {
  return [...items].sort((a, b) => a.order - b.order);
}

/** The hosts that have items waiting to be sent, each once. */
export function waitingHosts(items: readonly OutboxItem[]): string[] {
  return [...new Set(items.filter((i) => i.refused === undefined).map((i) => i.hostId))];
}

/** Items that wait to be sent to `hostId` (refused ones wait for the person instead). */
export function waiting(items: readonly OutboxItem[], hostId: string): OutboxItem[] {
  return inOrder(items.filter((i) => i.hostId === hostId && i.refused === undefined));
}

export class Outbox {
  #items: OutboxItem[] = [];
  #counter = 0;
  /** One send at a time per host, so its commands leave in the order they were made. */
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: OutboxDeps) {}

  get items(): readonly OutboxItem[] {
    return this.#items;
  }

  async load(): Promise<void> {
    this.#items = inOrder(await this.deps.storage.all());
    this.#counter = Math.max(0, ...this.#items.map((i) => i.order));
    this.deps.changed(this.#items);
  }

  /**
   * Keeps the commands (in this order) and sends them after whatever waits before them. Answers
   * what became of the last one; a refusal here is answered, not kept: the person is looking at
   * the form that made it and keeps the text there.
   */
  async submit(hostId: string, threadId: string, ids: readonly string[], commands: readonly Command[]): Promise<SendResult> {
    const madeAt = this.deps.now();
    const items = commands.map((command, i): OutboxItem => {
      this.#counter += 1;
      return { id: ids[i]!, hostId, threadId, order: this.#counter, madeAt, command };
    });
    for (const item of items) await this.deps.storage.put(item);
    this.#set([...this.#items, ...items]);
    const results = await this.flush(hostId);
    let last: SendResult = { kind: "unsent" };
    for (const item of items) {
      const result = results.get(item.id) ?? { kind: "unsent" };
      if (result.kind === "refused") {
        // Refused while the person waits: the rest of this submission is dropped with it.
        for (const other of items) await this.#remove(other.id);
        return result;
      }
      last = result;
    }
    return last;
  }

  /**
   * Sends what waits for `hostId`, oldest first. Stops at the first that cannot leave the phone
   * (the rest keep their order for the next try); a refused item is marked and the next goes on.
   */
  flush(hostId: string): Promise<Map<string, SendResult>> {
    const run = (this.#chains.get(hostId) ?? Promise.resolve()).then(() => this.#flush(hostId));
    this.#chains.set(
      hostId,
      run.catch(() => undefined),
    );
    return run;
  }

  /**
   * The person withdrew an item that has not gone. A task takes along what was made for its
   * thread (its attachments, messages to it): without the task they mean nothing. Answers the
   * withdrawn item.
   */
  async cancel(id: string): Promise<OutboxItem | undefined> {
    const item = this.#items.find((i) => i.id === id);
    if (!item) return undefined;
    const along =
      item.command.type === "new-task"
        ? this.#items.filter((i) => i.hostId === item.hostId && i.threadId === item.threadId)
        : [item];
    for (const other of along) await this.#remove(other.id);
    return item;
  }

  async #flush(hostId: string): Promise<Map<string, SendResult>> {
    const results = new Map<string, SendResult>();
    for (const item of waiting(this.#items, hostId)) {
      // Cancelled while an earlier one was on its way.
      if (!this.#items.some((i) => i.id === item.id)) continue;
      try {
        const outcome = await this.deps.send(item);
        await this.#remove(item.id);
        results.set(item.id, { kind: "sent", outcome });
        this.deps.sent?.(item, outcome);
      } catch (error) {
        if (error instanceof UnreachableError) {
          results.set(item.id, { kind: "unsent" });
          break;
        }
        const refused = { ...item, refused: error instanceof Error ? error.message : "That did not go through." };
        await this.deps.storage.put(refused);
        this.#set(this.#items.map((i) => (i.id === item.id ? refused : i)));
        results.set(item.id, { kind: "refused", error: error instanceof Error ? error : new Error(refused.refused) });
      }
    }
    return results;
  }

  async #remove(id: string): Promise<void> {
    if (!this.#items.some((i) => i.id === id)) return;
    await this.deps.storage.delete(id);
    this.#set(this.#items.filter((i) => i.id !== id));
  }

  #set(items: OutboxItem[]): void {
    this.#items = inOrder(items);
    this.deps.changed(this.#items);
  }
}

/** Words for a command that waits, for the list of what is not sent yet. */
export function describeItem(command: Command): string {
  switch (command.type) {
    case "new-task":
      return `Task: ${command.text}`;
    case "message":
      return `Message: ${command.text}`;
    case "answer":
      return `Answer: ${command.text}`;
    case "decide":
      return `Decision: ${command.decision}`;
    case "attach":
      return `Attachment: ${command.name}`;
    case "stop":
      return "Stop the run";
    case "revert":
      return "Revert the changes";
    default:
      return "A command";
  }
}

/** A task or message can go back to the field it was typed in, to be changed and sent anew. */
export function editable(command: Command): boolean {
  return command.type === "new-task" || command.type === "message";
}
