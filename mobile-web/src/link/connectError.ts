// What a refused or failed connection means for the person holding the phone.

import { ErrorCode, PROTOCOL_VERSION } from "../../../protocol/index";
import { connectErrorDataSchema } from "./inbound";

export type LinkProblem =
  /** App and relay speak different protocol versions: reconnecting cannot help. */
  | { kind: "protocol-mismatch"; message: string }
  /** The relay does not know this phone's token (revoked, or the relay lost its data). */
  | { kind: "unauthorized"; message: string }
  /** Anything else: the socket keeps trying. */
  | { kind: "unreachable"; message: string };

export const UNREACHABLE_MESSAGE = "Can't reach the relay — retrying…";
export const UNAUTHORIZED_MESSAGE = "This phone is no longer paired with this relay.";

export function mismatchMessage(appVersion: number, relayVersion: number | undefined): string {
  const relay = relayVersion === undefined ? "another protocol" : `protocol ${relayVersion}`;
  return (
    `This app (protocol ${appVersion}) and the relay (${relay}) don't match. ` +
    "Reload the page to update; if it persists, update the relay."
  );
}

/** Reads `connect_error`: its `data` carries the relay's reason when the relay refused us. */
export function classifyConnectError(error: unknown): LinkProblem {
  const data = typeof error === "object" && error !== null ? (error as { data?: unknown }).data : undefined;
  const parsed = connectErrorDataSchema.safeParse(data);
  if (parsed.success) {
    if (parsed.data.code === ErrorCode.ProtocolMismatch) {
      return { kind: "protocol-mismatch", message: mismatchMessage(PROTOCOL_VERSION, parsed.data.relayVersion) };
    }
    if (parsed.data.code === ErrorCode.Unauthorized) {
      return { kind: "unauthorized", message: UNAUTHORIZED_MESSAGE };
    }
  }
  return { kind: "unreachable", message: UNREACHABLE_MESSAGE };
}
