// The service worker reads the app's own IndexedDB records: the host's content and command
// keys (non-extractable CryptoKeys, which IndexedDB hands back as they were stored) and the
// device's id and token. It opens the database per push and closes it at once, so an app tab that
// upgrades the schema is never blocked by the worker.

import { Database, Stores } from "../store/db";
import type { DeviceRecord, HostRecord } from "../store/records";
import { deriveCommandKey } from "../hosts/commandKey";

async function withDatabase<T>(use: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open();
  try {
    return await use(db);
  } finally {
    db.close();
  }
}

export function loadHost(hostId: string): Promise<HostRecord | undefined> {
  return withDatabase((db) => db.get<HostRecord>(Stores.hosts, hostId));
}

/** The sender of a command: the host's record, this phone's relay identity and its command key. */
export async function loadSender(
  hostId: string,
): Promise<{ host: HostRecord; deviceId: string; token: string; commandKey: CryptoKey } | null> {
  return withDatabase(async (db) => {
    const host = await db.get<HostRecord>(Stores.hosts, hostId);
    // The device store holds exactly one record, this phone's identity.
    const [device] = await db.getAll<DeviceRecord>(Stores.device);
    if (!host || !device?.deviceId || !device.token) return null;
    // A record from before command keys: the app stores the key on its next start; until then
    // the worker derives the same key itself.
    const commandKey = host.commandKey ?? (await deriveCommandKey(device.privateKey, host.hostKey));
    return { host, deviceId: device.deviceId, token: device.token, commandKey };
  });
}
