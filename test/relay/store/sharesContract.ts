// What every relay store promises about read-only shares, run against each store by
// sqlite.test.ts and redis.test.ts.

import assert from "node:assert/strict";
import type { RelayStore } from "../../../relay/store/store";
import { box } from "./contract";

const share = (shareId: string, threadId: string, verifier: string, hostId = "h") => ({
  hostId,
  shareId,
  threadId,
  verifier,
  createdAt: 5,
});

export function sharesContract(name: string, open: () => Promise<RelayStore>): void {
  describe(`${name} store: shares`, () => {
    let store: RelayStore;
    beforeEach(async () => (store = await open()));
    afterEach(() => store.close());

    it("finds a share by its verifier, never takes an id or a verifier twice, and forgets it with its record", async () => {
      assert.equal(await store.insertShare(share("s1", "t1", "a".repeat(64))), "stored");
      assert.equal(await store.insertShare(share("s1", "t2", "b".repeat(64))), "conflict");
      assert.equal(await store.insertShare(share("s2", "t2", "a".repeat(64), "other")), "conflict");
      // Another host may use the same share id: ids are the host's.
      assert.equal(await store.insertShare(share("s1", "t9", "c".repeat(64), "other")), "stored");
      assert.deepEqual(await store.shareByVerifier("a".repeat(64)), share("s1", "t1", "a".repeat(64)));
      assert.equal(await store.shareByVerifier("d".repeat(64)), undefined);

      await store.putRecord({ hostId: "h", key: "s-s1", box: box(1), at: 1 });
      await store.putRecord({ hostId: "h", key: "t-t1", box: box(2), at: 1 });
      assert.deepEqual(await store.deleteShare("h", "s1"), share("s1", "t1", "a".repeat(64)));
      assert.equal(await store.shareByVerifier("a".repeat(64)), undefined);
      assert.equal(await store.deleteShare("h", "s1"), undefined);
      assert.deepEqual(
        (await store.records("h")).map((r) => r.key),
        ["t-t1"],
      );
      assert.equal((await store.shareByVerifier("c".repeat(64)))?.threadId, "t9");
    });

    it("reads one thread's events after a seq, paged", async () => {
      for (const threadId of ["a", "b"]) {
        for (let seq = 1; seq <= 5; seq++) await store.appendEvent({ hostId: "h", threadId, seq, box: box(seq), at: seq });
      }
      const page = await store.threadEventsAfter("h", "b", 1, 3);
      assert.deepEqual(
        page.events.map((e) => `${e.threadId}${e.seq}`),
        ["b2", "b3", "b4"],
      );
      assert.equal(page.more, true);
      assert.deepEqual(page.events[0]!.box, box(2));
      const rest = await store.threadEventsAfter("h", "b", 4, 3);
      assert.deepEqual(
        rest.events.map((e) => e.seq),
        [5],
      );
      assert.equal(rest.more, false);
      assert.deepEqual((await store.threadEventsAfter("h", "c", 0, 3)).events, []);
    });
  });
}
