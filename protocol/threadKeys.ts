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
import { deriveKeyFrom, keyBlock, open } from "./crypto";
import { ErrorCode, TetherError } from "./errors";
import type { Box } from "./schemas";
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

/**
 * Which keys may open a box of `epoch`, in the order to try them, given the host's `thread-keys`
 * record. Without the record (an older host, or the record not read yet) the content key goes
 * first: an older host's boxes then open at the first try.
 */
export function threadKeyUse(from: number | undefined, epoch: number): readonly ("content" | "thread")[] {
  if (from === undefined) return ["content", "thread"];
  if (epoch < from) return ["content"];
  return epoch === from ? ["thread", "content"] : ["thread"];
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

/**
 * Opens a host's thread boxes with the right key: keeps the host's `thread-keys` record and the
 * thread keys derived from its content keys (`contentKey` answers the key of an epoch, or
 * undefined when this side has none).
 */
export class ThreadBoxOpener {
  private from: number | undefined;
  private readonly cache = new ThreadKeyCache();

  constructor(
    private readonly hostId: string,
    private readonly contentKey: (epoch: number) => CryptoKey | undefined,
  ) {}

  get switchedAt(): number | undefined {
    return this.from;
  }

  /** Reads the host's `thread-keys` record (false for any other record, or one that does not open). */
  async noteRecord(record: { hostId: string; key: string; box: Box }): Promise<boolean> {
    if (record.hostId !== this.hostId || record.key !== THREAD_KEYS_RECORD) return false;
    const key = this.contentKey(record.box.e);
    if (!key) return false;
    try {
      const parsed = threadKeysRecordSchema.safeParse(await open(key, record.box, threadKeysContext(this.hostId)));
      if (!parsed.success) return false;
      this.from = parsed.data.from;
      return true;
    } catch {
      return false;
    }
  }

  /** `fn` with each key a box of `epoch` of thread `threadId` may be sealed with, until one opens it. */
  async open<T>(epoch: number, threadId: string, fn: (key: CryptoKey) => Promise<T>): Promise<T> {
    const content = this.contentKey(epoch);
    if (!content) throw new TetherError(ErrorCode.BadSeal, `no key of epoch ${epoch}`);
    const kinds = threadId === "" ? (["content"] as const) : threadKeyUse(this.from, epoch);
    let failure: unknown;
    for (const kind of kinds) {
      try {
        return await fn(kind === "content" ? content : await this.cache.get(content, epoch, threadId));
      } catch (err) {
        failure = err;
      }
    }
    throw failure;
  }
}
