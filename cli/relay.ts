// The command line's connection to its relay: one socket, the phone's wire, and what a failure
// to connect means in words a person or a CI log can act on.

import { io } from "socket.io-client";
import { PROTOCOL_VERSION, type ConnectErrorData, type Hello } from "#protocol";
import { helloSchema } from "../mobile-web/src/link/inbound";
import type { TetherSocket } from "../mobile-web/src/link/request";
import { CliError } from "./errors";

export const CONNECT_TIMEOUT_MS = 15_000;

export interface RelayConnection {
  socket: TetherSocket;
  /** Null on an anonymous socket (pairing a first host). */
  hello: Hello | null;
  close(): void;
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
    socket.once("connect_error", (err: Error & { data?: ConnectErrorData }) => {
      const data = err.data;
      if (data?.revoked) {
        fail(`This command line was unpaired from its computers (revoked there). Pair again with \`tether pair <link>\`.`);
      } else if (data?.code === "unauthorized" || data?.code === "forbidden") {
        fail(`The relay at ${url} no longer knows this command line (${data.message}). Pair again with \`tether pair <link>\`.`);
      } else if (data?.message) {
        fail(`The relay at ${url} refused the connection: ${data.message}`);
      } else {
        fail(`Cannot reach the relay at ${url}: ${err.message}.`);
      }
    });
    if (!token) {
      socket.once("connect", () => resolve({ socket, hello: null, close }));
      return;
    }
    socket.once("hello", (raw) => {
      const hello = helloSchema.safeParse(raw);
      if (!hello.success) fail(`The relay at ${url} sent a greeting this command line doesn't understand.`);
      else resolve({ socket, hello: hello.data, close });
    });
  });
}
