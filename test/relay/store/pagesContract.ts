// What every relay store promises about history pages (a thread's events from..to in one box),
// run against each store by sqlite.test.ts and redis.test.ts.

import assert from "node:assert/strict";
import type { RelayStore } from "../../../relay/store/store";
import { box } from "./contract";

const page = (threadId: string, from: number, to: number, n = from, hostId = "h") => ({
  hostId,
  threadId,
  from,
  to,
  box: box(1000 + n),
  at: from,
});

async function events(store: RelayStore, threadId: string, upTo: number, hostId = "h"): Promise<void> {
  for (let seq = 1; seq <= upTo; seq++) await store.appendEvent({ hostId, threadId, seq, box: box(seq), at: seq });
}

const shown = (pages: { threadId: string; from: number; to: number }[]) => pages.map((p) => `${p.threadId}${p.from}-${p.to}`);

export function pagesContract(name: string, open: () => Promise<RelayStore>): void {
  describe(`${name} store: history pages`, () => {
    let store: RelayStore;
    beforeEach(async () => (store = await open()));
    afterEach(() => store.close());

    it("stores a page only over stored events, never over another page, and knows a retry", async () => {
      await events(store, "a", 10);
      assert.equal(await store.appendPage(page("a", 1, 4)), "stored");
      assert.equal(await store.appendPage(page("a", 1, 4)), "duplicate");
      assert.equal(await store.appendPage(page("a", 1, 4, 99)), "conflict", "the same range with other content");
      assert.equal(await store.appendPage(page("a", 4, 6)), "conflict", "overlaps the page before");
      assert.equal(await store.appendPage(page("a", 0 + 2, 3)), "conflict", "inside the page before");
      assert.equal(await store.appendPage(page("a", 9, 12)), "missing", "11 and 12 are not stored");
      assert.equal(await store.appendPage(page("b", 1, 2)), "missing", "a thread with no events");
      assert.equal(await store.appendPage(page("a", 5, 10)), "stored");
      const all = await store.pagesAfter("h", {}, 100);
      assert.deepEqual(shown(all.pages), ["a1-4", "a5-10"]);
      assert.deepEqual(all.pages[0], page("a", 1, 4));
      assert.deepEqual(all.reached, { a: 10 });
      assert.equal(all.events, 10);
      assert.equal(all.more, false);
    });

    it("serves per thread the chain of pages from each cursor, counting only the events the phone lacks", async () => {
      await events(store, "a", 12);
      await events(store, "b", 6);
      await events(store, "a", 3, "other");
      await store.appendPage(page("a", 1, 4));
      await store.appendPage(page("a", 5, 8));
      await store.appendPage(page("a", 10, 12)); // 9 has no page: the chain stops before it
      await store.appendPage(page("b", 3, 6));
      await store.appendPage(page("a", 1, 3, 1, "other"));
      const mid = await store.pagesAfter("h", { a: 2 }, 100);
      assert.deepEqual(shown(mid.pages), ["a1-4", "a5-8"], "b lacks 1 and 2, which no page starts at");
      assert.deepEqual(mid.reached, { a: 8 });
      assert.equal(mid.events, 6, "3 to 8");
      const b = await store.pagesAfter("h", { a: 12, b: 2 }, 100);
      assert.deepEqual(shown(b.pages), ["b3-6"]);
      const limited = await store.pagesAfter("h", {}, 3);
      assert.deepEqual(shown(limited.pages), ["a1-4"], "at least one page, then the limit stops the walk");
      assert.equal(limited.more, true);
      assert.deepEqual(await store.pagesAfter("h", { a: 8, b: 6 }, 100), { pages: [], reached: {}, events: 0, more: false });
      assert.deepEqual(shown((await store.pagesAfter("other", {}, 100)).pages), ["a1-3"]);
    });

    it("drops a page with a trimmed event and every page of a deleted thread", async () => {
      await events(store, "a", 8);
      await events(store, "b", 4);
      await store.appendPage(page("a", 1, 4));
      await store.appendPage(page("a", 5, 8));
      await store.appendPage(page("b", 1, 4));
      // Events are at their seq: older than 3 goes, a1, a2, b1, b2.
      await store.trimEvents("h", 3, 0, 100);
      assert.deepEqual(shown((await store.pagesAfter("h", {}, 100)).pages), [], "no chain starts at 1 any more");
      assert.deepEqual(shown((await store.pagesAfter("h", { a: 4 }, 100)).pages), ["a5-8"], "a page of kept events stays");
      assert.equal(await store.appendPage(page("a", 2, 4)), "missing", "over a trimmed event");
      await store.deleteThread("h", "a");
      assert.deepEqual(shown((await store.pagesAfter("h", { a: 4 }, 100)).pages), []);
      await events(store, "a", 4);
      assert.equal(await store.appendPage(page("a", 1, 4)), "stored", "a thread made again starts afresh");
    });
  });
}
