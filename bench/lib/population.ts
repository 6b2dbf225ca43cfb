// A relay data folder with thousands of paired phones, made through the relay's own pairing
// protocol (host:register, pair:open, pair:join, pair:decide) on an in-process relay whose
// clock the bench moves forward, so that the per-address and per-host pairing limits (meant
// for people, not for a benchmark) pass. The relay process of a scenario then opens the folder.
//
// These phones are for crowds: their join carries a well-formed but meaningless key, proof
// and name box, and the grant they get is never opened. The relay cannot tell (it never can:
// it checks neither), so to it they are paired phones like any other.

import { io, type Socket } from "socket.io-client";
import {
  PROTOCOL_VERSION,
  exportPublicKey,
  generateDeviceKeyPair,
  randomId,
  type Box,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from "#protocol";
import { startRelay } from "../../test/support/relay";
import { within } from "./stats";

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Phones per crowd host: a crowd is many households, not one host with thousands of phones. */
const PHONES_PER_HOST = 100;
/** The relay lets one address join ten slots a minute, and one host open ten. */
const BATCH = 10;

export interface Population {
  /** Bearer tokens of the paired phones. */
  phones: string[];
  hosts: number;
  /** Each host's device id and bearer token, to take its place on the wire (the soak's hosts). */
  hostCredentials: { deviceId: string; token: string }[];
  /** The index in `hostCredentials` of the host each phone is paired with. */
  phoneHost: number[];
}

export interface PopulationOptions {
  /** Phones per host (default 100). */
  phonesPerHost?: number;
  /** Keep the population in this Redis (as relay processes with `--redis` do), not in `dataDir`'s SQLite. */
  redis?: string;
}

function connect(url: string, token?: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, {
    auth: { v: PROTOCOL_VERSION, ...(token ? { token } : {}) },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

const fakeBox = (): Box => ({ e: 1, iv: randomId(12), ct: randomId(48) });

export async function buildPopulation(dataDir: string, phones: number, options: PopulationOptions = {}): Promise<Population> {
  const perHost = options.phonesPerHost ?? PHONES_PER_HOST;
  let clock = Date.now();
  const relay = await startRelay({
    dataDir,
    now: () => clock,
    config: { push: { enabled: false }, ...(options.redis ? { redis: options.redis } : {}) },
  });
  const sockets: ClientSocket[] = [];
  try {
    const phoneKey = await exportPublicKey((await generateDeviceKeyPair(true)).publicKey);
    const joiner = await connect(relay.url);
    sockets.push(joiner);
    const tokens: string[] = [];
    const failures: string[] = [];
    let waiting: (() => void) | undefined;
    joiner.on("pair:result", (result) => {
      if (result.ok && result.token) tokens.push(result.token);
      waiting?.();
    });

    const hostCount = Math.ceil(phones / perHost);
    const hosts: ClientSocket[] = [];
    const hostCredentials: Population["hostCredentials"] = [];
    const phoneHost: number[] = [];
    for (let i = 0; i < hostCount; i++) {
      // Twenty registrations an hour from one address.
      if (i % 20 === 19) clock += 61 * 60_000;
      const anon = await connect(relay.url);
      const registered = await anon.timeout(10_000).emitWithAck("host:register", {});
      anon.close();
      if (!registered.ok) throw new Error(`host:register: ${registered.message}`);
      hostCredentials.push({ deviceId: registered.deviceId, token: registered.token });
      const host = await connect(relay.url, registered.token);
      sockets.push(host);
      host.on("pair:request", (req) => {
        host
          .timeout(10_000)
          .emitWithAck("pair:decide", { slotId: req.slotId, accept: true, grant: fakeBox() })
          .then(
            (answer) => void (answer.ok || failures.push(`pair:decide: ${answer.message}`)),
            (err: Error) => void failures.push(`pair:decide: ${err.message}`),
          );
      });
      hosts.push(host);
    }

    for (let done = 0; done < phones;) {
      clock += 61_000;
      // A batch stays with one host, so each phone's host is known from its place in the list.
      const count = Math.min(BATCH, phones - done, perHost - (done % perHost));
      const hostIndex = Math.floor(done / perHost);
      const host = hosts[hostIndex]!;
      const target = tokens.length + count;
      const arrived = new Promise<void>((resolve) => {
        waiting = () => {
          if (tokens.length >= target) resolve();
        };
      });
      await Promise.all(
        Array.from({ length: count }, async () => {
          const slot = await host.timeout(10_000).emitWithAck("pair:open", {});
          if (!slot.ok) throw new Error(`pair:open: ${slot.message}`);
          const joined = await joiner
            .timeout(10_000)
            .emitWithAck("pair:join", { slotId: slot.slotId, phoneKey, hello: fakeBox(), proof: randomId(32) });
          if (!joined.ok) throw new Error(`pair:join: ${joined.message}`);
        }),
      );
      await within(arrived, 10_000, `pairing results${failures.length ? ` (${failures.join("; ")})` : ""}`);
      for (let i = 0; i < count; i++) phoneHost.push(hostIndex);
      done += count;
    }
    return { phones: tokens, hosts: hostCount, hostCredentials, phoneHost };
  } finally {
    for (const s of sockets) s.close();
    await relay.stop();
  }
}
