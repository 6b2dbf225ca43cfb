// Follows one thread: prints what the relay stored after a point, then what the host publishes
// as it happens, in sequence order with nothing twice, until the thread ends. A gap (an event
// pushed before the ones before it were read) is filled from the relay's store, and so is what
// was published while the relay was out of reach (restarted, the network down): the connection
// is made again and the thread read on from the last event printed.

import { ENDED_STATUSES, type ThreadStatus } from "#protocol";
import { threadBoxes } from "../mobile-web/src/hosts/threadKeys";
import { openThreadEvent, type OpenedEvent } from "../mobile-web/src/threads/open";
import { CliError } from "./errors";
import { eventLine, jsonLine } from "./print";
import type { Host, Session } from "./session";

export interface FollowOptions {
  json: boolean;
  /** Keep following until the thread ends; otherwise print what is stored and return. */
  follow: boolean;
  /** Print events after this sequence number. */
  after?: number;
  out: (line: string) => void;
  /** Notes for the person (waiting for an approval), on stderr so JSON lines stay clean. */
  note: (line: string) => void;
}

/** The thread's last status seen (null if none), once it ended or, without `follow`, once caught up. */
export async function followThread(
  session: Session,
  host: Host,
  threadId: string,
  options: FollowOptions,
): Promise<ThreadStatus | null> {
  let printed = options.after ?? 0;
  let status: ThreadStatus | null = null;
  const pending = new Map<string, string>();
  const pushed: OpenedEvent[] = [];
  let wake: (() => void) | null = null;
  let lost = false;
  let stale = false;
  const poke = (): void => {
    wake?.();
    wake = null;
  };
  // Opening is asynchronous; a chain keeps pushed events in arrival order.
  let opening = Promise.resolve();
  const onEvent = (stored: Parameters<typeof openThreadEvent>[1]): void => {
    if (stored.hostId !== host.record.hostId || stored.threadId !== threadId) return;
    opening = opening.then(async () => {
      try {
        pushed.push(await threadBoxes(host.record).open(stored.box.e, stored.threadId, (key) => openThreadEvent(key, stored)));
      } catch {
        // Sealed under a key this run has not applied yet (the host rotated after revoking
        // another device): the next catch-up reads the rekey record and the event again.
        stale = true;
      }
      poke();
    });
  };
  const onDisconnect = (): void => {
    lost = true;
    poke();
  };
  const { conn } = session;
  const { socket } = conn;
  socket.on("event", onEvent);
  socket.on("disconnect", onDisconnect);

  const emit = (opened: OpenedEvent): void => {
    if (opened.seq <= printed) return;
    printed = opened.seq;
    const { event } = opened;
    if (options.json) options.out(jsonLine(opened));
    else {
      const line = eventLine(event);
      if (line !== null) options.out(line);
    }
    if (event.type === "status") status = event.status;
    if (event.type === "approval-requested") {
      pending.set(event.approvalId, event.kind === "command" ? (event.command ?? event.tool) : (event.path ?? event.tool));
    }
    if (event.type === "approval-resolved") pending.delete(event.approvalId);
    if (options.follow && event.type === "status" && event.status === "awaiting-approval" && pending.size > 0) {
      const what = [...pending.values()].join(", ");
      options.note(`Waiting for a person to approve ${what}: on the phone, or \`tether approve ${threadId}\`.`);
    }
    if (options.follow && event.type === "status" && event.status === "awaiting-answer") {
      options.note(`Waiting for an answer to the agent's question: on the phone, or \`tether answer ${threadId} "…"\`.`);
    }
  };
  const catchUp = async (): Promise<void> => {
    const summaries = await session.threads(host);
    const others = Object.fromEntries(summaries.filter((s) => s.threadId !== threadId).map((s) => [s.threadId, s.lastSeq]));
    for (const opened of await session.eventsAfter(host, threadId, printed, others)) emit(opened);
  };
  /** A catch-up while following: one cut short by a lost connection is read again once connected. */
  const readOn = (): Promise<void> =>
    catchUp().catch((err: unknown) => {
      if (!lost) throw err;
    });
  const ended = (): boolean => status !== null && ENDED_STATUSES.includes(status);

  try {
    await catchUp();
    if (!options.follow) return status;
    while (!ended()) {
      if (lost) {
        options.note("Lost the connection to the relay; connecting again…");
        try {
          await conn.reconnect();
        } catch (err) {
          const why = err instanceof CliError ? err.message : String(err);
          throw new CliError(`${why} \`tether logs ${threadId} --follow\` picks up where this stopped.`);
        }
        lost = false;
        options.note("Connected to the relay again; reading what was missed.");
        await readOn();
        continue;
      }
      if (stale) {
        stale = false;
        await readOn();
        continue;
      }
      const next = pushed.shift();
      if (!next) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (next.seq > printed + 1) {
        await readOn();
        // The gap not read (the connection went meanwhile): kept for after the next catch-up.
        if (lost && next.seq > printed + 1) {
          pushed.unshift(next);
          continue;
        }
      }
      emit(next);
    }
    return status;
  } finally {
    socket.off("event", onEvent);
    socket.off("disconnect", onDisconnect);
  }
}
