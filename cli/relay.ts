// The command line's connection to its relay: one socket, the phone's wire, and what a failure
// to connect means in words a person or a CI log can act on.

import { io } from "socket.io-client";
import { PROTOCOL_VERSION, type ConnectErrorData, type Hello } from "#protocol";
import { helloSchema } from "../mobile-web/src/link/inbound";
import type { TetherSocket } from "../mobile-web/src/link/request";
import { CliError } from "./errors";

export const CONNECT_TIMEOUT_MS = 15_000;

/** How long a command that follows a task keeps trying to reach a relay it lost (a restart, a network blip). */
export const RECONNECT_TIMEOUT_MS = 5 * 60_000;

export interface RelayConnection {
  socket: TetherSocket;
  /** Null on an anonymous socket (pairing a first host). */
  hello: Hello | null;
  /**
   * After the socket was lost: connects again, retrying with backoff, until the relay greets it
   * (its new hello), or rejects with a one-line CliError when the relay refuses this device or
   * `timeoutMs` passes.
   */
  reconnect(timeoutMs?: number): Promise<Hello>;
  close(): void;
}

type ConnectError = Error & { data?: ConnectErrorData };

/** Why the relay refused this device, in a person's words; null when it was only not reached. */
function refusal(url: string, err: ConnectError): string | null {
  const data = err.data;
  if (data?.revoked) {
    return `This command line was unpaired from its computers (revoked there). Pair again with \`tether pair <link>\`.`;
  }
  if (data?.code === "unauthorized" || data?.code === "forbidden") {
    return `The relay at ${url} no longer knows this command line (${data.message}). Pair again with \`tether pair <link>\`.`;
  }
  if (data?.message) return `The relay at ${url} refused the connection: ${data.message}`;
  return null;
}

/** Connects, and with a token waits for the relay's hello; rejects with a one-line CliError. */
export function connectRelay(url: string, token?: string): Promise<RelayConnection> {
  const socket: TetherSocket = io(url, {
    auth: { v: PROTOCOL_VERSION, ...(token ? { token } : {}) },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: CONNECT_TIMEOUT_MS,
  });
  const close = (): void => void socket.close();
  return new Promise((resolve, reject) => {
    const fail = (message: string): void => {
      close();
      reject(new CliError(message));
    };
    const onError = (err: ConnectError): void => fail(refusal(url, err) ?? `Cannot reach the relay at ${url}: ${err.message}.`);
    socket.once("connect_error", onError);
    const reconnect = (timeoutMs?: number): Promise<Hello> => reconnectRelay(socket, url, timeoutMs);
    const connected = (hello: Hello | null): void => {
      // Later failures are the reconnection's to read, not this first connection's.
      socket.off("connect_error", onError);
      resolve({ socket, hello, reconnect, close });
    };
    if (!token) {
      socket.once("connect", () => connected(null));
      return;
    }
    socket.once("hello", (raw) => {
      const hello = helloSchema.safeParse(raw);
      if (!hello.success) fail(`The relay at ${url} sent a greeting this command line doesn't understand.`);
      else connected(hello.data);
    });
  });
}

/** Connects a lost socket again (see `RelayConnection.reconnect`). */
function reconnectRelay(socket: TetherSocket, url: string, timeoutMs = RECONNECT_TIMEOUT_MS): Promise<Hello> {
  const manager = socket.io;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new CliError(`Lost the relay at ${url} and could not reach it again in ${Math.round(timeoutMs / 1000)} s.`)),
      timeoutMs,
    );
    const onError = (err: ConnectError): void => {
      const refused = refusal(url, err);
      if (refused) finish(new CliError(refused));
      // Not reached yet: the socket's manager tries again after its backoff.
    };
    const onHello = (raw: unknown): void => {
      const hello = helloSchema.safeParse(raw);
      finish(
        hello.success ? hello.data : new CliError(`The relay at ${url} sent a greeting this command line doesn't understand.`),
      );
    };
    const finish = (outcome: Hello | CliError): void => {
      clearTimeout(timer);
      socket.off("connect_error", onError);
      socket.off("hello", onHello);
      manager.reconnection(false);
      if (outcome instanceof CliError) {
        socket.close();
        reject(outcome);
      } else resolve(outcome);
    };
    socket.on("connect_error", onError);
    socket.on("hello", onHello);
    // The manager's backoff (half a second, doubling up to five) for every attempt after this one.
    manager.reconnection(true);
    manager.reconnectionDelay(500);
    manager.reconnectionDelayMax(5000);
    // The first attempt now (nothing when the manager is already at it); a relay that closed
    // this socket itself is asked too, and a refusal then says why.
    socket.connect();
  });
}
