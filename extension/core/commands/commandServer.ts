// Takes phones' commands from the relay (live, or from the inbox after a reconnect), opens
// and checks them, applies each command id at most once, and answers with a sealed reply.
//
// At most once, across restarts and crashes: the relay deletes a command from the host's inbox
// only when the host acknowledges it, and sends it again otherwise. So the host acknowledges a
// command only once its id (with the reply it got) and every event applying it appended are on
// disk: `store.flushed()` is awaited before the answer. A host killed after the ack finds the
// id in applied.jsonl on restart and answers a repeat with the same reply, without applying it.
// The state writer puts thread events on disk before applied.jsonl, so a host killed during
// that write either has the id or never acknowledged it; in the second case the repeat meets
// what the first delivery left (a decision already recorded, a thread that exists) and is
// refused or ignored by the thread manager rather than applied again.

import {
  ErrorCode,
  TetherError,
  commandForwardSchema,
  commandReplySchema,
  commandSchema,
  failure,
  open,
  seal,
  sealContext,
  type Ack,
  type Box,
  type Command,
  type CommandForward,
  type CommandReply,
  type DeviceRef,
} from "../../../protocol/index";
import type { HostIdentity } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";
import type { ThreadManager } from "../threads/threadManager";
import type { Applied, ThreadStore } from "../threads/threadStore";

/** How many applied command ids are remembered to refuse repeats. */
const REMEMBER_APPLIED = 2000;

export class CommandServer {
  private readonly applied: Applied;
  private readonly appliedIds = new Map<string, CommandReply>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly link: RelayLink,
    private readonly identity: HostIdentity,
    private readonly threads: ThreadManager,
    private readonly store: ThreadStore,
    private readonly log: Log,
  ) {
    this.applied = store.applied();
    for (const { id, reply } of this.applied) {
      const parsed = commandReplySchema.safeParse(reply);
      if (parsed.success) this.appliedIds.set(id, parsed.data);
    }
    while (this.applied.length > REMEMBER_APPLIED) this.appliedIds.delete(this.applied.shift()!.id);
    link.socket.on("command", (payload, reply) => {
      if (typeof reply !== "function") return;
      const parsed = commandForwardSchema.safeParse(payload);
      if (!parsed.success) {
        reply(failure(ErrorCode.BadRequest, "malformed command"));
        return;
      }
      // One at a time, in the order the relay sent them.
      const next = this.chain.then(() => this.receive(parsed.data));
      this.chain = next.catch(() => undefined);
      void next.then(reply, (err: Error) => reply(failure(ErrorCode.Internal, err.message)));
    });
    // Ready for commands: ask the relay for what waited while this host was away.
    link.on("hello", () => {
      void link.request("inbox:flush", {}).then((answer) => {
        if (!answer.ok) log.warn("could not fetch waiting commands", { code: answer.code });
      });
    });
  }

  async receive(req: CommandForward): Promise<Ack<{ box: Box }>> {
    const hostId = this.link.deviceId;
    const phone = this.identity.phones(this.link.relay).find((p) => p.id === req.from);
    if (!phone) return failure(ErrorCode.Forbidden, "This phone is not paired with this host.");
    const key = this.identity.contentKey(req.box.e);
    if (!key) return failure(ErrorCode.BadSeal, "sealed with a key this host does not have");
    let command: Command;
    try {
      command = commandSchema.parse(await open(key, req.box, sealContext.command(hostId, req.from, req.id)));
    } catch {
      this.log.warn("refused a command that did not open", { phone: req.from });
      return failure(ErrorCode.BadSeal, "the command could not be opened or read");
    }
    let reply = this.appliedIds.get(req.id);
    if (!reply) {
      reply = await this.apply(command, { id: phone.id, name: phone.name });
      this.remember(req.id, reply);
    }
    const sealing = seal(
      this.identity.contentKey()!,
      this.identity.epoch,
      reply,
      sealContext.commandReply(hostId, req.from, req.id),
    );
    sealing.catch(() => undefined); // awaited below, unless the flush fails first
    try {
      await this.store.flushed();
    } catch (err) {
      // Applied here but not saved: the sender hears so (the relay drops a command it got an answer for).
      return failure(ErrorCode.Internal, `The host could not save its state: ${(err as Error).message}`);
    }
    return { ok: true, box: await sealing };
  }

  private async apply(command: Command, by: DeviceRef): Promise<CommandReply> {
    try {
      await this.threads.handle(command, by);
      return { ok: true };
    } catch (err) {
      if (err instanceof TetherError) return { ok: false, code: err.code, message: err.message };
      this.log.error("command failed", { type: command.type, error: (err as Error).message });
      return { ok: false, code: ErrorCode.Internal, message: `The host could not do that: ${(err as Error).message}` };
    }
  }

  private remember(id: string, reply: CommandReply): void {
    this.appliedIds.set(id, reply);
    this.applied.push({ id, reply });
    while (this.applied.length > REMEMBER_APPLIED) this.appliedIds.delete(this.applied.shift()!.id);
    this.store.recordApplied({ id, reply }, this.applied);
  }
}
