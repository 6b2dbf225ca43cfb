// Phone → host commands and the host's inbox. Every command is stored before it is sent, and
// deleted only when the host acknowledged it, so a task sent to a sleeping desktop waits for
// it. Deliveries to one host go through one queue per relay process, so the host sees commands
// in the order the relay took them in; the host itself applies each command id at most once.
//
// Several relay processes on one store may each flush the same host's inbox at once (a phone
// on one sends while the host reconnects to another). Each flusher sends the inbox in order and
// moves to the next command only once the host acknowledged the one before (or it was deleted,
// which only an acknowledgement does), so no command reaches the host before every command
// ahead of it has. A command may arrive twice; the host answers a repeat with the reply it gave
// the first time without applying it again. At least once, in order, applied once.

import {
  ErrorCode,
  commandRequestSchema,
  emptySchema,
  failure,
  type AnswerOf,
  type CommandRequest,
  type HostAnswer,
} from "#protocol";
import type { InboxRow } from "../store/store";
import type { HandlerContext } from "../socket/context";
import type { HostTarget } from "../socket/hostSockets";
import type { Router } from "../socket/router";

/** How long the relay waits for a host to acknowledge one command. */
export const COMMAND_ACK_TIMEOUT_MS = 15_000;
const FLUSH_BATCH = 100;

type Outcome = HostAnswer;

export class Inbox {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Commands whose senders wait for the host's answer, by host and id, with the answer once it came. */
  private readonly waiting = new Map<string, { calls: number; outcome: Outcome | undefined }>();

  constructor(
    private readonly ctx: HandlerContext,
    private readonly ackTimeoutMs = COMMAND_ACK_TIMEOUT_MS,
  ) {}

  /** Sends a host everything waiting for it, in order. */
  flush(hostId: string): Promise<void> {
    return this.inTurn(hostId, () => this.sendPending(hostId));
  }

  /**
   * Delivers a command just stored; resolves with the host's answer, or undefined when it stays
   * queued. When nothing waited for its host before it (the store said `alone`: every earlier
   * command was acknowledged), nothing is on its way to that host from this process, and the
   * host's newest socket is here, the command is sent as it is: reading the inbox back would
   * find only it. Otherwise the inbox is flushed. A command stored meanwhile by this process
   * flushes after this one; one stored by another process is flushed by that process, which may
   * send this one again (the host answers a repeat without applying it).
   */
  async deliver(row: InboxRow, alone: boolean): Promise<Outcome | undefined> {
    // A flush queued before this one may deliver the command: its answer is kept for this call.
    const key = `${row.hostId} ${row.id}`;
    const waiting = this.waiting.get(key) ?? { calls: 0, outcome: undefined };
    waiting.calls++;
    this.waiting.set(key, waiting);
    try {
      const local = alone && !this.queues.has(row.hostId) ? this.ctx.hosts.local(row.hostId) : undefined;
      if (!local) {
        await this.flush(row.hostId);
        return waiting.outcome;
      }
      await this.inTurn(row.hostId, async () => {
        const outcome = await this.send(row, { local });
        if (outcome) await this.settle(row, outcome);
      });
      return waiting.outcome;
    } finally {
      if (--waiting.calls === 0) this.waiting.delete(key);
    }
  }

  /** Runs `work` after every delivery to the host this process has started before it. */
  private inTurn(hostId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(hostId) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.catch(() => undefined);
    this.queues.set(hostId, tail);
    void tail.then(() => {
      if (this.queues.get(hostId) === tail) this.queues.delete(hostId);
    });
    return run;
  }

  private async sendPending(hostId: string): Promise<void> {
    for (;;) {
      const batch = await this.ctx.store.pendingCommands(hostId, FLUSH_BATCH);
      if (batch.length === 0) return;
      for (const row of batch) {
        const outcome = await this.send(row);
        if (!outcome) return;
        await this.settle(row, outcome);
      }
    }
  }

  /** The host acknowledged the command: it leaves the inbox, and its sender gets the answer. */
  private async settle(row: InboxRow, outcome: Outcome): Promise<void> {
    await this.ctx.store.deleteCommand(row.hostId, row.id);
    const waiting = this.waiting.get(`${row.hostId} ${row.id}`);
    if (waiting) waiting.outcome = outcome;
    if (!outcome.ok) this.ctx.log.warn("host refused a command", { host: row.hostId, command: row.id, code: outcome.code });
  }

  /** One command to the host; undefined when it is offline or did not answer in time. */
  private async send(row: InboxRow, to?: HostTarget): Promise<Outcome | undefined> {
    const { hosts, log } = this.ctx;
    const target = to ?? (await hosts.target(row.hostId));
    if (!target) return undefined;
    let answer: HostAnswer | undefined;
    try {
      answer = await hosts.ask(target, "command", { from: row.from, id: row.id, box: row.box, at: row.at }, this.ackTimeoutMs);
    } catch {
      log.warn("host did not acknowledge a command in time", { host: row.hostId, command: row.id });
      return undefined;
    }
    return answer;
  }
}

/**
 * Takes a phone's command, from its socket or from `POST /api/command`: stored in the host's
 * inbox first, then delivered with whatever waited before it. Answers the host's sealed reply,
 * or `queued` when the host is offline or slow (the command stays in the inbox).
 */
export async function submitCommand(
  ctx: HandlerContext,
  inbox: Inbox,
  from: string,
  req: CommandRequest,
): Promise<AnswerOf<"command">> {
  // The link is checked in the same step as the write: a command never lands after a revocation.
  const row: InboxRow = { hostId: req.hostId, id: req.id, from, box: req.box, at: ctx.now() };
  const stored = await ctx.store.enqueueCommand(row);
  if (stored === "unlinked") return failure(ErrorCode.Forbidden, "This phone is not paired with that host.");
  const outcome = await inbox.deliver(row, stored === "alone");
  if (!outcome) return { ok: true, queued: true };
  if (!outcome.ok) return outcome;
  return { ok: true, queued: false, box: outcome.box };
}

export function registerCommandHandlers(ctx: HandlerContext, router: Router, inbox: Inbox): void {
  router.on("command", commandRequestSchema, ["phone"], (socket, req) => submitCommand(ctx, inbox, socket.data.device!.id, req));

  router.on("inbox:flush", emptySchema, ["host"], async (socket) => {
    await inbox.flush(socket.data.device!.id);
    return { ok: true };
  });
}
