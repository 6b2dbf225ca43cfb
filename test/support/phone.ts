// A phone in Node, for integration tests that need a paired phone without a browser. It
// runs the PWA's own pairing and call code; only storage and the UI are left out.

import { io, type Socket } from "socket.io-client";
import type { Host } from "../../extension/core/host";
import { acceptGrant, preparePairing } from "../../mobile-web/src/pairing/pairing";
import { callHost } from "../../mobile-web/src/link/rpc";
import { sendCommand, type CommandOutcome } from "../../mobile-web/src/link/commands";
import { threadBoxes } from "../../mobile-web/src/hosts/threadKeys";
import { openLiveEvent, openThreadEvent, openThreadSummary, type OpenedEvent } from "../../mobile-web/src/threads/open";
import { keyFor } from "../../mobile-web/src/hosts/keys";
import type { Cleanup } from "./cleanup";
import { openMirrorDelta } from "../../mobile-web/src/files/mirrorDelta";
import {
  MIRROR_LIVE_ID,
  PROTOCOL_VERSION,
  exportPublicKey,
  generateDeviceKeyPair,
  parsePairFragment,
  type TetherError,
  type ClientToServerEvents,
  type ConnectErrorData,
  type Hello,
  type HostProfile,
  type Command,
  type LiveEvent,
  type MirrorDelta,
  type PairResult,
  type ThreadEvent,
  type ThreadSummary,
  type RpcCall,
  type RpcReply,
  type ServerToClientEvents,
} from "#protocol";

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

/** What the relay says when it refuses a handshake with `auth` (`v` defaults to this protocol's). */
export async function refusal(url: string, auth: Record<string, unknown>): Promise<ConnectErrorData> {
  const socket = connect(url, auth as { v?: number; token?: string });
  try {
    await connected(socket);
    throw new Error("connected");
  } catch (err) {
    return (err as { data: ConnectErrorData }).data;
  } finally {
    socket.close();
  }
}

/**
 * A viewer of a shared thread, connected with the token its link derives, and the thread ids of
 * the events its first `share:sync` answered (sealed; the relay decides what it may read).
 */
export async function shareViewer(url: string, token: string): Promise<{ socket: PhoneSocket; threads: string[] }> {
  const socket = connect(url, { share: token } as { token?: string });
  await connected(socket);
  const page = (await socket.timeout(10_000).emitWithAck("share:sync", { after: 0 })) as {
    ok: boolean;
    events?: { threadId: string }[];
  };
  if (!page.ok) throw new Error(`share:sync refused: ${JSON.stringify(page)}`);
  return { socket, threads: (page.events ?? []).map((e) => e.threadId) };
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
  /** Seals this phone's commands and calls (only it and the host can derive it). */
  commandKey: CryptoKey;
  /** The phone's own ECDH key pair and the host's public key, for a rekey record or a second host. */
  privateKey: CryptoKey;
  publicKey: string;
  hostKey: string;
  code: string;
  hello: Hello;
  /** Who the host said it is when it granted the pairing: its name, models, agents. */
  profile: HostProfile;
  call(call: RpcCall): Promise<RpcReply>;
  /** Sends a command; rejects with the host's `TetherError` when it refused. */
  send(command: Command, id?: string): Promise<CommandOutcome>;
  /** Durable events pushed by the relay since connecting, opened, per thread in arrival order. */
  events(threadId: string): OpenedEvent[];
  /** Live events pushed since connecting, opened, in arrival order. */
  live: { threadId: string; event: LiveEvent }[];
  /** Workspace changes pushed since connecting (after a `watch` call), opened, with when each arrived. */
  mirror: { delta: MirrorDelta; at: number }[];
  /** Resolves with the first pushed event of the thread that matches, now or later. */
  waitFor(threadId: string, match: (e: ThreadEvent) => boolean, ms?: number): Promise<ThreadEvent>;
  /** Everything the relay stored for this host after the cursors, opened. */
  sync(cursors?: Record<string, number>): Promise<{ summaries: ThreadSummary[]; events: OpenedEvent[] }>;
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
    commandKey: paired.host.commandKey!,
  };
  const pushed = new Map<string, OpenedEvent[]>();
  const live: { threadId: string; event: LiveEvent }[] = [];
  const mirror: { delta: MirrorDelta; at: number }[] = [];
  const waiters = new Set<() => void>();
  // Opening is asynchronous; a chain keeps the pushed events in arrival order.
  let opening = Promise.resolve();
  socket.on("event", (stored) => {
    opening = opening.then(async () => {
      const opened = await threadBoxes(paired.host).open(stored.box.e, stored.threadId, (key) => openThreadEvent(key, stored));
      pushed.set(opened.threadId, [...(pushed.get(opened.threadId) ?? []), opened]);
      for (const w of [...waiters]) w();
    });
  });
  socket.on("live", (forward) => {
    if (forward.threadId === MIRROR_LIVE_ID) {
      const at = performance.now();
      opening = opening.then(async () => {
        mirror.push({ delta: await openMirrorDelta(keyFor(paired.host, forward.box.e), forward), at });
      });
      return;
    }
    opening = opening.then(async () => {
      live.push({
        threadId: forward.threadId,
        event: await threadBoxes(paired.host).open(forward.box.e, forward.threadId, (key) => openLiveEvent(key, forward)),
      });
    });
  });
  return {
    socket,
    live,
    mirror,
    profile: paired.host.profile,
    events: (threadId) => pushed.get(threadId) ?? [],
    waitFor(threadId, match, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = (pushed.get(threadId) ?? []).find((o) => match(o.event));
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit.event);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = (pushed.get(threadId) ?? []).map((o) => o.event.type + ("status" in o.event ? `:${o.event.status}` : ""));
          reject(new Error(`timed out waiting for an event in thread ${threadId}; saw ${seen.join(", ") || "nothing"}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    send: (command, id) => sendCommand(socket, target, command, id ? { id } : {}),
    async sync(cursors = {}) {
      const summaries: ThreadSummary[] = [];
      const events: OpenedEvent[] = [];
      const at = { ...cursors };
      for (;;) {
        const page = await socket.timeout(10_000).emitWithAck("sync", { hostId: target.hostId, cursors: at });
        if (!page.ok) throw new Error(page.message);
        if (summaries.length === 0) {
          for (const record of page.records) {
            const summary = await (record.key.startsWith("t-")
              ? threadBoxes(paired.host).open(record.box.e, record.key.slice(2), (key) => openThreadSummary(key, record))
              : null);
            if (summary) summaries.push(summary);
          }
        }
        for (const stored of page.events) {
          const opened = await threadBoxes(paired.host).open(stored.box.e, stored.threadId, (key) =>
            openThreadEvent(key, stored),
          );
          events.push(opened);
          at[opened.threadId] = opened.seq;
        }
        if (!page.more) return { summaries, events };
      }
    },
    deviceId: paired.deviceId,
    token,
    hostId: target.hostId,
    contentKey: paired.host.contentKey,
    epoch: paired.host.epoch,
    commandKey: target.commandKey,
    privateKey: keys.privateKey,
    publicKey: me.publicKeyB64,
    hostKey: parsed.hostKey,
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

/** Pairs a new phone with a host (in this process, or by the link a host process printed). */
export async function pairWith(host: Host | string, cleanup: Cleanup, name = "bench phone"): Promise<PairedPhone> {
  const link = typeof host === "string" ? host : (await host.openPairing()).url;
  return cleanup.add(await pairPhone(link, name), (p) => p.close());
}
