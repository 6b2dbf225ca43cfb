// Commands from the phone to one of its hosts: start a task, steer, decide, answer, stop,
// revert. Each is sealed with this phone's command key (bound to host, phone and command id,
// with the time it was made inside) and goes through the relay's inbox, so a command for a
// sleeping computer waits there instead of failing.

import {
  ErrorCode,
  PAIRWISE_EPOCH,
  TetherError,
  commandReplySchema,
  open,
  randomId,
  seal,
  sealContext,
  type Command,
  type SealedCommand,
} from "#protocol";
import { commandAnswerSchema } from "./inbound";
import { failed, request, type TetherSocket } from "./request";
import type { RpcTarget } from "./rpc";

export const COMMAND_TIMEOUT_MS = 30_000;

export interface CommandOutcome {
  /** The command id: sending the same id again is applied once. */
  id: string;
  /** The host was offline: the relay keeps the command until it connects. */
  queued: boolean;
}

/**
 * Sends a command and resolves once the host applied it, or the relay queued it for a host
 * that is offline. Throws a {@link TetherError} with the host's reason when it refused.
 */
export async function sendCommand(
  socket: TetherSocket,
  target: RpcTarget,
  command: Command,
  options: { id?: string; sentAt?: number; timeoutMs?: number } = {},
): Promise<CommandOutcome> {
  const { hostId, deviceId, commandKey } = target;
  const id = options.id ?? randomId();
  // A command kept in the outbox is sent with the time it was made, not the time it leaves:
  // the host remembers an id only while a command with that time could pass its age check.
  const sealed: SealedCommand = { sentAt: options.sentAt ?? Date.now(), command };
  const box = await seal(commandKey, PAIRWISE_EPOCH, sealed, sealContext.command(hostId, deviceId, id));
  const answer = await request(
    () => socket.timeout(options.timeoutMs ?? COMMAND_TIMEOUT_MS).emitWithAck("command", { hostId, id, box }),
    commandAnswerSchema,
  );
  if (!answer.ok) throw failed(answer);
  if (answer.queued || !answer.box) return { id, queued: true };
  const reply = commandReplySchema.safeParse(await open(commandKey, answer.box, sealContext.commandReply(hostId, deviceId, id)));
  if (!reply.success) throw new TetherError(ErrorCode.BadRequest, "The computer sent an answer this app doesn't understand.");
  if (!reply.data.ok) throw failed(reply.data);
  return { id, queued: false };
}
