/** Error codes carried by every `{ ok: false }` answer, on the wire and inside sealed replies. */
export const ErrorCode = {
  /** The payload did not match its schema. */
  BadRequest: "bad-request",
  /** No token, or a token the relay does not know (or revoked). */
  Unauthorized: "unauthorized",
  /** The device is known but may not do this (wrong kind, not paired with that host). */
  Forbidden: "forbidden",
  /** Client and relay speak different protocol versions. */
  ProtocolMismatch: "protocol-mismatch",
  NotFound: "not-found",
  /** The request clashes with what is stored (an event number reused with other content). */
  Conflict: "conflict",
  /** The pairing slot expired (5 minutes) or never existed. */
  SlotExpired: "slot-expired",
  /** The pairing slot was already used by another phone. */
  SlotUsed: "slot-used",
  /** The person at the host said no, or the pairing proof did not check out. */
  PairDeclined: "pair-declined",
  HostOffline: "host-offline",
  Timeout: "timeout",
  TooLarge: "too-large",
  RateLimited: "rate-limited",
  /** A sealed payload failed to open: wrong key, altered, or moved to another context. */
  BadSeal: "bad-seal",
  /** A path resolved outside the workspace. */
  OutsideWorkspace: "outside-workspace",
  /** A path names a secret file (`.env`, private keys, credentials) that is never served. */
  SecretFile: "secret-file",
  Internal: "internal",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The failure half of every answer. */
export interface Failure {
  ok: false;
  code: ErrorCode;
  message: string;
}

/** An acknowledgement: `{ ok: true, ...T }` or a typed failure. */
export type Ack<T extends object = object> = ({ ok: true } & T) | Failure;

export function failure(code: ErrorCode, message: string): Failure {
  return { ok: false, code, message };
}

/** An error that carries a wire code, thrown inside handlers and turned into a `Failure`. */
export class TetherError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "TetherError";
  }

  toFailure(): Failure {
    return failure(this.code, this.message);
  }
}
