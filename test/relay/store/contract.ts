// What every relay store promises, run against each one (sqlite.test.ts, redis.test.ts): the
// same calls, the same answers. `open` gives a new, empty store; `openTwice` two stores on the
// same data where the store can be shared (several relay processes on one Redis).

import assert from "node:assert/strict";
import type { RelayStore } from "../../../relay/store/store";

export const box = (n: number) => ({ e: 1, iv: "A".repeat(16), ct: `C${n}`.padEnd(24, "x") });
export const fcm = (token: string) => ({ kind: "fcm" as const, token: token.padEnd(24, "0") });

export interface StoreMaker {
  open(): Promise<RelayStore>;
  /** Two handles on one store's data, for races between relay processes. */
  openTwice?(): Promise<[RelayStore, RelayStore]>;
}

async function devices(store: RelayStore, list: [string, "host" | "phone", (number | null)?][]): Promise<void> {
  for (const [id, kind, revokedAt] of list) {
    await store.insertDevice({ id, kind, tokenHash: `hash-${id}`, createdAt: 1, lastSeen: 7, revokedAt: revokedAt ?? null });
  }
}

const slot = (id: string, over: { expiresAt?: number; createdAt?: number; hostId?: string } = {}) => ({
  id,
  hostId: over.hostId ?? "h",
  createdAt: over.createdAt ?? 0,
  expiresAt: over.expiresAt ?? 100,
  joinedBy: null,
  joinedDevice: null,
  closedAt: null,
});

export function storeContract(name: string, maker: StoreMaker): void {
  describe(`${name} store: the contract`, () => {
    let store: RelayStore;
    beforeEach(async () => (store = await maker.open()));
    afterEach(() => store.close());

    it("keeps devices by id and by token hash, refuses a second with either, and touches only existing ones", async () => {
      await devices(store, [["h1", "host"]]);
      assert.deepEqual(await store.deviceByTokenHash("hash-h1"), {
        id: "h1",
        kind: "host",
        tokenHash: "hash-h1",
        createdAt: 1,
        lastSeen: 7,
        revokedAt: null,
      });
      assert.equal(await store.deviceByTokenHash("nope"), undefined);
      assert.equal(await store.device("nope"), undefined);
      await assert.rejects(
        store.insertDevice({ id: "h1", kind: "host", tokenHash: "other", createdAt: 1, lastSeen: 1, revokedAt: null }),
      );
      await assert.rejects(
        store.insertDevice({ id: "h2", kind: "host", tokenHash: "hash-h1", createdAt: 1, lastSeen: 1, revokedAt: null }),
      );
      await store.touchDevice("h1", 99);
      await store.touchDevice("ghost", 99);
      assert.equal((await store.device("h1"))?.lastSeen, 99);
      assert.equal(await store.device("ghost"), undefined, "touching an unknown id makes nothing");
    });

    it("unlinks a phone from one host, and revokes it with its push subscription when no host is left", async () => {
      await devices(store, [
        ["h1", "host"],
        ["h2", "host"],
        ["p1", "phone"],
        ["p2", "phone"],
      ]);
      await store.linkPhone("p1", "h1", 2);
      await store.linkPhone("p1", "h2", 3);
      await store.linkPhone("p2", "h1", 4);
      await store.linkPhone("p1", "h1", 9); // again: keeps the first time
      await store.putPushSubscription("p1", fcm("t1"), [], 5);
      await store.enqueueCommand({ hostId: "h1", id: "c1", from: "p1", box: box(1), at: 6 });
      await store.enqueueCommand({ hostId: "h1", id: "c2", from: "p2", box: box(2), at: 6 });
      assert.deepEqual(await store.hostsOfPhone("p1"), ["h1", "h2"]);
      assert.equal(await store.isLinked("p1", "h2"), true);
      assert.deepEqual(
        (await store.phonesOfHost("h1")).map((p) => [p.deviceId, p.pairedAt, p.lastSeen]),
        [
          ["p1", 2, 7],
          ["p2", 4, 7],
        ],
      );

      assert.deepEqual(await store.unlinkPhone("p1", "h1", 10), { unlinked: true, revoked: false });
      assert.deepEqual(await store.hostsOfPhone("p1"), ["h2"]);
      assert.equal(await store.isLinked("p1", "h1"), false);
      assert.deepEqual(
        (await store.pendingCommands("h1", 10)).map((c) => c.id),
        ["c2"],
        "only the unlinked phone's commands go",
      );
      assert.ok(await store.pushSubscription("p1"), "it still hears from its other host");
      assert.deepEqual(await store.unlinkPhone("p1", "h1", 11), { unlinked: false, revoked: false });

      assert.deepEqual(await store.unlinkPhone("p1", "h2", 12), { unlinked: true, revoked: true });
      assert.equal((await store.device("p1"))?.revokedAt, 12);
      assert.equal(await store.pushSubscription("p1"), undefined);
      assert.deepEqual(
        (await store.phonesOfHost("h1")).map((p) => p.deviceId),
        ["p2"],
      );
    });

    it("finds the push subscriptions of a host's phones: linked, not revoked, not muting it", async () => {
      await devices(store, [
        ["plain", "phone"],
        ["muting", "phone"],
        ["revoked", "phone", 5],
        ["unsubscribed", "phone"],
        ["elsewhere", "phone"],
      ]);
      for (const id of ["plain", "muting", "revoked", "unsubscribed"]) await store.linkPhone(id, "h", 1);
      await store.linkPhone("elsewhere", "other", 1);
      await store.linkPhone("muting", "other", 1);
      await store.putPushSubscription("plain", fcm("a"), ["other"], 2);
      await store.putPushSubscription("muting", fcm("b"), ["h", "h"], 2);
      await store.putPushSubscription("revoked", fcm("c"), [], 2);
      await store.putPushSubscription("elsewhere", fcm("d"), [], 2);
      assert.deepEqual(
        (await store.pushSubscriptionsOfHost("h")).map((s) => s.deviceId),
        ["plain"],
      );
      assert.deepEqual(
        (await store.pushSubscriptionsOfHost("other")).map((s) => s.deviceId),
        ["elsewhere", "muting"],
      );
      assert.deepEqual((await store.pushSubscription("muting"))?.muted, ["h"], "a muted host is kept once");

      // A new subscription replaces the old one; pruning the old target leaves the new one alone.
      await store.putPushSubscription("plain", fcm("a2"), [], 3);
      assert.equal((await store.pushSubscription("plain"))?.createdAt, 2);
      assert.equal((await store.pushSubscription("plain"))?.updatedAt, 3);
      assert.equal(await store.deletePushSubscription("plain", fcm("a")), false);
      assert.deepEqual((await store.pushSubscription("plain"))?.target, fcm("a2"));
      assert.equal(await store.deletePushSubscription("plain", fcm("a2")), true);
      assert.equal(await store.deletePushSubscription("muting"), true);
      assert.equal(await store.deletePushSubscription("muting"), false);
      assert.equal(await store.pushSubscription("plain"), undefined);
    });

    it("keeps the first value of a meta key", async () => {
      assert.equal(await store.meta("vapid"), undefined);
      assert.equal(await store.initMeta("vapid", "first"), "first");
      assert.equal(await store.initMeta("vapid", "second"), "first");
      assert.equal(await store.meta("vapid"), "first");
    });

    it("keeps a host's inbox in arrival order, once per id, until each command is deleted", async () => {
      await store.linkPhone("p", "h", 1);
      await store.linkPhone("p", "other", 1);
      // The first finds the inbox empty; the others wait behind it.
      for (const [i, id] of ["b", "a", "c"].entries()) {
        const stored = await store.enqueueCommand({ hostId: "h", id, from: "p", box: box(1), at: 1 });
        assert.equal(stored, i === 0 ? "alone" : "stored");
      }
      assert.equal(await store.enqueueCommand({ hostId: "h", id: "a", from: "p", box: box(2), at: 2 }), "duplicate");
      await store.enqueueCommand({ hostId: "other", id: "a", from: "p", box: box(1), at: 1 });
      assert.deepEqual(
        (await store.pendingCommands("h", 10)).map((c) => c.id),
        ["b", "a", "c"],
      );
      const [first] = await store.pendingCommands("h", 1);
      assert.deepEqual(first, { hostId: "h", id: "b", from: "p", box: box(1), at: 1 });
      assert.equal((await store.pendingCommands("h", 10))[1]!.box.ct, box(1).ct, "the first copy is kept");
      await store.deleteCommand("h", "a");
      await store.deleteCommand("h", "a");
      assert.deepEqual(
        (await store.pendingCommands("h", 10)).map((c) => c.id),
        ["b", "c"],
      );
      assert.equal(await store.inboxDepth("h"), 2);
      assert.equal(await store.inboxDepth("other"), 1);
      assert.equal(await store.inboxDepth("nobody"), 0);
      // "alone" only once every earlier command was deleted: a flush may skip reading it back.
      await store.deleteCommand("h", "b");
      assert.equal(await store.enqueueCommand({ hostId: "h", id: "d", from: "p", box: box(1), at: 3 }), "stored");
      await store.deleteCommand("h", "c");
      await store.deleteCommand("h", "d");
      assert.equal(await store.enqueueCommand({ hostId: "h", id: "e", from: "p", box: box(1), at: 4 }), "alone");
      assert.equal(await store.enqueueCommand({ hostId: "h", id: "e", from: "p", box: box(1), at: 4 }), "duplicate");
    });

    it("takes a command only from a phone linked to the host", async () => {
      assert.equal(await store.enqueueCommand({ hostId: "h", id: "c", from: "stranger", box: box(1), at: 1 }), "unlinked");
      await store.linkPhone("p", "h", 1);
      await store.linkPhone("p", "h2", 1);
      await store.unlinkPhone("p", "h", 2);
      assert.equal(await store.enqueueCommand({ hostId: "h", id: "c", from: "p", box: box(1), at: 3 }), "unlinked");
      assert.equal(await store.inboxDepth("h"), 0);
    });

    it("stores an event once: a retry is a duplicate, other content at its seq a conflict", async () => {
      const event = { hostId: "h", threadId: "t", seq: 1, box: box(1), at: 5 };
      assert.equal(await store.appendEvent(event), "stored");
      assert.equal(await store.appendEvent({ ...event, at: 6 }), "duplicate");
      assert.equal(await store.appendEvent({ ...event, box: box(2) }), "conflict");
      assert.deepEqual((await store.eventsAfter("h", {}, 10)).events, [event]);
    });

    it("pages events per thread in order, and says when more remain", async () => {
      for (let seq = 1; seq <= 4; seq++) await store.appendEvent({ hostId: "h", threadId: "a", seq, box: box(seq), at: seq });
      for (let seq = 2; seq >= 1; seq--) await store.appendEvent({ hostId: "h", threadId: "b", seq, box: box(seq), at: seq });
      await store.appendEvent({ hostId: "h", threadId: "", seq: 1, box: box(7), at: 1 });
      await store.appendEvent({ hostId: "other", threadId: "a", seq: 1, box: box(9), at: 1 });
      const first = await store.eventsAfter("h", { "": 1, a: 1 }, 4);
      assert.deepEqual(
        first.events.map((e) => `${e.threadId}${e.seq}`),
        ["a2", "a3", "a4", "b1"],
      );
      assert.equal(first.more, true);
      assert.deepEqual(first.events[0], { hostId: "h", threadId: "a", seq: 2, box: box(2), at: 2 });
      const rest = await store.eventsAfter("h", { "": 1, a: 4, b: 1 }, 4);
      assert.deepEqual(
        rest.events.map((e) => `${e.threadId}${e.seq}`),
        ["b2"],
      );
      assert.equal(rest.more, false);
      const exact = await store.eventsAfter("h", { a: 4, b: 2 }, 1);
      assert.deepEqual(
        exact.events.map((e) => `${e.threadId}${e.seq}`),
        ["1"],
      );
      assert.deepEqual(await store.eventsAfter("nobody", {}, 10), { events: [], more: false });
    });

    it("trims a host's oldest events by age and by quota, remembers where each thread now starts, and counts bytes", async () => {
      // Each box is 40 sealed bytes. Thread a: seqs 1–4 at 10, 20, 30, 40; thread b: 1–2 at 15, 35.
      for (const [threadId, seq, at] of [
        ["a", 1, 10],
        ["b", 1, 15],
        ["a", 2, 20],
        ["a", 3, 30],
        ["b", 2, 35],
        ["a", 4, 40],
      ] as const) {
        await store.appendEvent({ hostId: "h", threadId, seq, box: box(seq), at });
      }
      await store.appendEvent({ hostId: "other", threadId: "a", seq: 1, box: box(1), at: 1 });
      assert.equal(await store.storedBytes("h"), 240);
      assert.deepEqual(await store.hostsWithEvents(), ["h", "other"]);
      assert.deepEqual(await store.trimmedThreads("h"), {});

      // Older than 21 (a1, b1, a2), at most one per call, then the rest.
      assert.deepEqual(await store.trimEvents("h", 21, 0, 1), { deleted: 1, more: true });
      assert.deepEqual(await store.trimEvents("h", 21, 0, 10), { deleted: 2, more: false });
      assert.deepEqual(await store.trimEvents("h", 21, 0, 10), { deleted: 0, more: false });
      assert.deepEqual(
        (await store.eventsAfter("h", {}, 10)).events.map((e) => `${e.threadId}${e.seq}`),
        ["a3", "a4", "b2"],
      );
      assert.deepEqual(await store.trimmedThreads("h"), { a: 3, b: 2 });
      assert.equal(await store.storedBytes("h"), 120);

      // A quota of 50 bytes: the oldest go until what is left fits (one event).
      assert.deepEqual(await store.trimEvents("h", 0, 50, 10), { deleted: 2, more: false });
      assert.deepEqual(
        (await store.eventsAfter("h", {}, 10)).events.map((e) => `${e.threadId}${e.seq}`),
        ["a4"],
      );
      assert.deepEqual(await store.trimmedThreads("h"), { a: 4, b: 3 });
      assert.equal(await store.storedBytes("h"), 40);
      assert.equal(await store.storedBytes("other"), 40, "another host is untouched");
      assert.equal((await store.eventsAfter("other", {}, 10)).events.length, 1);

      // Deleting a thread frees its bytes and forgets its trim.
      await store.deleteThread("h", "a");
      assert.equal(await store.storedBytes("h"), 0);
      assert.deepEqual(await store.trimmedThreads("h"), { b: 3 });
      // A duplicate counts nothing.
      await store.appendEvent({ hostId: "other", threadId: "a", seq: 1, box: box(1), at: 1 });
      assert.equal(await store.storedBytes("other"), 40);
    });

    it("applies calls made in one turn in the order they were made", async () => {
      const first = store.appendEvent({ hostId: "h", threadId: "t", seq: 1, box: box(1), at: 1 });
      const deleted = store.deleteThread("h", "t");
      const second = store.appendEvent({ hostId: "h", threadId: "t", seq: 2, box: box(2), at: 2 });
      const read = store.eventsAfter("h", {}, 10);
      assert.deepEqual(await Promise.all([first, deleted, second]), ["stored", undefined, "stored"]);
      assert.deepEqual(
        (await read).events.map((e) => e.seq),
        [2],
        "the first event went with the thread; the read sees the second",
      );
      assert.equal(await store.storedBytes("h"), 40);
    });

    it("answers each of a turn's appends with its own outcome, a retry and a conflict among them", async () => {
      const appended = await Promise.all([
        store.appendEvent({ hostId: "h", threadId: "a", seq: 1, box: box(1), at: 1 }),
        store.appendEvent({ hostId: "h", threadId: "b", seq: 1, box: box(2), at: 2 }),
        store.appendEvent({ hostId: "other", threadId: "a", seq: 1, box: box(3), at: 3 }),
        store.appendEvent({ hostId: "h", threadId: "a", seq: 1, box: box(1), at: 4 }),
        store.appendEvent({ hostId: "h", threadId: "a", seq: 2, box: box(5), at: 5 }),
        store.appendEvent({ hostId: "h", threadId: "b", seq: 1, box: box(6), at: 6 }),
      ]);
      assert.deepEqual(appended, ["stored", "stored", "stored", "duplicate", "stored", "conflict"]);
      const page = await store.eventsAfter("h", {}, 10);
      assert.deepEqual(
        page.events.map((e) => [e.threadId, e.seq, e.box.ct]),
        [
          ["a", 1, box(1).ct],
          ["a", 2, box(5).ct],
          ["b", 1, box(2).ct],
        ],
      );
      // Three stored for h, one for other: a duplicate or a conflict adds no bytes.
      assert.equal(await store.storedBytes("h"), 3 * (await store.storedBytes("other")));
      assert.deepEqual(await store.hostsWithEvents(), ["h", "other"]);
    });

    it("keeps the latest record per key, listed by key", async () => {
      await store.putRecord({ hostId: "h", key: "t-b", box: box(1), at: 1 });
      await store.putRecord({ hostId: "h", key: "profile", box: box(2), at: 2 });
      await store.putRecord({ hostId: "h", key: "t-b", box: box(3), at: 3 });
      await store.putRecord({ hostId: "other", key: "profile", box: box(4), at: 4 });
      assert.deepEqual(await store.records("h"), [
        { hostId: "h", key: "profile", box: box(2), at: 2 },
        { hostId: "h", key: "t-b", box: box(3), at: 3 },
      ]);
    });

    it("forgets a deleted thread's events and summary, and nothing else", async () => {
      const ev = (hostId: string, threadId: string, seq: number) => ({ hostId, threadId, seq, box: box(seq), at: seq });
      for (const e of [ev("h", "a", 1), ev("h", "a", 2), ev("h", "b", 1), ev("other", "a", 1)]) await store.appendEvent(e);
      for (const [hostId, key] of [
        ["h", "t-a"],
        ["h", "t-b"],
        ["h", "profile"],
        ["other", "t-a"],
      ] as const)
        await store.putRecord({ hostId, key, box: box(9), at: 9 });
      await store.deleteThread("h", "a");
      assert.deepEqual(
        (await store.eventsAfter("h", {}, 10)).events.map((e) => `${e.threadId}${e.seq}`),
        ["b1"],
      );
      assert.deepEqual(
        (await store.records("h")).map((r) => r.key),
        ["profile", "t-b"],
      );
      assert.equal((await store.eventsAfter("other", {}, 10)).events.length, 1);
      assert.equal((await store.records("other")).length, 1);
      // A thread id used again starts afresh.
      assert.equal(await store.appendEvent({ ...ev("h", "a", 1), box: box(5) }), "stored");
      await store.deleteThread("h", "never-was");
    });

    it("lets a slot be joined once, closed once, and never joined after it expired or closed", async () => {
      await store.insertSlot(slot("s"));
      assert.deepEqual(await store.slot("s"), slot("s"));
      assert.equal(await store.joinSlot("s", "sock1", "p1", 50), true);
      assert.equal(await store.joinSlot("s", "sock2", null, 50), false);
      assert.deepEqual(await store.slot("s"), { ...slot("s"), joinedBy: "sock1", joinedDevice: "p1" });
      assert.equal(await store.closeSlot("s", 60), true);
      assert.equal(await store.closeSlot("s", 61), false, "a slot is decided once");
      assert.equal((await store.slot("s"))?.closedAt, 60);
      await store.insertSlot(slot("late"));
      assert.equal(await store.joinSlot("late", "sock", null, 100), false);
      await store.insertSlot(slot("closed"));
      await store.closeSlot("closed", 10);
      assert.equal(await store.joinSlot("closed", "sock", null, 20), false);
      assert.equal(await store.joinSlot("missing", "sock", null, 20), false);
      assert.equal(await store.closeSlot("missing", 20), false);
      assert.equal(await store.slot("missing"), undefined);
    });

    it("counts a host's slots since a time", async () => {
      const now = Date.now();
      for (const [id, at] of [
        ["old", now - 120_000],
        ["s1", now - 30_000],
        ["s2", now],
      ] as const) {
        await store.insertSlot(slot(id, { createdAt: at, expiresAt: at + 300_000 }));
      }
      await store.insertSlot(slot("x", { hostId: "other", createdAt: now, expiresAt: now + 300_000 }));
      assert.equal(await store.countSlotsSince("h", now - 60_000), 2);
      assert.equal(await store.countSlotsSince("nobody", 0), 0);
    });

    it("answers calls made at the same time as it would one by one", async () => {
      await store.linkPhone("p", "h", 1);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.enqueueCommand({ hostId: "h", id: `c${i % 25}`, from: "p", box: box(i), at: i }),
        ),
      );
      // Only the first found the inbox empty; the second 25 repeat ids of the first.
      assert.deepEqual(results.slice(0, 25), ["alone", ...Array<string>(24).fill("stored")]);
      assert.deepEqual(results.slice(25), Array<string>(25).fill("duplicate"));
      assert.deepEqual(
        (await store.pendingCommands("h", 100)).map((c) => c.id),
        Array.from({ length: 25 }, (_, i) => `c${i}`),
      );
    });

    if (maker.openTwice) {
      const openTwice = maker.openTwice;
      describe("shared by two relay processes", () => {
        let a: RelayStore;
        let b: RelayStore;
        beforeEach(async () => ([a, b] = await openTwice()));
        afterEach(async () => {
          await a.close();
          await b.close();
        });

        it("lets exactly one of two processes join a slot, and one decide it", async () => {
          await a.insertSlot(slot("s", { expiresAt: Date.now() + 60_000 }));
          const joined = await Promise.all([a.joinSlot("s", "x", null, Date.now()), b.joinSlot("s", "y", null, Date.now())]);
          assert.deepEqual(joined.filter(Boolean).length, 1);
          const closed = await Promise.all([a.closeSlot("s", 1), b.closeSlot("s", 2)]);
          assert.deepEqual(closed.filter(Boolean).length, 1);
        });

        it("agrees on the first meta value and on one copy of a command", async () => {
          const [x, y] = await Promise.all([a.initMeta("vapid", "from-a"), b.initMeta("vapid", "from-b")]);
          assert.equal(x, y);
          await a.linkPhone("p", "h", 1);
          const stored = await Promise.all([
            a.enqueueCommand({ hostId: "h", id: "c", from: "p", box: box(1), at: 1 }),
            b.enqueueCommand({ hostId: "h", id: "c", from: "p", box: box(2), at: 1 }),
          ]);
          assert.deepEqual([...stored].sort(), ["alone", "duplicate"]);
          assert.equal(await b.inboxDepth("h"), 1);
        });

        it("never keeps a command that raced its phone's revocation", async () => {
          await a.insertDevice({ id: "p", kind: "phone", tokenHash: "hp", createdAt: 1, lastSeen: 1, revokedAt: null });
          for (let i = 0; i < 20; i++) {
            await a.linkPhone("p", "h", 1);
            const [stored, unlinked] = await Promise.all([
              a.enqueueCommand({ hostId: "h", id: `c${i}`, from: "p", box: box(i), at: i }),
              b.unlinkPhone("p", "h", i),
            ]);
            assert.equal(unlinked.unlinked, true);
            assert.ok(stored === "alone" || stored === "unlinked");
            assert.equal(await a.inboxDepth("h"), 0, "the command went with the link, or was never taken");
          }
        });
      });
    }
  });
}
