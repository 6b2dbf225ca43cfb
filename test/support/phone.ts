// A phone in Node, for integration tests that need a paired phone without a browser. It
// runs the PWA's own pairing and call code; only storage and the UI are left out.

import { io, type Socket } from "socket.io-client";
import { acceptGrant, preparePairing } from "../../mobile-web/src/pairing/pairing";
import { callHost } from "../../mobile-web/src/link/rpc";
import {
  PROTOCOL_VERSION,
  exportPublicKey,
  generateDeviceKeyPair,
  parsePairFragment,
  type TetherError,
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

/**
 * Pairs through a pairing link with the PWA's own pairing and call code, and returns the
 * connected phone.
 */
export async function pairPhone(link: string, name = "Test Phone"): Promise<PairedPhone> {
  const parsed = parsePairFragment(link);
  if (!parsed) throw new Error(`not a pairing link: ${link}`);
  const relay = new URL(link).origin;
  const keys = await generateDeviceKeyPair(false);
  const me = { privateKey: keys.privateKey, publicKeyB64: await exportPublicKey(keys.publicKey), name };
  const prepared = await preparePairing(parsed, me);
  const anon = connect(relay);
  await connected(anon);
  const result = once(anon, "pair:result");
  const joined = await anon.timeout(10_000).emitWithAck("pair:join", prepared.join);
  if (!joined.ok) {
    anon.close();
    throw Object.assign(new Error(joined.message), { code: joined.code });
  }
  const outcome: PairResult = await result;
  anon.close();
  if (!outcome.ok) throw Object.assign(new Error(outcome.message), { code: outcome.code });
  const paired = await acceptGrant(prepared, me, outcome);
  const token = paired.token!;
  const socket = connect(relay, { token });
  const hello = once(socket, "hello");
  await connected(socket);
  const target = {
    hostId: paired.host.hostId,
    deviceId: paired.deviceId,
    epoch: paired.host.epoch,
    contentKey: paired.host.contentKey,
  };
  return {
    socket,
    deviceId: paired.deviceId,
    token,
    hostId: target.hostId,
    contentKey: target.contentKey,
    epoch: target.epoch,
    code: prepared.code,
    hello: await hello,
    async call(call) {
      try {
        return { ok: true, result: await callHost(socket, target, call) };
      } catch (err) {
        const e = err as TetherError;
        return { ok: false, code: e.code, message: e.message };
      }
    },
    close: () => void socket.close(),
  };
}
