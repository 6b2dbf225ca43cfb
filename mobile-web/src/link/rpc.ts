// Sealed calls from the phone to one of its hosts. The relay routes the box and sees only
// the host id, a request id and sizes; the call and its answer are sealed with this phone's
// command key (only this phone and the host have it), bound to host, phone and request id.

import {
  ErrorCode,
  PAIRWISE_EPOCH,
  TetherError,
  open,
  randomId,
  rpcReplySchema,
  seal,
  sealContext,
  type RpcCall,
  type RpcResult,
} from "#protocol";
import { rpcAnswerSchema } from "./inbound";
import { failed, request, type TetherSocket } from "./request";

export const RPC_TIMEOUT_MS = 20_000;

/** What a phone needs to talk to one host. */
export interface RpcTarget {
  hostId: string;
  /** This phone's device id, as the relay tells the host (`RpcForward.from`). */
  deviceId: string;
  /** This phone's command key for the host (`hosts/commandKey.ts`). */
  commandKey: CryptoKey;
}

/** The answer to a call is the result of the same type (`git-state` answers `git-state`). */
type ResultOf<C extends RpcCall> = Extract<RpcResult, { type: C["type"] }>;

/**
 * Seals `call` for the host, sends it and opens the host's reply, for the caller to parse with
 * its schema (calls whose schemas the app's first load does not carry, like shares').
 */
export async function sealedCall(
  socket: TetherSocket,
  target: RpcTarget,
  call: unknown,
  timeoutMs = RPC_TIMEOUT_MS,
): Promise<unknown> {
  const { hostId, deviceId, commandKey } = target;
  const id = randomId();
  const box = await seal(commandKey, PAIRWISE_EPOCH, call, sealContext.rpcCall(hostId, deviceId, id));
  const answer = await request(() => socket.timeout(timeoutMs).emitWithAck("rpc", { hostId, id, box }), rpcAnswerSchema);
  if (!answer.ok) throw failed(answer);
  return open(commandKey, answer.box, sealContext.rpcReply(hostId, deviceId, id));
}

export async function callHost<C extends RpcCall>(
  socket: TetherSocket,
  target: RpcTarget,
  call: C,
  timeoutMs = RPC_TIMEOUT_MS,
): Promise<ResultOf<C>> {
  const parsed = rpcReplySchema.safeParse(await sealedCall(socket, target, call, timeoutMs));
  if (!parsed.success) throw new TetherError(ErrorCode.BadRequest, "The computer sent an answer this app doesn't understand.");
  const reply = parsed.data;
  if (!reply.ok) throw failed(reply);
  if (reply.result.type !== call.type) {
    throw new TetherError(ErrorCode.BadRequest, "The computer answered a different question.");
  }
  return reply.result as RpcResult as ResultOf<C>;
}
