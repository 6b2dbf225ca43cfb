// Requests to the relay: acks with a timeout, answers parsed before use.

import type { Socket } from "socket.io-client";
import type { z } from "zod/mini";
import { ErrorCode, TetherError, type ClientToServerEvents, type Failure, type ServerToClientEvents } from "#protocol";

export type TetherSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Sends with `send` and parses the ack with `schema`. A timeout (socket.io rejects the ack
 * promise) and an answer of the wrong shape become a {@link TetherError}.
 */
export async function request<S extends z.ZodMiniType>(send: () => Promise<unknown>, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = await send();
  } catch {
    throw new TetherError(ErrorCode.Timeout, "The relay did not answer in time.");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new TetherError(ErrorCode.BadRequest, "The relay sent an answer this app doesn't understand.");
  }
  return parsed.data;
}

export function failed(failure: Failure): TetherError {
  return new TetherError(failure.code, failure.message);
}

/** The code and message of anything thrown, for showing to a person. */
export function asFailure(error: unknown): Failure {
  if (error instanceof TetherError) return error.toFailure();
  // zod errors, DOMExceptions from WebCrypto: the details help no one on a phone screen.
  return { ok: false, code: ErrorCode.Internal, message: "Something went wrong in this app." };
}
