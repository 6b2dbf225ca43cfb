import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../../../relay/store/migrations";
import { SqliteStore } from "../../../relay/store/sqlite";
import { box, fcm, storeContract } from "./contract";
import { pagesContract } from "./pagesContract";
import { sharesContract } from "./sharesContract";

// Two SqliteStores on one file are not how a relay runs (one process owns its database), so
// the contract runs without the "two processes" part here.
storeContract("SQLite", { open: async () => new SqliteStore(":memory:") });
pagesContract("SQLite", async () => new SqliteStore(":memory:"));
sharesContract("SQLite", async () => new SqliteStore(":memory:"));

describe("SQLite store: its file", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tether-store-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("migrates a new database to the current schema and reopens it as it was", async () => {
    const file = join(dir, "relay.sqlite");
    const store = new SqliteStore(file);
    assert.equal(store.schemaVersion, 7);
    await store.insertDevice({ id: "h1", kind: "host", tokenHash: "ab", createdAt: 1, lastSeen: 1, revokedAt: null });
    await store.appendEvent({ hostId: "h1", threadId: "t", seq: 1, box: box(1), at: 5 });
    await store.close();
    await store.close();
    await assert.rejects(store.device("h1"), "a closed store fails its calls");
    const again = new SqliteStore(file);
    assert.equal(again.schemaVersion, 7);
    assert.equal((await again.deviceByTokenHash("ab"))?.id, "h1");
    assert.equal((await again.eventsAfter("h1", {}, 10)).events.length, 1);
    await again.close();
  });

  it("upgrades a version 1 database in place, keeping what it holds", async () => {
    const file = join(dir, "old.sqlite");
    const db = new Database(file);
    db.exec(`CREATE TABLE devices (id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('host', 'phone')),
      token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, revoked_at INTEGER);
      CREATE TABLE links (phone_id TEXT NOT NULL, host_id TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (phone_id, host_id)) WITHOUT ROWID;
      CREATE TABLE slots (id TEXT PRIMARY KEY, host_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
        joined_by TEXT, joined_device TEXT, closed_at INTEGER);
      CREATE TABLE events (host_id TEXT NOT NULL, thread_id TEXT NOT NULL, seq INTEGER NOT NULL, epoch INTEGER NOT NULL,
        iv TEXT NOT NULL, ct TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (host_id, thread_id, seq)) WITHOUT ROWID;
      CREATE TABLE records (host_id TEXT NOT NULL, key TEXT NOT NULL, epoch INTEGER NOT NULL, iv TEXT NOT NULL, ct TEXT NOT NULL,
        at INTEGER NOT NULL, PRIMARY KEY (host_id, key)) WITHOUT ROWID;
      INSERT INTO devices VALUES ('h1', 'host', 'ab', 1, 1, NULL);
      PRAGMA user_version = 1;`);
    db.close();
    const store = new SqliteStore(file);
    assert.equal(store.schemaVersion, 7);
    assert.equal((await store.deviceByTokenHash("ab"))?.id, "h1");
    await store.linkPhone("p1", "h1", 1);
    assert.equal(await store.enqueueCommand({ hostId: "h1", id: "c1", from: "p1", box: box(1), at: 1 }), "alone");
    await store.close();
  });

  it("upgrades a version 2 database to push subscriptions, keeping its inbox", async () => {
    const file = join(dir, "v2.sqlite");
    const v2 = new Database(file);
    v2.exec(MIGRATIONS.slice(0, 2).join(";") + "; PRAGMA user_version = 2;");
    v2.prepare("INSERT INTO inbox (host_id, id, from_id, epoch, iv, ct, at) VALUES ('h1', 'c1', 'p1', 1, ?, ?, 1)").run(
      box(1).iv,
      box(1).ct,
    );
    v2.close();
    const store = new SqliteStore(file);
    assert.equal(store.schemaVersion, 7);
    assert.equal(await store.inboxDepth("h1"), 1);
    await store.putPushSubscription("p1", fcm("t1"), [], 1);
    assert.deepEqual((await store.pushSubscription("p1"))?.target, fcm("t1"));
    await store.close();
  });

  it("upgrades a version 3 database to retention, counting each host's bytes from the events it holds", async () => {
    const file = join(dir, "v3.sqlite");
    const v3 = new Database(file);
    v3.exec(MIGRATIONS.slice(0, 3).join(";") + "; PRAGMA user_version = 3;");
    const insert = v3.prepare("INSERT INTO events (host_id, thread_id, seq, epoch, iv, ct, at) VALUES (?, 't', ?, 1, ?, ?, ?)");
    for (const seq of [1, 2, 3]) insert.run("h1", seq, box(seq).iv, box(seq).ct, seq * 10);
    v3.close();
    const store = new SqliteStore(file);
    assert.equal(store.schemaVersion, 7);
    assert.equal(await store.storedBytes("h1"), 120);
    assert.deepEqual(await store.trimEvents("h1", 25, 0, 10), { deleted: 2, more: false });
    assert.deepEqual(await store.trimmedThreads("h1"), { t: 3 });
    await store.close();
  });

  it("upgrades a version 4 database to a rowid events table, keeping every event, its order and its duplicate check", async () => {
    const file = join(dir, "v4.sqlite");
    const v4 = new Database(file);
    v4.exec(MIGRATIONS.slice(0, 4).join(";") + "; PRAGMA user_version = 4;");
    const insert = v4.prepare("INSERT INTO events (host_id, thread_id, seq, epoch, iv, ct, at) VALUES (?, ?, ?, 1, ?, ?, ?)");
    for (const seq of [3, 1, 2]) insert.run("h1", "t", seq, box(seq).iv, box(seq).ct, seq * 10);
    insert.run("h1", "u", 1, box(9).iv, box(9).ct, 5);
    v4.close();
    const store = new SqliteStore(file);
    assert.equal(store.schemaVersion, 7);
    const page = await store.eventsAfter("h1", { t: 1 }, 10);
    assert.deepEqual(
      page.events.map((e) => [e.threadId, e.seq]),
      [
        ["t", 2],
        ["t", 3],
        ["u", 1],
      ],
    );
    assert.equal(await store.appendEvent({ hostId: "h1", threadId: "t", seq: 2, box: box(2), at: 99 }), "duplicate");
    assert.equal(await store.appendEvent({ hostId: "h1", threadId: "t", seq: 2, box: box(7), at: 99 }), "conflict");
    assert.equal(await store.appendEvent({ hostId: "h1", threadId: "t", seq: 4, box: box(4), at: 99 }), "stored");
    assert.deepEqual(await store.trimEvents("h1", 25, 0, 10), { deleted: 3, more: false });
    await store.close();
  });
});
