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
//
// Who may send: a command opens only with the command key of the phone the relay names in
// `from` (see `phoneSeal.ts`), and the reply is sealed with the same key, so only that phone
// reads it. Refusals are logged with the phone and the reason, and nothing is applied.
//
// Replays: the phone seals the time it made the command inside the box. An id is remembered
// for as long as a command carrying it could still pass the age check below, so a relay that
// replays an old command meets either the remembered id (answered, not applied again) or the
// age check (refused); never an id the host has already forgotten.

import {
  ErrorCode,
  TetherError,
  commandForwardSchema,
  commandReplySchema,
  failure,
  sealContext,
  sealedCommandSchema,
  type Command,
  type CommandForward,
  type CommandReply,
  type DeviceRef,
  type SealedCommand,
} from "#protocol";
import { DisposableStore, listen, type Disposable } from "../disposable";
import type { HostIdentity } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";
import type { ThreadManager } from "../threads/threadManager";
import type { Applied, AppliedBy, ThreadStore } from "../threads/threadStore";
import { answerForward, openRequest, refuse, type Answer, type RequestKind, type RequestSite } from "./phoneRequest";
import type { Refusal } from "./phoneSeal";

const HOUR_MS = 60 * 60 * 1000;

/**
 * The oldest a command may be when it reaches the host, by the phone's clock inside the box.
 * The relay's inbox keeps a command for a sleeping host with no time limit (a task sent at
 * 7 am waits for the desktop to wake), so this is how long a host may stay away and still
 * take what waited for it: a night, a weekend, a week's holiday. A command older than that is
 * refused ("send it again"), which is safer than starting a week-old task unannounced.
 */
/** How often the host asks the relay for its waiting commands after a connect before waiting for the next. */
const FLUSH_ATTEMPTS = 5;

export const COMMAND_MAX_AGE_MS = 7 * 24 * HOUR_MS;

/**
 * How far phone and host clocks may disagree, either way: a clock set by hand, a day off or a
 * time zone wrong. Only widens the window; the id memory below grows with it.
 */
export const CLOCK_SKEW_MS = 24 * HOUR_MS;

/**
 * How long an applied id is remembered. A command applied at host time T was made no later
 * than T + skew (else refused), and is accepted again only until its time + max age + skew:
 * so remembering it for max age + 2 × skew leaves no moment at which a replay finds the id
 * forgotten and the command still fresh. Commands are a person's, a few hundred a day at
 * most, so the memory stays small.
 */
export const REMEMBER_APPLIED_MS = COMMAND_MAX_AGE_MS + 2 * CLOCK_SKEW_MS;

const commandRequest: RequestKind<SealedCommand> = {
  noun: "command",
  payload: sealedCommandSchema,
  context: sealContext.command,
  replyContext: sealContext.commandReply,
};

export class CommandServer implements Disposable {
  private readonly site: RequestSite;
  private readonly disposables = new DisposableStore();
  private readonly applied: Applied;
  private readonly appliedIds = new Map<string, CommandReply>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(
    link: RelayLink,
    identity: HostIdentity,
    private readonly threads: ThreadManager,
    private readonly store: ThreadStore,
    private readonly log: Log,
    /** The host's clock (tests move it). */
    now?: () => number,
  ) {
    this.site = { link, identity, log };
    this.now = now ?? Date.now;
    const loaded = this.now();
    // Entries from before ids aged out carry no time: count them from now, to be safe.
    this.applied = store.applied().map((e) => (e.at === undefined ? { ...e, at: loaded } : e));
    for (const entry of this.applied) {
      const parsed = commandReplySchema.safeParse(entry.reply);
      if (parsed.success) this.appliedIds.set(memoryKey(entry), parsed.data);
    }
    // A host killed after writing a command's event but before applied.jsonl: the event's line
    // names the command, which was applied and answered nothing else.
    let recovered = false;
    for (const entry of threads.appliedInEvents()) {
      if (this.appliedIds.has(memoryKey(entry))) continue;
      this.appliedIds.set(memoryKey(entry), { ok: true });
      this.applied.push({ id: entry.id, from: entry.from, reply: { ok: true }, at: entry.at });
      recovered = true;
    }
    if (recovered) this.applied.sort((a, b) => a.at! - b.at!);
    this.forgetOld();
    const onCommand = (payload: unknown, reply: unknown): void =>
      answerForward(payload, reply, commandForwardSchema, "command", (req) => {
        // One at a time, in the order the relay sent them.
        const next = this.chain.then(() => this.receive(req));
        this.chain = next.catch(() => undefined);
        return next;
      });
    this.disposables.add(listen(link.socket, "command", onCommand));
    // Ready for commands: ask the relay for what waited while this host was away.
    // A flush that failed (a relay too busy to answer in time) is asked again while the link is
    // open: otherwise what waited would wait until the next reconnect. Repeats are harmless, as
    // each command id is applied at most once.
    const flush = (attempt: number): void => {
      if (this.disposables.isDisposed) return;
      void link.request("inbox:flush", {}).then((answer) => {
        if (answer.ok) return;
        log.warn("could not fetch waiting commands", { code: answer.code, attempt });
        if (attempt < FLUSH_ATTEMPTS && link.state === "open") setTimeout(() => flush(attempt + 1), 1_000 * attempt).unref?.();
      });
    };
    this.disposables.add(listen(link, "hello", () => flush(1)));
  }

  /** Idempotent: takes no more commands and asks for no more waiting ones. */
  dispose(): void {
    this.disposables.dispose();
  }

  async receive(req: CommandForward): Promise<Answer> {
    const opened = await openRequest(this.site, commandRequest, req);
    if (!opened.ok) return opened;
    const { phone, value: sealed } = opened;
    this.forgetOld();
    // Per phone: another phone that reuses an id (told it by a relay) cannot stand in for it.
    // Entries from before ids were kept per phone match any phone, as they did.
    let reply = this.appliedIds.get(memoryKey({ id: req.id, from: req.from })) ?? this.appliedIds.get(memoryKey({ id: req.id }));
    if (!reply) {
      // Checked only for an id not remembered: a repeat of an applied command gets its reply.
      const late = this.lateness(sealed.sentAt);
      if (late) return refuse(this.log, "command", req, late);
      reply = await this.apply(sealed.command, { id: phone.id, name: phone.name }, { id: req.id, from: req.from });
      this.remember(req.from, req.id, reply);
    }
    const sealing = opened.sealReply(reply);
    sealing.catch(() => undefined); // awaited below, unless the flush fails first
    try {
      await this.store.flushed();
    } catch (err) {
      // Applied here but not saved: the sender hears so (the relay drops a command it got an answer for).
      return failure(ErrorCode.Internal, `The host could not save its state: ${(err as Error).message}`);
    }
    return { ok: true, box: await sealing };
  }

  private lateness(sentAt: number): Refusal | undefined {
    const now = this.now();
    if (sentAt < now - COMMAND_MAX_AGE_MS - CLOCK_SKEW_MS) return "stale";
    if (sentAt > now + CLOCK_SKEW_MS) return "clock-ahead";
    return undefined;
  }

  private async apply(command: Command, by: DeviceRef, applied: AppliedBy): Promise<CommandReply> {
    try {
      await this.threads.handle(command, by, applied);
      return { ok: true };
    } catch (err) {
      if (err instanceof TetherError) return { ok: false, code: err.code, message: err.message };
      this.log.error("command failed", { type: command.type, error: (err as Error).message });
      return { ok: false, code: ErrorCode.Internal, message: `The host could not do that: ${(err as Error).message}` };
    }
  }

  private remember(from: string, id: string, reply: CommandReply): void {
    const entry = { id, from, reply, at: this.now() };
    this.appliedIds.set(memoryKey(entry), reply);
    this.applied.push(entry);
    this.store.recordApplied(entry, this.applied);
  }

  /** Forgets ids applied longer ago than {@link REMEMBER_APPLIED_MS}; oldest first on disk and here. */
  private forgetOld(): void {
    const before = this.now() - REMEMBER_APPLIED_MS;
    while (this.applied.length > 0 && this.applied[0]!.at! < before) this.appliedIds.delete(memoryKey(this.applied.shift()!));
  }
}

/** Where an applied id is remembered: with the phone that sent it, or alone for older entries. */
function memoryKey(entry: { id: string; from?: string | undefined }): string {
  return entry.from === undefined ? entry.id : `${entry.from} ${entry.id}`;
}
