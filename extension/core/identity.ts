// The host's long-term identity: its ECDH key pair, its content keys by epoch, its
// credentials per relay and the phones it paired. Persisted through a `StateStore` port
// (a 0600 file for the headless host, SecretStorage in the editor).
//
// Each paired phone also has a command key (ECDH of the two long-term keys + HKDF,
// `KeyPurpose.Command`): what that phone sends is sealed with it. It is derived, never
// stored: on load from each phone's stored public key (so pairings made before command keys
// existed work as they are), at pairing for a new phone, and dropped the moment the phone
// is revoked.
//
// Over 300 lines on purpose: keys, credentials and phones are one persisted record that
// changes together (a revocation rotates the content key and drops the command key in one save).

import { z } from "zod";
import {
  KeyPurpose,
  deriveSharedKey,
  exportPrivateKey,
  exportPublicKey,
  exportSecretKey,
  generateContentKey,
  generateDeviceKeyPair,
  importContentKey,
  importKeyPair,
  importPublicKey,
} from "#protocol";
import { ThreadKeyCache } from "#protocol/threadKeys";

const pairedPhoneSchema = z.object({
  id: z.string(),
  name: z.string(),
  publicKey: z.string(),
  /** Origin of the relay the phone paired through. */
  relay: z.string(),
  pairedAt: z.number(),
  /**
   * The newest content key epoch this phone was given (at pairing, or by a rekey record).
   * Absent in state written before key rotation existed: such a phone holds the current key.
   */
  epoch: z.number().int().min(1).optional(),
});
export type PairedPhone = z.infer<typeof pairedPhoneSchema>;

const epochKeySchema = z.object({ epoch: z.number().int().min(1), key: z.string() });
export type RawEpochKey = z.infer<typeof epochKeySchema>;

/** A read-only share of one thread; its secret is kept so its keys can be re-issued after a rotation. */
const threadShareSchema = z.object({
  id: z.string(),
  relay: z.string(),
  threadId: z.string(),
  secret: z.string(),
  createdAt: z.number(),
});
export type ThreadShare = z.infer<typeof threadShareSchema>;

export const hostStateSchema = z.object({
  version: z.literal(1),
  deviceKey: z.record(z.string(), z.unknown()),
  contentKeys: z.array(epochKeySchema).min(1),
  /**
   * The next content key, made when a phone was revoked and committed to `contentKeys` once
   * the remaining phones have it. Kept here so a rotation cut short by a crash is finished.
   */
  pendingKey: epochKeySchema.optional(),
  relays: z.record(z.string(), z.object({ deviceId: z.string(), token: z.string() })),
  phones: z.array(pairedPhoneSchema),
  /**
   * Phones revoked lately (newest last, at most `REMEMBER_REVOKED`): only so that what one of
   * them still sends is logged as "revoked" rather than "unknown". Absent in older state.
   */
  revoked: z.array(z.object({ id: z.string(), relay: z.string(), at: z.number() })).optional(),
  /**
   * From which epoch threads are sealed with their own keys (`protocol/threadKeys.ts`): 0 for a
   * host that never sealed them otherwise; a host from before thread keys switches in its
   * current epoch, which then holds both kinds. Absent only in state written before the switch.
   */
  threadKeysFrom: z.number().int().min(0).optional(),
  /** Threads shared read-only, on any relay. */
  shares: z.array(threadShareSchema).optional(),
});
export type HostState = z.infer<typeof hostStateSchema>;

/** How many revoked phones are remembered, for the log's sake. */
const REMEMBER_REVOKED = 100;

const phoneKeyId = (relay: string, phoneId: string): string => `${relay}\n${phoneId}`;

async function deriveCommandKey(privateKey: CryptoKey, phonePublicKey: string): Promise<CryptoKey> {
  return deriveSharedKey(privateKey, await importPublicKey(phonePublicKey), KeyPurpose.Command);
}

export interface StateStore {
  /** The saved state, or null on first start. Rejects with a readable message when corrupt. */
  load(): Promise<unknown>;
  save(state: HostState): Promise<void>;
}

export class HostIdentity {
  private saving: Promise<void> = Promise.resolve();
  /** Extractable: a shared thread's keys are handed to its viewers. */
  private readonly threadKeys = new ThreadKeyCache(true);
  /** Pairings between the relay's answer and the phone being saved (see `joining`). */
  private readonly joins = new Set<Promise<void>>();

  private constructor(
    private state: HostState,
    private readonly store: StateStore,
    readonly keyPair: CryptoKeyPair,
    /** This host's public key, raw P-256 point, base64url: it goes into the pairing QR. */
    readonly publicKey: string,
    private readonly contentKeys: Map<number, CryptoKey>,
    /** Each paired phone's command key, by relay and phone id. Non-extractable. */
    private readonly commandKeys: Map<string, CryptoKey>,
  ) {}

  static async loadOrCreate(store: StateStore): Promise<HostIdentity> {
    const raw = await store.load();
    let state: HostState;
    if (raw === null) {
      const pair = await generateDeviceKeyPair(true);
      state = {
        version: 1,
        deviceKey: (await exportPrivateKey(pair.privateKey)) as Record<string, unknown>,
        contentKeys: [{ epoch: 1, key: await exportSecretKey(await generateContentKey()) }],
        relays: {},
        phones: [],
        threadKeysFrom: 0,
      };
      await store.save(state);
    } else {
      const parsed = hostStateSchema.safeParse(raw);
      if (!parsed.success) throw new Error("The host's state file is not valid Tether state; move it away to start afresh.");
      state = parsed.data;
      if (state.threadKeysFrom === undefined) {
        // Everything up to now was sealed with the content key; from here on, thread keys.
        state = { ...state, threadKeysFrom: state.contentKeys[state.contentKeys.length - 1]!.epoch };
        await store.save(state);
      }
    }
    const keyPair = await importKeyPair(state.deviceKey as JsonWebKey, true);
    const keys = new Map<number, CryptoKey>();
    for (const { epoch, key } of [...state.contentKeys, ...(state.pendingKey ? [state.pendingKey] : [])]) {
      keys.set(epoch, await importContentKey(key, true));
    }
    const commandKeys = new Map<string, CryptoKey>();
    for (const phone of state.phones) {
      // A stored key that is not a P-256 point (a damaged file) leaves that phone unable to
      // send anything, rather than the host unable to start.
      const key = await deriveCommandKey(keyPair.privateKey, phone.publicKey).catch(() => undefined);
      if (key) commandKeys.set(phoneKeyId(phone.relay, phone.id), key);
    }
    return new HostIdentity(state, store, keyPair, await exportPublicKey(keyPair.publicKey), keys, commandKeys);
  }

  get epoch(): number {
    return this.state.contentKeys[this.state.contentKeys.length - 1]!.epoch;
  }

  /**
   * The content key of `epoch`, or undefined for an epoch this host never had. It seals what
   * the host publishes and opens history; it never opens a phone's command (see
   * `commandKey`). The pending key is here too, so a refusal can tell what a box was sealed with.
   */
  contentKey(epoch = this.epoch): CryptoKey | undefined {
    return this.contentKeys.get(epoch);
  }

  /** From which epoch threads are sealed with their own keys (see the state's `threadKeysFrom`). */
  get threadKeysFrom(): number {
    return this.state.threadKeysFrom ?? 0;
  }

  /**
   * The key thread `threadId` is sealed with in `epoch` (the current one unless given), derived
   * from that epoch's content key; undefined for an epoch this host never had.
   */
  async threadKey(threadId: string, epoch = this.epoch): Promise<CryptoKey | undefined> {
    const content = this.contentKeys.get(epoch);
    return content && this.threadKeys.get(content, epoch, threadId);
  }

  /** Every epoch this host has a key of, the pending one too, oldest first. */
  epochs(): number[] {
    return [...this.contentKeys.keys()].sort((a, b) => a - b);
  }

  shares(relay: string, threadId?: string): ThreadShare[] {
    return (this.state.shares ?? []).filter((s) => s.relay === relay && (threadId === undefined || s.threadId === threadId));
  }

  async addShare(share: ThreadShare): Promise<void> {
    await this.update({ shares: [...(this.state.shares ?? []), share] });
  }

  /** Forgets a share: its keys are re-issued no more. Answers the share, or undefined for none. */
  async removeShare(relay: string, id: string): Promise<ThreadShare | undefined> {
    const share = this.state.shares?.find((s) => s.relay === relay && s.id === id);
    if (share) await this.update({ shares: this.state.shares!.filter((s) => s !== share) });
    return share;
  }

  /** The current content key, raw, for sealing into a pairing grant. */
  currentKeyRaw(): string {
    return this.state.contentKeys[this.state.contentKeys.length - 1]!.key;
  }

  /** Every committed content key, oldest first, raw: a phone needs the old ones for history. */
  contentKeysRaw(): RawEpochKey[] {
    return this.state.contentKeys.map((k) => ({ ...k }));
  }

  /** The key a rotation made and the phones do not all have yet, if any. */
  get pendingKey(): RawEpochKey | undefined {
    return this.state.pendingKey && { ...this.state.pendingKey };
  }

  credentials(relay: string): { deviceId: string; token: string } | undefined {
    return this.state.relays[relay];
  }

  async setCredentials(relay: string, credentials: { deviceId: string; token: string } | undefined): Promise<void> {
    const relays = { ...this.state.relays };
    if (credentials) relays[relay] = credentials;
    else delete relays[relay];
    await this.update({ relays });
  }

  phones(relay: string): PairedPhone[] {
    return this.state.phones.filter((p) => p.relay === relay);
  }

  isPaired(relay: string, phoneId: string): boolean {
    return this.state.phones.some((p) => p.relay === relay && p.id === phoneId);
  }

  /**
   * The key a paired phone seals its commands and calls with, or undefined for a phone that is
   * not paired (never, or revoked). Content keys never open a command.
   */
  commandKey(relay: string, phoneId: string): CryptoKey | undefined {
    return this.commandKeys.get(phoneKeyId(relay, phoneId));
  }

  /**
   * Stops opening what this phone sends, before its revocation is confirmed by the relay;
   * answers a function that undoes it, for a revocation that did not go through.
   */
  suspendCommandKey(relay: string, phoneId: string): () => void {
    const id = phoneKeyId(relay, phoneId);
    const key = this.commandKeys.get(id);
    this.commandKeys.delete(id);
    return () => {
      if (key && this.isPaired(relay, phoneId) && !this.commandKeys.has(id)) this.commandKeys.set(id, key);
    };
  }

  /** Whether this phone was revoked (or unpaired itself) lately. */
  wasRevoked(relay: string, phoneId: string): boolean {
    return (this.state.revoked ?? []).some((r) => r.relay === relay && r.id === phoneId);
  }

  /**
   * Runs a pairing's last step (the relay's answer, then `addPhone`) and remembers it until it
   * settles: what a phone sends the moment it is paired may be read here before that step ends,
   * and waits for it (`settledJoins`) rather than being refused as from an unknown phone.
   */
  joining<T>(step: () => Promise<T>): Promise<T> {
    const running = step();
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    this.joins.add(settled);
    void settled.then(() => this.joins.delete(settled));
    return running;
  }

  /** Resolves once no pairing is half done; at once when none is. */
  async settledJoins(): Promise<boolean> {
    if (this.joins.size === 0) return false;
    await Promise.all([...this.joins]);
    return true;
  }

  /** The command key this host shares with a phone of that public key (ECDH + HKDF, `KeyPurpose.Command`). */
  commandKeyFor(phonePublicKey: string): Promise<CryptoKey> {
    return deriveCommandKey(this.keyPair.privateKey, phonePublicKey);
  }

  /**
   * Pairs a phone. With its command key derived beforehand (`commandKeyFor`), the phone is paired
   * before this yields: a command it sends the moment it has its grant finds it here.
   */
  async addPhone(phone: PairedPhone, commandKey?: CryptoKey): Promise<void> {
    const key = commandKey ?? (await this.commandKeyFor(phone.publicKey));
    this.commandKeys.set(phoneKeyId(phone.relay, phone.id), key);
    const others = this.state.phones.filter((p) => !(p.relay === phone.relay && p.id === phone.id));
    await this.update({ phones: [...others, phone] });
  }

  /**
   * Forgets a revoked phone (or one that unpaired itself) and, in the same save, makes the
   * next content key: from now on the phone is refused here, and once the remaining phones
   * hold the new key ({@link commitRotation}) nothing new is sealed with a key it had. A
   * pending key is replaced, never reused: the phone revoked now may have received it.
   */
  async revokePhone(relay: string, phoneId: string): Promise<PairedPhone | undefined> {
    // Before anything else: from here on nothing this phone seals opens.
    this.commandKeys.delete(phoneKeyId(relay, phoneId));
    const key = await generateContentKey();
    const raw = await exportSecretKey(key);
    // Read the state only after the await, so two revocations at once both count.
    const phone = this.state.phones.find((p) => p.relay === relay && p.id === phoneId);
    if (!phone) return undefined;
    const current = this.epoch;
    const previous = this.state.pendingKey;
    const pendingKey = { epoch: Math.max(current, previous?.epoch ?? 0) + 1, key: raw };
    if (previous) this.contentKeys.delete(previous.epoch);
    this.contentKeys.set(pendingKey.epoch, key);
    // A phone from before rotation existed holds the current key: say so, so it is rekeyed.
    const phones = this.state.phones
      .filter((p) => p !== phone)
      .map((p) => (p.epoch === undefined ? { ...p, epoch: current } : p));
    const revoked = [...(this.state.revoked ?? []), { id: phone.id, relay, at: Date.now() }].slice(-REMEMBER_REVOKED);
    await this.update({ phones, pendingKey, revoked });
    return phone;
  }

  /**
   * The pending key of `epoch` becomes the current one: everything sealed from now on uses
   * it. False when another revocation replaced it meanwhile (that one is to be handed out).
   */
  async commitRotation(epoch: number): Promise<boolean> {
    const pending = this.state.pendingKey;
    if (pending?.epoch !== epoch) return false;
    const { pendingKey: _done, ...rest } = this.state;
    this.state = rest;
    await this.update({ contentKeys: [...this.state.contentKeys, pending] });
    return true;
  }

  /** Records that these phones now hold the keys up to `epoch`. */
  async setPhoneEpoch(relay: string, phoneIds: readonly string[], epoch: number): Promise<void> {
    const ids = new Set(phoneIds);
    const phones = this.state.phones.map((p) =>
      p.relay === relay && ids.has(p.id) && (p.epoch ?? 0) < epoch ? { ...p, epoch } : p,
    );
    await this.update({ phones });
  }

  async forgetPhones(relay: string): Promise<void> {
    for (const phone of this.phones(relay)) this.commandKeys.delete(phoneKeyId(relay, phone.id));
    await this.update({ phones: this.state.phones.filter((p) => p.relay !== relay) });
  }

  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void> {
    return this.saving;
  }

  private async update(patch: Partial<HostState>): Promise<void> {
    this.state = { ...this.state, ...patch };
    const state = this.state;
    // One save at a time, in order: two writes through the same temporary file would race.
    const next = this.saving.then(() => this.store.save(state));
    this.saving = next.catch(() => undefined);
    await next;
  }
}
