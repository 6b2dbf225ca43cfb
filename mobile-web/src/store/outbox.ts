// The outbox's items in IndexedDB, so a command made offline survives a reload.

import type { OutboxItem, OutboxStorage } from "../threads/outbox";
import { Stores, type Database } from "./db";

export function outboxStorage(db: Database): OutboxStorage {
  return {
    all: () => db.getAll<OutboxItem>(Stores.outbox),
    put: (item) => db.put(Stores.outbox, item),
    delete: (id) => db.delete(Stores.outbox, id),
  };
}
