import assert from "node:assert/strict";
import type { ThreadEvent } from "#protocol";
import { eventsOfPages, mergePages, PAGE_EVENTS, pagesOfEvents } from "../../../mobile-web/src/store/pageRecords";
import type { CachedEvent } from "../../../mobile-web/src/threads/cache";

const text = (s: string): ThreadEvent => ({ at: 1, type: "assistant-text", text: s });
const ev = (threadId: string, seq: number, s = `${threadId}#${seq}`, hostId = "h"): CachedEvent => ({
  hostId,
  threadId,
  seq,
  event: text(s),
});
const texts = (events: readonly CachedEvent[]): string[] =>
  events.map((e) => (e.event.type === "assistant-text" ? e.event.text : "?"));

describe("phone: thread events kept a page per record", () => {
  it("groups a page of several threads into one record per thread, in seq order, each event once", () => {
    const pages = pagesOfEvents([ev("b", 2), ev("a", 3), ev("a", 1), ev("b", 1), ev("a", 1, "again")]);
    assert.deepEqual(
      pages.map((p) => [p.threadId, p.first, p.last, p.events.map((e) => e.seq)]),
      [
        ["b", 1, 2, [1, 2]],
        ["a", 1, 3, [1, 3]],
      ],
    );
    assert.equal(pages[1]!.events[0]!.event.type === "assistant-text" && pages[1]!.events[0]!.event.text, "a#1");
  });

  it("keeps two hosts' threads of the same id apart", () => {
    const pages = pagesOfEvents([ev("t", 1, "one", "h1"), ev("t", 1, "two", "h2")]);
    assert.deepEqual(
      pages.map((p) => [p.hostId, p.threadId]),
      [
        ["h1", "t"],
        ["h2", "t"],
      ],
    );
  });

  it("splits a long run into records of at most PAGE_EVENTS, each ending at a different seq", () => {
    const many = Array.from({ length: PAGE_EVENTS * 2 + 5 }, (_, i) => ev("t", i + 1));
    const pages = pagesOfEvents(many);
    assert.deepEqual(
      pages.map((p) => [p.first, p.last, p.events.length]),
      [
        [1, PAGE_EVENTS, PAGE_EVENTS],
        [PAGE_EVENTS + 1, PAGE_EVENTS * 2, PAGE_EVENTS],
        [PAGE_EVENTS * 2 + 1, PAGE_EVENTS * 2 + 5, 5],
      ],
    );
  });

  it("merges two records of one key without losing or doubling an event, the first stored kept", () => {
    const [stored] = pagesOfEvents([ev("t", 3, "stored three"), ev("t", 5)]);
    const [incoming] = pagesOfEvents([ev("t", 4), ev("t", 3, "later three"), ev("t", 5)]);
    const merged = mergePages(stored!, incoming!);
    assert.deepEqual(
      merged.events.map((e) => e.seq),
      [3, 4, 5],
    );
    assert.equal(merged.first, 3);
    assert.equal(merged.last, 5);
    assert.deepEqual(texts(eventsOfPages([merged], 0)), ["stored three", "t#4", "t#5"]);
  });

  it("reads the events after a seq from overlapping records, in order, each once", () => {
    const pages = [
      ...pagesOfEvents([ev("t", 1), ev("t", 2), ev("t", 3)]),
      ...pagesOfEvents([ev("t", 3, "dup"), ev("t", 5)]),
      ...pagesOfEvents([ev("t", 4)]),
    ];
    assert.deepEqual(
      eventsOfPages(pages, 2).map((e) => [e.hostId, e.threadId, e.seq]),
      [
        ["h", "t", 3],
        ["h", "t", 4],
        ["h", "t", 5],
      ],
    );
    assert.deepEqual(texts(eventsOfPages(pages, 2)), ["t#3", "t#4", "t#5"]);
  });
});
