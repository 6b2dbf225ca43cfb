// A phone in Node: the same protocol steps the PWA takes, for integration tests that need
// a paired phone without a browser.

import { io, type Socket } from "socket.io-client";
import {
  KeyPurpose,
  PAIRWISE_EPOCH,
  PROTOCOL_VERSION,
  deriveSharedKey,
  exportPublicKey,
  generateDeviceKeyPair,
  importContentKey,
  importPublicKey,
  open,
  pairGrantSchema,
  pairingCode,
  pairingProof,
  parsePairFragment,
  randomId,
  rpcReplySchema,
  seal,
  sealContext,
  type ClientToServerEvents,
  type ConnectErrorData,
  type Hello,
  type PairResult,
  type RpcCall,
  type RpcReply,
  type ServerToClientEvents,
} from "../../protocol/index";

export type PhoneSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connect(url: string, auth: { v?: number; token?: string } = {}): PhoneSocket {
  return io(url, { auth: { v: PROTOCOL_VERSION, ...auth }, transports: ["websocket"], reconnection: false, forceNew: true });
}

/** Resolves on connect, rejects with the relay's connect error data. */
export function connected(socket: PhoneSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err: Error & { data?: ConnectErrorData }) => reject(Object.assign(err, { data: err.data })));
  });
}

export function once<E extends keyof ServerToClientEvents>(
  socket: PhoneSocket,
  event: E,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve) => {
    (socket as unknown as { once(e: string, l: (v: unknown) => void): void }).once(event, (v) => resolve(v as never));
  });
}

export interface PairedPhone {
  socket: PhoneSocket;
  deviceId: string;
  token: string;
  hostId: string;
  contentKey: CryptoKey;
  epoch: number;
  code: string;
  hello: Hello;
  call(call: RpcCall): Promise<RpcReply>;
  close(): void;
}

/** Pairs through a pairing link the way the PWA does, and returns the connected phone. */
export async function pairPhone(link: string, name = "Test Phone"): Promise<PairedPhone> {
  const parsed = parsePairFragment(link);
  if (!parsed) throw new Error(`not a pairing link: ${link}`);
  const relay = new URL(link).origin;
  const keys = await generateDeviceKeyPair(false);
  const phoneKey = await exportPublicKey(keys.publicKey);
  const hostPub = await importPublicKey(parsed.hostKey);
  const helloKey = await deriveSharedKey(keys.privateKey, hostPub, KeyPurpose.PairHello);
  const anon = connect(relay);
  await connected(anon);
  const result = once(anon, "pair:result");
  const joined = await anon.timeout(10_000).emitWithAck("pair:join", {
    slotId: parsed.slotId,
    phoneKey,
    hello: await seal(helloKey, PAIRWISE_EPOCH, { name }, sealContext.pairHello(parsed.slotId)),
    proof: await pairingProof(parsed.secret, parsed.hostKey, phoneKey),
  });
  if (!joined.ok) {
    anon.close();
    throw Object.assign(new Error(joined.message), { code: joined.code });
  }
  const outcome: PairResult = await result;
  anon.close();
  if (!outcome.ok) throw Object.assign(new Error(outcome.message), { code: outcome.code });
  const grantKey = await deriveSharedKey(keys.privateKey, hostPub, KeyPurpose.PairGrant);
  const grant = pairGrantSchema.parse(await open(grantKey, outcome.grant, sealContext.pairGrant(parsed.slotId)));
  if (grant.hostId !== outcome.hostId) throw new Error("grant names another host");
  const contentKey = await importContentKey(grant.key, false);
  const token = outcome.token!;
  const socket = connect(relay, { token });
  const hello = once(socket, "hello");
  await connected(socket);
  const phone: PairedPhone = {
    socket,
    deviceId: outcome.deviceId,
    token,
    hostId: outcome.hostId,
    contentKey,
    epoch: grant.epoch,
    code: await pairingCode(parsed.hostKey, phoneKey),
    hello: await hello,
    async call(call) {
      const id = randomId();
      const box = await seal(contentKey, grant.epoch, call, sealContext.rpcCall(outcome.hostId, outcome.deviceId, id));
      const answer = await socket.timeout(20_000).emitWithAck("rpc", { hostId: outcome.hostId, id, box });
      if (!answer.ok) return answer;
      return rpcReplySchema.parse(await open(contentKey, answer.box, sealContext.rpcReply(outcome.hostId, outcome.deviceId, id)));
    },
    close: () => void socket.close(),
  };
  return phone;
}
