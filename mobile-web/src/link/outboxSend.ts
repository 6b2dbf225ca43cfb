// Sends one command of the outbox (`threads/outbox.ts`) with the id and time it was made.
// Tells apart what could not leave the phone (kept for the next connection) from what the
// relay or host answered (applied, queued for a sleeping computer, or refused).

import { ErrorCode, TetherError } from "#protocol";
import { commandKeyOf } from "../hosts/commandKey";
import type { HostRecord } from "../store/records";
import { UnreachableError, type OutboxItem } from "../threads/outbox";
import { sendCommand, type CommandOutcome } from "./commands";
import type { TetherSocket } from "./request";

export interface OutboxSendDeps {
  host(hostId: string): HostRecord | undefined;
  /** True when the relay is known to be unreachable right now (the header says Offline). */
  offline(): boolean;
  /** True while the link is open and greeted. */
  ready(): boolean;
  /** The open socket, waiting briefly for one; throws when there is none. */
  connection(): Promise<{ socket: TetherSocket; deviceId: string }>;
}

export async function sendOutboxItem(item: OutboxItem, deps: OutboxSendDeps): Promise<CommandOutcome> {
  const host = deps.host(item.hostId);
  if (!host) throw new TetherError(ErrorCode.NotFound, "This computer is not paired with this phone.");
  // Known to be unreachable: keep it at once rather than wait for a connection.
  if (deps.offline()) throw new UnreachableError();
  let connection: { socket: TetherSocket; deviceId: string };
  try {
    connection = await deps.connection();
  } catch {
    throw new UnreachableError();
  }
  const target = { hostId: item.hostId, deviceId: connection.deviceId, commandKey: commandKeyOf(host) };
  try {
    return await sendCommand(connection.socket, target, item.command, { id: item.id, sentAt: item.madeAt });
  } catch (error) {
    // No answer, and the link went down meanwhile: it may or may not have reached the relay.
    // Sent again with the same id once the link is back, it is applied at most once either way.
    if (error instanceof TetherError && error.code === ErrorCode.Timeout && !deps.ready()) throw new UnreachableError();
    throw error;
  }
}
