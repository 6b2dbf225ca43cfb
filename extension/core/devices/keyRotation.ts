// Hands the host's content keys to its phones after a rotation. Each remaining phone gets a
// `k-<phoneId>` record: every key epoch, sealed under a key only that phone and this host can
// derive (ECDH + HKDF, purpose `tether content key rekey`). The relay stores it like any
// record, so a phone that is offline now finds it in its next sync, before any event.
//
// Order matters: the new key is handed out before it is committed, so no phone receives an
// envelope sealed with a key it cannot have yet; the relay forwards a host's messages in the
// order it sent them.

import {
  KeyPurpose,
  PAIRWISE_EPOCH,
  deriveSharedKey,
  importPublicKey,
  rekeyRecordKey,
  seal,
  sealContext,
  type EpochKey,
  type Rekey,
} from "#protocol";
import type { HostIdentity, PairedPhone } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";

export class KeyRotation {
  private chain: Promise<void> = Promise.resolve();
  /**
   * Runs once the phones have the pending key and before it is committed: what else needs the
   * new epoch's keys (a shared thread's viewers) gets them before anything is sealed with it.
   */
  beforeCommit: (() => Promise<void>) | undefined;

  constructor(
    private readonly link: RelayLink,
    private readonly identity: HostIdentity,
    private readonly log: Log,
  ) {}

  /**
   * Finishes a rotation (hands the pending key to the phones on this relay, then commits it)
   * and brings phones that missed an earlier one up to date. One run at a time; safe to call
   * after every revocation and every connect.
   */
  sync(): Promise<void> {
    const run = this.chain.then(() => this.run());
    this.chain = run.catch((err: unknown) => this.log.warn("key rotation did not finish", { error: (err as Error).message }));
    return run;
  }

  private async run(): Promise<void> {
    const { identity, link } = this;
    // A revocation during the hand-out replaces the pending key: hand out that one instead.
    for (let pending = identity.pendingKey; pending; pending = identity.pendingKey) {
      await this.hand(identity.phones(link.relay), [...identity.contentKeysRaw(), pending]);
      await this.beforeCommit?.().catch((err: unknown) =>
        this.log.warn("could not re-issue the shares' keys before the rotation", { error: (err as Error).message }),
      );
      if (await identity.commitRotation(pending.epoch)) {
        this.log.info("content key rotated", { epoch: pending.epoch });
        break;
      }
    }
    const current = identity.epoch;
    const behind = identity.phones(link.relay).filter((p) => (p.epoch ?? current) < current);
    if (behind.length > 0) await this.hand(behind, identity.contentKeysRaw());
  }

  /** Publishes each phone's rekey record; a phone whose record was stored is marked. */
  private async hand(phones: readonly PairedPhone[], keys: EpochKey[]): Promise<void> {
    if (phones.length === 0) return;
    const hostId = this.link.deviceId;
    const newest = keys[keys.length - 1]!.epoch;
    const reached: string[] = [];
    for (const phone of phones) {
      try {
        const shared = await deriveSharedKey(
          this.identity.keyPair.privateKey,
          await importPublicKey(phone.publicKey),
          KeyPurpose.Rekey,
        );
        const rekey: Rekey = { hostId, phoneId: phone.id, keys };
        const box = await seal(shared, PAIRWISE_EPOCH, rekey, sealContext.rekey(hostId, phone.id));
        const answer = await this.link.request("record:put", { key: rekeyRecordKey(phone.id), box });
        if (answer.ok) reached.push(phone.id);
        else this.log.warn("could not hand a phone the new key; trying again on the next connect", { code: answer.code });
      } catch (err) {
        this.log.warn("could not seal the new key for a phone", { error: (err as Error).message });
      }
    }
    await this.identity.setPhoneEpoch(this.link.relay, reached, newest);
  }
}
