// Per-thread keys: what a host seals a thread with (its events, live output, history pages and
// summary record), derived from the content key of the box's epoch, so one thread can be given
// to someone (a share link) without the others. A paired phone derives them from the content
// keys it holds; a viewer of a share is handed the ones of its thread.
//
// Hosts from before thread keys sealed everything with the content key. A host says from which
// epoch it seals with thread keys in its `thread-keys` record (content key, read by phones
// only): older epochs open with the content key, newer ones with the thread key only, and the
// epoch of the switch itself (the host switched in the middle of it) with either.

import { sealContext } from "./contexts";
import { deriveKeyFrom, keyBlock } from "./crypto";
import { z } from "./zod";

/** HKDF info of a thread key; the thread id and epoch follow it. */
export const THREAD_KEY_PURPOSE = "tether thread key";

/** The record in which a host says from which epoch it seals threads with their own keys. */
export const THREAD_KEYS_RECORD = "thread-keys";

export const threadKeysRecordSchema = z.strictObject({
  /**
   * Every box of an epoch above `from` is sealed with thread keys; those of `from` itself may
   * be either (the host switched during it); older ones are sealed with the content key. A host
   * that never sealed a thread with the content key says 0.
   */
  from: z.int().check(z.gte(0), z.lte(1_000_000)),
});
export type ThreadKeysRecord = z.infer<typeof threadKeysRecordSchema>;

/** The context the `thread-keys` record is sealed with (a content-key record like the profile). */
export const threadKeysContext = (hostId: string) => sealContext.record(hostId, THREAD_KEYS_RECORD);

/**
 * The key of thread `threadId` in `epoch`, from that epoch's content key. `extractable` only
 * on the host, which hands a shared thread's keys to its viewers.
 */
export async function deriveThreadKey(
  contentKey: CryptoKey,
  epoch: number,
  threadId: string,
  extractable = false,
): Promise<CryptoKey> {
  const label = `${THREAD_KEY_PURPOSE}|${epoch}|${threadId}`;
  return deriveKeyFrom(await keyBlock(contentKey, label), label, extractable);
}

/** Which key a box of `epoch` is sealed with, given the host's `thread-keys` record (or none). */
export function threadKeyUse(from: number | undefined, epoch: number): "content" | "thread" | "either" {
  if (from === undefined || epoch < from) return "content";
  return epoch === from ? "either" : "thread";
}

/** Thread keys by epoch and thread, derived once: every box of a thread in an epoch uses the same. */
export class ThreadKeyCache {
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  constructor(private readonly extractable = false) {}

  get(contentKey: CryptoKey, epoch: number, threadId: string): Promise<CryptoKey> {
    const id = `${epoch}\n${threadId}`;
    let key = this.keys.get(id);
    if (!key) {
      key = deriveThreadKey(contentKey, epoch, threadId, this.extractable);
      // A failed derivation is not kept: the next box asks again.
      key.catch(() => this.keys.delete(id));
      this.keys.set(id, key);
    }
    return key;
  }
}
