// What this phone keeps about itself and the hosts it paired with.

import { exportPublicKey, generateDeviceKeyPair, type HostProfile } from "#protocol";
import type { ProjectHooksRecord } from "#protocol/hooks";
import { Database, Stores } from "./db";

const DEVICE_KEY = "self";

export interface DeviceRecord {
  /** ECDH P-256, non-extractable: it never leaves this browser. */
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public key as the wire carries it (raw point, base64url). */
  publicKeyB64: string;
  /** Sent (sealed) to a host when pairing. */
  name: string;
  createdAt: number;
  /** Set by the relay at the first pairing; shared by every host paired on this relay. */
  deviceId?: string;
  /** Bearer token for the relay. */
  token?: string;
}

export interface HostRecord {
  hostId: string;
  /** The host's ECDH public key, base64url, as read from the QR code. */
  hostKey: string;
  /** Epoch of `contentKey`. */
  epoch: number;
  /** The host's AES-256-GCM content key, non-extractable. */
  contentKey: CryptoKey;
  /**
   * Seals this phone's commands and calls to the host and opens the replies: derived from this
   * phone's and the host's keys (`hosts/commandKey.ts`), non-extractable. Absent in records
   * saved before command keys existed, until the app's next start derives it.
   */
  commandKey?: CryptoKey;
  /** Keys of earlier epochs, for what the host sealed before it rotated its key. */
  olderKeys?: { epoch: number; key: CryptoKey }[];
  profile: HostProfile;
  /** Relay time of the `profile` record `profile` came from; older records are ignored. */
  profileAt?: number;
  /** The host's project hooks, from its `hooks` record (absent: none published, an older host). */
  hooks?: ProjectHooksRecord;
  /** Relay time of the `hooks` record `hooks` came from. */
  hooksAt?: number;
  pairedAt: number;
  /** Set when the host revoked this phone: its screens say so instead of failing calls. */
  unpairedAt?: number;
}

/**
 * This phone's identity, made on first use. Two tabs opening at once may both generate a
 * key pair; only the first one stored wins and both use it.
 */
export async function loadOrCreateDevice(db: Database, defaultName: string): Promise<DeviceRecord> {
  const existing = await db.get<DeviceRecord>(Stores.device, DEVICE_KEY);
  if (existing) return existing;
  const pair = await generateDeviceKeyPair(false);
  const fresh: DeviceRecord = {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicKeyB64: await exportPublicKey(pair.publicKey),
    name: defaultName,
    createdAt: Date.now(),
  };
  if (await db.add(Stores.device, fresh, DEVICE_KEY)) return fresh;
  const winner = await db.get<DeviceRecord>(Stores.device, DEVICE_KEY);
  if (!winner) throw new Error("the device record vanished while it was being created");
  return winner;
}

export function saveDevice(db: Database, device: DeviceRecord): Promise<void> {
  return db.put(Stores.device, device, DEVICE_KEY);
}

export function loadHosts(db: Database): Promise<HostRecord[]> {
  return db.getAll<HostRecord>(Stores.hosts);
}

export function saveHost(db: Database, host: HostRecord): Promise<void> {
  return db.put(Stores.hosts, host);
}

export function deleteHost(db: Database, hostId: string): Promise<void> {
  return db.delete(Stores.hosts, hostId);
}

export function deleteAllHosts(db: Database): Promise<void> {
  return db.clear(Stores.hosts);
}
