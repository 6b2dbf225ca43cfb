// What a refused or failed connection means for the person holding the phone.

import { ErrorCode, PROTOCOL_VERSION } from "#protocol";
import { connectErrorDataSchema } from "./inbound";

export type LinkProblem =
  /** App and relay speak different protocol versions: reconnecting cannot help. */
  | { kind: "protocol-mismatch"; message: string }
  /**
   * The relay does not know this phone's token: `revoked` when its last computer unpaired it,
   * otherwise the relay lost its data.
   */
  | { kind: "unauthorized"; message: string; revoked: boolean }
  /** Anything else: the socket keeps trying. */
  | { kind: "unreachable"; message: string };

export const UNREACHABLE_MESSAGE = "Can't reach the relay — retrying…";
export const UNAUTHORIZED_MESSAGE = "This phone is no longer paired with this relay.";
export const UNPAIRED_MESSAGE = "This phone was unpaired from its computer.";

/** "This phone was unpaired from work laptop and Mac mini." */
export function unpairedMessage(hostNames: readonly string[]): string {
  if (hostNames.length === 0) return UNPAIRED_MESSAGE;
  const names =
    hostNames.length === 1 ? hostNames[0]! : `${hostNames.slice(0, -1).join(", ")} and ${hostNames[hostNames.length - 1]!}`;
  return `This phone was unpaired from ${names}.`;
}

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
      const revoked = parsed.data.revoked === true;
      return { kind: "unauthorized", message: revoked ? UNPAIRED_MESSAGE : UNAUTHORIZED_MESSAGE, revoked };
    }
  }
  return { kind: "unreachable", message: UNREACHABLE_MESSAGE };
}
