import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../../relay/store/sqlite";

const box = (n: number) => ({ e: 1, iv: "A".repeat(16), ct: `C${n}`.padEnd(24, "x") });

describe("SQLite store", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tether-store-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("migrates a new database to the current schema and reopens it as it was", () => {
    const file = join(dir, "relay.sqlite");
    const store = new SqliteStore(file);
    assert.equal(store.schemaVersion, 1);
    store.insertDevice({ id: "h1", kind: "host", tokenHash: "ab", createdAt: 1, lastSeen: 1, revokedAt: null });
    store.appendEvent({ hostId: "h1", threadId: "t", seq: 1, box: box(1), at: 5 });
    store.close();
    store.close();
    const again = new SqliteStore(file);
    assert.equal(again.schemaVersion, 1);
    assert.equal(again.deviceByTokenHash("ab")?.id, "h1");
    assert.equal(again.eventsAfter("h1", {}, 10).events.length, 1);
    again.close();
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
