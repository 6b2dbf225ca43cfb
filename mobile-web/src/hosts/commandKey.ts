// The key this phone seals its commands and calls to one host with, and opens the replies
// with: ECDH of this phone's and the host's long-term keys, HKDF with its own purpose. Only
// this phone and that host can derive it, so no other phone can speak as this one. Derived
// once (at pairing, or on the first start after an update for a phone paired before command
// keys existed) and kept, non-extractable, in the host's IndexedDB record.

// Direct module imports: the service worker bundles this file too.
import { KeyPurpose } from "#protocol/contexts";
import { deriveSharedKey, importPublicKey } from "#protocol/crypto";
import { ErrorCode, TetherError } from "#protocol/errors";
import type { Database } from "../store/db";
import { saveHost, type DeviceRecord, type HostRecord } from "../store/records";

export async function deriveCommandKey(privateKey: CryptoKey, hostKey: string): Promise<CryptoKey> {
  return deriveSharedKey(privateKey, await importPublicKey(hostKey), KeyPurpose.Command);
}

/** The host record with its command key; the same record when it has one already. */
export async function withCommandKey(host: HostRecord, privateKey: CryptoKey): Promise<HostRecord> {
  if (host.commandKey) return host;
  return { ...host, commandKey: await deriveCommandKey(privateKey, host.hostKey) };
}

/** The command key of a host record the app loaded (every such record has one). */
export function commandKeyOf(host: HostRecord): CryptoKey {
  if (!host.commandKey)
    throw new TetherError(ErrorCode.Internal, "This phone's key for the computer is missing; reload the app.");
  return host.commandKey;
}

/**
 * Gives every loaded host record its command key: records saved before command keys existed
 * get theirs derived now and stored, so this happens once per host.
 */
export async function withCommandKeys(db: Database, device: DeviceRecord, hosts: HostRecord[]): Promise<HostRecord[]> {
  return Promise.all(
    hosts.map(async (host) => {
      const keyed = await withCommandKey(host, device.privateKey);
      // Not stored this time (storage full, a closing tab): derived again on the next start.
      if (keyed !== host) await saveHost(db, keyed).catch(() => undefined);
      return keyed;
    }),
  );
}
