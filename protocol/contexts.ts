// The associated data for each kind of sealed box. Sender and receiver build the context
// from the routing metadata they each see, so a box replayed anywhere else fails to open.

import type { SealContext } from "./crypto";

export const sealContext = {
  event: (hostId: string, threadId: string, seq: number): SealContext => ["event", hostId, threadId, seq],
  /** A history page: a thread's events `from`..`to` in one box (historyPages.ts). */
  page: (hostId: string, threadId: string, from: number, to: number): SealContext => ["page", hostId, threadId, from, to],
  record: (hostId: string, key: string): SealContext => ["record", hostId, key],
  /** A phone's call, sealed with its command key (`KeyPurpose.Command`); so is the reply. */
  rpcCall: (hostId: string, phoneId: string, id: string): SealContext => ["rpc-call", hostId, phoneId, id],
  rpcReply: (hostId: string, phoneId: string, id: string): SealContext => ["rpc-reply", hostId, phoneId, id],
  /** A phone's command, sealed with its command key (`KeyPurpose.Command`); so is the reply. */
  command: (hostId: string, phoneId: string, id: string): SealContext => ["command", hostId, phoneId, id],
  commandReply: (hostId: string, phoneId: string, id: string): SealContext => ["command-reply", hostId, phoneId, id],
  push: (hostId: string, tag: string): SealContext => ["push", hostId, tag],
  live: (hostId: string, threadId: string, n: number): SealContext => ["live", hostId, threadId, n],
  mirror: (hostId: string, n: number): SealContext => ["mirror", hostId, n],
  pairHello: (slotId: string): SealContext => ["pair-hello", slotId],
  pairGrant: (slotId: string): SealContext => ["pair-grant", slotId],
  rekey: (hostId: string, phoneId: string): SealContext => ["rekey", hostId, phoneId],
} as const;

/** The record in which a host says from which epoch it seals threads with their own keys (threadKeys.ts). */
export const THREAD_KEYS_RECORD = "thread-keys";

/** HKDF `info` strings for keys derived from two devices' ECDH keys. */
export const KeyPurpose = {
  PairHello: "tether pair hello",
  PairGrant: "tether content key grant",
  Rekey: "tether content key rekey",
  /**
   * The key one phone seals its commands and calls with, and the host its replies to them.
   * Only that phone and the host can derive it: no other phone, and no relay holding a
   * content key, can speak as it, and the host forgets it the moment the phone is revoked.
   */
  Command: "tether phone command key",
} as const;

/** Epoch used for boxes sealed with a pairwise (ECDH-derived) key rather than a content key. */
export const PAIRWISE_EPOCH = 1;
