import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../../../relay/store/migrations";
import { SqliteStore } from "../../../relay/store/sqlite";

const box = (n: number) => ({ e: 1, iv: "A".repeat(16), ct: `C${n}`.padEnd(24, "x") });
const fcm = (token: string) => ({ kind: "fcm" as const, token: token.padEnd(24, "0") });

describe("SQLite store", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tether-store-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("migrates a new database to the current schema and reopens it as it was", () => {
    const file = join(dir, "relay.sqlite");
    const store = new SqliteStore(file);
    assert.equal(store.schemaVersion, 3);
    store.insertDevice({ id: "h1", kind: "host", tokenHash: "ab", createdAt: 1, lastSeen: 1, revokedAt: null });
    store.appendEvent({ hostId: "h1", threadId: "t", seq: 1, box: box(1), at: 5 });
    store.close();
    store.close();
    const again = new SqliteStore(file);
    assert.equal(again.schemaVersion, 3);
    assert.equal(again.deviceByTokenHash("ab")?.id, "h1");
    assert.equal(again.eventsAfter("h1", {}, 10).events.length, 1);
    again.close();
  });

  it("unlinks a phone from one host, and revokes it with its push subscription when no host is left", () => {
    const store = new SqliteStore(join(dir, "relay.sqlite"));
    for (const [id, kind] of [
      ["h1", "host"],
      ["h2", "host"],
      ["p1", "phone"],
      ["p2", "phone"],
    ] as const) {
      store.insertDevice({ id, kind, tokenHash: `hash-${id}`, createdAt: 1, lastSeen: 7, revokedAt: null });
    }
    store.linkPhone("p1", "h1", 2);
    store.linkPhone("p1", "h2", 3);
    store.linkPhone("p2", "h1", 4);
    store.putPushSubscription("p1", fcm("t1"), [], 5);
    store.enqueueCommand({ hostId: "h1", id: "c1", from: "p1", box: box(1), at: 6 });
    store.enqueueCommand({ hostId: "h1", id: "c2", from: "p2", box: box(2), at: 6 });
    assert.deepEqual(
      store.phonesOfHost("h1").map((p) => [p.deviceId, p.pairedAt, p.lastSeen]),
      [
        ["p1", 2, 7],
        ["p2", 4, 7],
      ],
    );

    assert.deepEqual(store.unlinkPhone("p1", "h1", 10), { unlinked: true, revoked: false });
    assert.deepEqual(store.hostsOfPhone("p1"), ["h2"]);
    assert.deepEqual(
      store.pendingCommands("h1", 10).map((c) => c.id),
      ["c2"],
      "only the unlinked phone's commands go",
    );
    assert.ok(store.pushSubscription("p1"), "it still hears from its other host");
    assert.deepEqual(store.unlinkPhone("p1", "h1", 11), { unlinked: false, revoked: false });

    assert.deepEqual(store.unlinkPhone("p1", "h2", 12), { unlinked: true, revoked: true });
    assert.equal(store.device("p1")?.revokedAt, 12);
    assert.equal(store.pushSubscription("p1"), undefined);
    assert.deepEqual(
      store.phonesOfHost("h1").map((p) => p.deviceId),
      ["p2"],
    );
    store.close();
  });

  it("upgrades a version 1 database in place, keeping what it holds", () => {
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
    assert.equal(store.schemaVersion, 3);
    assert.equal(store.deviceByTokenHash("ab")?.id, "h1");
    assert.equal(store.enqueueCommand({ hostId: "h1", id: "c1", from: "p1", box: box(1), at: 1 }), "stored");
    store.close();
  });

  it("upgrades a version 2 database to push subscriptions, keeping its inbox", () => {
    const file = join(dir, "v2.sqlite");
    const v2 = new Database(file);
    v2.exec(MIGRATIONS.slice(0, 2).join(";") + "; PRAGMA user_version = 2;");
    v2.prepare("INSERT INTO inbox (host_id, id, from_id, epoch, iv, ct, at) VALUES ('h1', 'c1', 'p1', 1, ?, ?, 1)").run(
      box(1).iv,
      box(1).ct,
    );
    v2.close();
    const store = new SqliteStore(file);
    assert.equal(store.schemaVersion, 3);
    assert.equal(store.inboxDepth("h1"), 1);
    store.putPushSubscription("p1", fcm("t1"), [], 1);
    assert.deepEqual(store.pushSubscription("p1")?.target, fcm("t1"));
    store.close();
  });

  it("finds the push subscriptions of a host's phones: linked, not revoked, not muting it", () => {
    const store = new SqliteStore(":memory:");
    const phone = (id: string, revokedAt: number | null = null): void => {
      store.insertDevice({ id, kind: "phone", tokenHash: `hash-${id}`, createdAt: 1, lastSeen: 1, revokedAt });
    };
    phone("plain");
    phone("muting");
    phone("revoked", 5);
    phone("unsubscribed");
    phone("elsewhere");
    for (const id of ["plain", "muting", "revoked", "unsubscribed"]) store.linkPhone(id, "h", 1);
    store.linkPhone("elsewhere", "other", 1);
    store.linkPhone("muting", "other", 1);
    store.putPushSubscription("plain", fcm("a"), ["other"], 2);
    store.putPushSubscription("muting", fcm("b"), ["h", "h"], 2);
    store.putPushSubscription("revoked", fcm("c"), [], 2);
    store.putPushSubscription("elsewhere", fcm("d"), [], 2);
    assert.deepEqual(
      store.pushSubscriptionsOfHost("h").map((s) => s.deviceId),
      ["plain"],
    );
    assert.deepEqual(
      store.pushSubscriptionsOfHost("other").map((s) => s.deviceId),
      ["elsewhere", "muting"],
    );
    assert.deepEqual(store.pushSubscription("muting")?.muted, ["h"], "a muted host is kept once");

    // A new subscription replaces the old one; pruning the old target leaves the new one alone.
    store.putPushSubscription("plain", fcm("a2"), [], 3);
    assert.equal(store.pushSubscription("plain")?.createdAt, 2);
    assert.equal(store.deletePushSubscription("plain", fcm("a")), false);
    assert.deepEqual(store.pushSubscription("plain")?.target, fcm("a2"));
    assert.equal(store.deletePushSubscription("plain", fcm("a2")), true);
    assert.equal(store.deletePushSubscription("muting"), true);
    assert.equal(store.pushSubscription("plain"), undefined);
    store.close();
  });

  it("keeps the first value of a meta key", () => {
    const store = new SqliteStore(":memory:");
    assert.equal(store.meta("vapid"), undefined);
    assert.equal(store.initMeta("vapid", "first"), "first");
    assert.equal(store.initMeta("vapid", "second"), "first");
    assert.equal(store.meta("vapid"), "first");
    store.close();
  });

  it("keeps a host's inbox in arrival order, once per id, until each command is deleted", () => {
    const store = new SqliteStore(":memory:");
    for (const id of ["b", "a", "c"]) store.enqueueCommand({ hostId: "h", id, from: "p", box: box(1), at: 1 });
    assert.equal(store.enqueueCommand({ hostId: "h", id: "a", from: "p", box: box(2), at: 2 }), "duplicate");
    store.enqueueCommand({ hostId: "other", id: "a", from: "p", box: box(1), at: 1 });
    assert.deepEqual(
      store.pendingCommands("h", 10).map((c) => c.id),
      ["b", "a", "c"],
    );
    assert.equal(store.pendingCommands("h", 10)[1]!.box.ct, box(1).ct, "the first copy is kept");
    store.deleteCommand("h", "a");
    assert.deepEqual(
      store.pendingCommands("h", 10).map((c) => c.id),
      ["b", "c"],
    );
    assert.equal(store.inboxDepth("h"), 2);
    assert.equal(store.inboxDepth("other"), 1);
    store.close();
  });

  it("pages events per thread in order, and says when more remain", () => {
    const store = new SqliteStore(":memory:");
    for (let seq = 1; seq <= 4; seq++) store.appendEvent({ hostId: "h", threadId: "a", seq, box: box(seq), at: seq });
    for (let seq = 1; seq <= 2; seq++) store.appendEvent({ hostId: "h", threadId: "b", seq, box: box(seq), at: seq });
    store.appendEvent({ hostId: "other", threadId: "a", seq: 1, box: box(9), at: 1 });
    const first = store.eventsAfter("h", { a: 1 }, 4);
    assert.deepEqual(
      first.events.map((e) => `${e.threadId}${e.seq}`),
      ["a2", "a3", "a4", "b1"],
    );
    assert.equal(first.more, true);
    const rest = store.eventsAfter("h", { a: 4, b: 1 }, 4);
    assert.deepEqual(
      rest.events.map((e) => `${e.threadId}${e.seq}`),
      ["b2"],
    );
    assert.equal(rest.more, false);
    store.close();
  });

  it("lets a slot be joined once, and never after it expired or closed", () => {
    const store = new SqliteStore(":memory:");
    store.insertSlot({ id: "s", hostId: "h", createdAt: 0, expiresAt: 100, joinedBy: null, joinedDevice: null, closedAt: null });
    assert.equal(store.joinSlot("s", "sock1", null, 50), true);
    assert.equal(store.joinSlot("s", "sock2", null, 50), false);
    store.insertSlot({
      id: "late",
      hostId: "h",
      createdAt: 0,
      expiresAt: 100,
      joinedBy: null,
      joinedDevice: null,
      closedAt: null,
    });
    assert.equal(store.joinSlot("late", "sock", null, 100), false);
    store.insertSlot({
      id: "closed",
      hostId: "h",
      createdAt: 0,
      expiresAt: 100,
      joinedBy: null,
      joinedDevice: null,
      closedAt: null,
    });
    store.closeSlot("closed", 10);
    assert.equal(store.joinSlot("closed", "sock", null, 20), false);
    store.close();
  });
});
