// A host's content keys on this phone: the current one seals what the phone sends, and every
// epoch it was given opens what the host sealed then. After the host revokes another phone it
// rotates to a new epoch and hands the new key to each remaining phone in a `k-<phoneId>`
// record, sealed under a key only this phone and the host can derive.

// Direct module imports: the service worker bundles this file too.
import { KeyPurpose, sealContext } from "#protocol/contexts";
import { deriveSharedKey, importContentKey, importPublicKey, open } from "#protocol/crypto";
import { ErrorCode, TetherError } from "#protocol/errors";
import type { StoredRecord } from "#protocol/schemas";
import { REKEY_RECORD_PREFIX, rekeyRecordKey, rekeySchema, type EpochKey } from "#protocol/sealed";
import type { HostRecord } from "../store/records";

/** The key that opens a box of `epoch`; the current key when the phone has no other, so the box fails to open. */
export function keyFor(host: HostRecord, epoch: number): CryptoKey {
  if (epoch === host.epoch) return host.contentKey;
  return host.olderKeys?.find((k) => k.epoch === epoch)?.key ?? host.contentKey;
}

/** Whether the phone lacks the key of an epoch newer than its own: it has a rekey to fetch. */
export function isAhead(host: HostRecord, epoch: number): boolean {
  return epoch > host.epoch;
}

export function isRekeyRecord(record: StoredRecord): boolean {
  return record.key.startsWith(REKEY_RECORD_PREFIX);
}

/** Imports raw keys (non-extractable) into a host record: the newest becomes the current one. */
export async function withKeys(host: HostRecord, raw: readonly EpochKey[]): Promise<HostRecord> {
  const known = new Map<number, CryptoKey>([[host.epoch, host.contentKey]]);
  for (const k of host.olderKeys ?? []) known.set(k.epoch, k.key);
  let changed = false;
  for (const { epoch, key } of raw) {
    if (known.has(epoch)) continue;
    try {
      known.set(epoch, await importContentKey(key, false));
    } catch {
      throw new TetherError(ErrorCode.BadRequest, "The computer sent a content key this phone cannot use.");
    }
    changed = true;
  }
  if (!changed) return host;
  const epochs = [...known.keys()].sort((a, b) => a - b);
  const current = epochs[epochs.length - 1]!;
  return {
    ...host,
    epoch: current,
    contentKey: known.get(current)!,
    olderKeys: epochs.slice(0, -1).map((epoch) => ({ epoch, key: known.get(epoch)! })),
  };
}

/**
 * Opens this phone's rekey record and answers the host record with the keys added, or null
 * for another phone's record, one that does not open, or one that brings nothing new. A
 * replayed older record can add an epoch but never takes the current one back.
 */
export async function applyRekey(
  host: HostRecord,
  record: StoredRecord,
  me: { deviceId: string; privateKey: CryptoKey },
): Promise<HostRecord | null> {
  if (record.hostId !== host.hostId || record.key !== rekeyRecordKey(me.deviceId)) return null;
  try {
    const shared = await deriveSharedKey(me.privateKey, await importPublicKey(host.hostKey), KeyPurpose.Rekey);
    const parsed = rekeySchema.safeParse(await open(shared, record.box, sealContext.rekey(host.hostId, me.deviceId)));
    if (!parsed.success || parsed.data.hostId !== host.hostId || parsed.data.phoneId !== me.deviceId) return null;
    const updated = await withKeys(host, parsed.data.keys);
    return updated === host ? null : updated;
  } catch {
    return null;
  }
}
