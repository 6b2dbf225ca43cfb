// A host's connection without the host: a real host core pairs a real phone, then hands its
// registration and content key to a bare socket.io-client that the bench drives directly. It
// publishes sealed events and answers commands the way the host core does on the wire, minus
// the host's own work, to measure the relay alone and to fill it fast.

import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import {
  open,
  PAIRWISE_EPOCH,
  PROTOCOL_VERSION,
  rpcCallSchema,
  seal,
  sealContext,
  threadRecordKey,
  type Box,
  type RpcCall,
  type RpcForward,
  type RpcReply,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type ThreadEvent,
  type ThreadSummary,
} from "#protocol";
import type { Cleanup } from "./cleanup";
import { startHost } from "./host";
import { pairWith, type PairedPhone } from "./phone";
import { makeWorkspace } from "./workspace";

export type HostSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RawHost {
  hostId: string;
  /** The host's bearer token, for more connections as this host. */
  token: string;
  key: CryptoKey;
  epoch: number;
  /** The key a thread is sealed with, as the host core seals it (its own, from the content key). */
  threadKey(threadId: string): Promise<CryptoKey>;
  socket: HostSocket;
  phone: PairedPhone;
  /** Seals a thread event as the host's publisher does. */
  sealEvent(threadId: string, seq: number, event: ThreadEvent): Promise<Box>;
  /** Publishes a sealed event and resolves with the relay's answer. */
  publish(threadId: string, seq: number, box: Box): Promise<void>;
  /** Publishes a thread summary record, as the host does after each change. */
  putSummary(summary: ThreadSummary): Promise<void>;
  /** The key a paired phone seals its commands with, to open what it sends (undefined: not paired). */
  commandKey(phoneId: string): CryptoKey | undefined;
  /**
   * Answers the phones' sealed calls (list-dir, search, agent-sessions…) with what `answer`
   * says, opened and sealed as the host's call server does; a later call replaces it.
   */
  answerCalls(answer: (call: RpcCall, phoneId: string) => Promise<RpcReply>): void;
}

/**
 * Pairs a Node phone (and, with `pairMore`, other devices through pairing links of their own)
 * with a real host core, then takes the host's place on the wire.
 */
export async function pairedRawHost(
  relay: string,
  tmp: string,
  cleanup: Cleanup,
  pairMore?: (link: () => Promise<string>) => Promise<void>,
): Promise<RawHost> {
  const folder = makeWorkspace({ "README.md": "# bench\n" });
  const host = await startHost(relay, folder, { stateDir: mkdtempSync(join(tmp, "host-")), name: "bench host" });
  let phone: PairedPhone;
  try {
    phone = await pairWith(host.host, cleanup);
    await pairMore?.(async () => (await host.host.openPairing()).url);
  } finally {
    await host.stop();
  }
  const credentials = host.identity.credentials(relay);
  const key = host.identity.contentKey();
  if (!credentials || !key) throw new Error("the host did not register");
  const socket: HostSocket = io(relay, {
    auth: { v: PROTOCOL_VERSION, token: credentials.token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  cleanup.add(socket, (s) => s.close());
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  const hostId = credentials.deviceId;
  const epoch = host.identity.epoch;
  return {
    hostId,
    token: credentials.token,
    key,
    epoch,
    socket,
    phone,
    threadKey: async (threadId) => (await host.identity.threadKey(threadId, epoch))!,
    sealEvent: async (threadId, seq, event) =>
      seal((await host.identity.threadKey(threadId, epoch))!, epoch, event, sealContext.event(hostId, threadId, seq)),
    async publish(threadId, seq, box) {
      const answer = await socket.timeout(30_000).emitWithAck("event:publish", { threadId, seq, box });
      if (!answer.ok) throw new Error(`event:publish: ${answer.message}`);
    },
    commandKey: (phoneId) => host.identity.commandKey(relay, phoneId),
    answerCalls(answer) {
      socket.off("rpc");
      socket.on("rpc", (req: RpcForward, reply) => {
        void (async () => {
          const commandKey = host.identity.commandKey(relay, req.from);
          if (!commandKey) return reply({ ok: false, code: "forbidden", message: "unknown phone" } as never);
          const call = rpcCallSchema.parse(await open(commandKey, req.box, sealContext.rpcCall(hostId, req.from, req.id)));
          const result = await answer(call, req.from);
          const box = await seal(commandKey, PAIRWISE_EPOCH, result, sealContext.rpcReply(hostId, req.from, req.id));
          reply({ ok: true, box });
        })();
      });
    },
    async putSummary(summary) {
      const k = threadRecordKey(summary.threadId);
      const threadKey = (await host.identity.threadKey(summary.threadId, epoch))!;
      const box = await seal(threadKey, epoch, summary, sealContext.record(hostId, k));
      const answer = await socket.timeout(30_000).emitWithAck("record:put", { key: k, box });
      if (!answer.ok) throw new Error(`record:put: ${answer.message}`);
    },
  };
}
