// Per-thread keys: what a host seals a thread with (its events, live output, history pages and
// summary record), derived from the content key of the box's epoch, so one thread can be given
// to someone (a share link) without the others. A paired phone derives them from the content
// keys it holds; a viewer of a share is handed the ones of its thread.
//
// Hosts from before thread keys sealed everything with the content key. A host says from which
// epoch it seals with thread keys in its `thread-keys` record (content key, read by phones
// only): older epochs open with the content key, newer ones with the thread key only, and the
// epoch of the switch itself (the host switched in the middle of it) with either.

import { THREAD_KEYS_RECORD, sealContext } from "./contexts";
import { currentAesGcm, open } from "./crypto";
import { utf8 } from "./encoding";
import { ErrorCode, TetherError } from "./errors";
import type { Box } from "./schemas";
import { z } from "./zod";

/** HKDF info of a thread key; the thread id and epoch follow it. */
export const THREAD_KEY_PURPOSE = "tether thread key";

export { THREAD_KEYS_RECORD };

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

const subtle = globalThis.crypto.subtle;
const AAD_PREFIX = "tether/1";

/**
 * 32 bytes only holders of `key` can compute for `label`: AES-GCM's keystream under `key` at an
 * IV taken from SHA-256 of the label, tag dropped. The one way to derive from a content key a
 * phone keeps non-extractable (WebCrypto derives nothing from an AES key). Used only as HKDF
 * input (`deriveKeyFrom`), so the bytes themselves never leave the device; a box sealed with a
 * random IV that happened to equal this one would still gain nothing from a derived key.
 */
export async function keyBlock(key: CryptoKey, label: string): Promise<Uint8Array<ArrayBuffer>> {
  const iv = new Uint8Array(await subtle.digest("SHA-256", utf8(`${AAD_PREFIX}|block|${label}`))).slice(0, 12);
  const out = await currentAesGcm().encrypt(key, iv, utf8(label), new Uint8Array(32));
  return new Uint8Array(out).slice(0, 32);
}

/** An AES-256-GCM key from secret bytes, HKDF-SHA256 with `purpose` as info. */
export async function deriveKeyFrom(secret: Uint8Array<ArrayBuffer>, purpose: string, extractable = false): Promise<CryptoKey> {
  const hkdfKey = await subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  return subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: utf8(AAD_PREFIX), info: utf8(purpose) },
    hkdfKey,
    { name: "AES-GCM", length: 256 },
    extractable,
    ["encrypt", "decrypt"],
  );
}

/** `length` bytes from secret bytes, HKDF-SHA256 with `purpose` as info. */
export async function deriveBytesFrom(
  secret: Uint8Array<ArrayBuffer>,
  purpose: string,
  length = 32,
): Promise<Uint8Array<ArrayBuffer>> {
  const hkdfKey = await subtle.importKey("raw", secret, "HKDF", false, ["deriveBits"]);
  const bits = await subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: utf8(AAD_PREFIX), info: utf8(purpose) },
    hkdfKey,
    length * 8,
  );
  return new Uint8Array(bits);
}

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
