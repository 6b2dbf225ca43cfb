// A small promise wrapper over IndexedDB. IndexedDB is the one browser store that keeps
// CryptoKey objects as they are, so the device's private key and the hosts' content keys
// stay non-extractable and never exist as bytes in JavaScript.

import { pagesOfEvents } from "./pageRecords";
import type { CachedEvent } from "../threads/cache";

export const DB_NAME = "tether";
const DB_VERSION = 4;

/** Object stores and their keys. */
export const Stores = {
  /** One record, key {@link DEVICE_KEY}: this phone's identity. */
  device: "device",
  /** Paired hosts, keyed by `hostId`. */
  hosts: "hosts",
  /** Thread summaries and how far this phone has each thread, keyed by `[hostId, threadId]`. */
  threads: "threads",
  /**
   * Opened thread events, a run of one thread's events per record (`store/eventPages.ts`), keyed by
   * `[hostId, threadId, last seq]`. Since version 4; they were one record per event before.
   */
  pages: "pages",
  /** Small settings by name (muted hosts for notifications, …). */
  settings: "settings",
  /** Commands not yet taken by the relay, keyed by command id (`threads/outbox.ts`). Since version 3. */
  outbox: "outbox",
} as const;
export type StoreName = (typeof Stores)[keyof typeof Stores];

export function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

export function completed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

/** Version 3's store of one record per event, keyed by `[hostId, threadId, seq]`. */
const OLD_EVENTS = "events";

function moveEventsToPages(db: IDBDatabase, upgrade: IDBTransaction): void {
  const all = upgrade.objectStore(OLD_EVENTS).getAll();
  all.onsuccess = () => {
    const pages = upgrade.objectStore(Stores.pages);
    for (const page of pagesOfEvents(all.result as CachedEvent[])) pages.put(page);
    db.deleteObjectStore(OLD_EVENTS);
  };
}

export class Database {
  private constructor(private readonly db: IDBDatabase) {
    // Another tab upgrading the schema must not be blocked by this one.
    db.onversionchange = () => db.close();
  }

  static open(factory: IDBFactory = indexedDB): Promise<Database> {
    return new Promise((resolve, reject) => {
      const request = factory.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        const upgrade = request.transaction;
        if (!db.objectStoreNames.contains(Stores.device)) db.createObjectStore(Stores.device);
        if (!db.objectStoreNames.contains(Stores.hosts)) db.createObjectStore(Stores.hosts, { keyPath: "hostId" });
        if (!db.objectStoreNames.contains(Stores.threads))
          db.createObjectStore(Stores.threads, { keyPath: ["hostId", "threadId"] });
        if (!db.objectStoreNames.contains(Stores.pages)) {
          db.createObjectStore(Stores.pages, { keyPath: ["hostId", "threadId", "last"] });
          // In the upgrade's own transaction: it fails whole, and the old store stays, or moves whole.
          if (upgrade && db.objectStoreNames.contains(OLD_EVENTS)) moveEventsToPages(db, upgrade);
        }
        if (!db.objectStoreNames.contains(Stores.settings)) db.createObjectStore(Stores.settings);
        if (!db.objectStoreNames.contains(Stores.outbox)) db.createObjectStore(Stores.outbox, { keyPath: "id" });
      };
      request.onsuccess = () => resolve(new Database(request.result));
      request.onerror = () => reject(request.error ?? new Error("IndexedDB could not be opened"));
      request.onblocked = () => reject(new Error("IndexedDB is blocked by another tab of this app"));
    });
  }

  /** A transaction for work of several requests (`store/eventPages.ts`). */
  transaction(store: StoreName, mode: IDBTransactionMode): IDBTransaction {
    return this.db.transaction(store, mode);
  }

  async get<T>(store: StoreName, key: IDBValidKey): Promise<T | undefined> {
    const tx = this.db.transaction(store, "readonly");
    return (await promised(tx.objectStore(store).get(key))) as T | undefined;
  }

  async getAll<T>(store: StoreName): Promise<T[]> {
    const tx = this.db.transaction(store, "readonly");
    return (await promised(tx.objectStore(store).getAll())) as T[];
  }

  /** Records with keys in `range`, in key order. */
  async getRange<T>(store: StoreName, range: IDBKeyRange): Promise<T[]> {
    const tx = this.db.transaction(store, "readonly");
    return (await promised(tx.objectStore(store).getAll(range))) as T[];
  }

  /** The keys of the records in `range`, in key order, without reading the records. */
  async getKeys(store: StoreName, range: IDBKeyRange): Promise<IDBValidKey[]> {
    const tx = this.db.transaction(store, "readonly");
    return promised(tx.objectStore(store).getAllKeys(range));
  }

  /** Writes several records in one transaction (stores with a key path). */
  async putMany(store: StoreName, values: readonly unknown[]): Promise<void> {
    if (values.length === 0) return;
    const tx = this.db.transaction(store, "readwrite");
    const objects = tx.objectStore(store);
    for (const value of values) objects.put(value);
    await completed(tx);
  }

  async deleteRange(store: StoreName, range: IDBKeyRange): Promise<void> {
    const tx = this.db.transaction(store, "readwrite");
    tx.objectStore(store).delete(range);
    await completed(tx);
  }

  /** Writes `value`; `key` only for stores without a key path. */
  async put(store: StoreName, value: unknown, key?: IDBValidKey): Promise<void> {
    const tx = this.db.transaction(store, "readwrite");
    tx.objectStore(store).put(value, key);
    await completed(tx);
  }

  /** Writes `value` unless the key exists; answers false when it did. */
  async add(store: StoreName, value: unknown, key?: IDBValidKey): Promise<boolean> {
    const tx = this.db.transaction(store, "readwrite");
    const request = tx.objectStore(store).add(value, key);
    let duplicate = false;
    // A duplicate key is an expected answer here: keep the transaction from aborting.
    request.onerror = (event) => {
      if (request.error?.name === "ConstraintError") {
        duplicate = true;
        event.preventDefault();
        event.stopPropagation();
      }
    };
    await completed(tx);
    return !duplicate;
  }

  async delete(store: StoreName, key: IDBValidKey): Promise<void> {
    const tx = this.db.transaction(store, "readwrite");
    tx.objectStore(store).delete(key);
    await completed(tx);
  }

  async clear(store: StoreName): Promise<void> {
    const tx = this.db.transaction(store, "readwrite");
    tx.objectStore(store).clear();
    await completed(tx);
  }

  close(): void {
    this.db.close();
  }
}
