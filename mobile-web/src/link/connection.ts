// The one way the phone waits for the relay before a call: thread commands, file calls and push
// settings all go through `readyConnection`, so they agree on how long to wait and on what "not
// connected" means, and a failure reads the same to the person wherever it came from.

import { describeHostFailure } from "./messages";
import { asFailure, type TetherSocket } from "./request";

/** Right after start-up or pairing the link is still connecting: wait this long rather than flash an error. */
export const CALL_CONNECT_WAIT_MS = 10_000;

export const NOT_CONNECTED_MESSAGE = "Not connected to the relay. This retries when the connection is back.";

/** Thrown by calls made while the relay connection is down. */
export class NotConnectedError extends Error {}

export interface Connection {
  socket: TetherSocket;
  deviceId: string;
}

/** What `readyConnection` needs of the link (`RelayLink`); plain so it can be tested without one. */
export interface ReadyLink {
  readonly authenticated: boolean;
  readonly deviceId: string | null;
  whenReady(signal?: AbortSignal): Promise<TetherSocket>;
}

/**
 * The open, greeted socket and this phone's id on it, waiting up to `waitMs` for the link to
 * come up. Throws NotConnectedError when it does not, or when the link carries no token (an
 * anonymous socket may only pair).
 */
export async function readyConnection(link: ReadyLink, waitMs = CALL_CONNECT_WAIT_MS): Promise<Connection> {
  if (!link.authenticated) throw new NotConnectedError();
  let socket: TetherSocket;
  try {
    socket = await link.whenReady(AbortSignal.timeout(waitMs));
  } catch {
    throw new NotConnectedError();
  }
  const deviceId = link.deviceId;
  if (!deviceId) throw new NotConnectedError();
  return { socket, deviceId };
}

/** Words for the person about a failed call to a host named `hostName`. */
export function describeCallFailure(error: unknown, hostName: string): string {
  if (error instanceof NotConnectedError) return NOT_CONNECTED_MESSAGE;
  return describeHostFailure(asFailure(error), hostName);
}
