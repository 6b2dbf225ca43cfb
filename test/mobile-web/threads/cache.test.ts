import assert from "node:assert/strict";
import type { ThreadSummary } from "#protocol";
import { appendCapped, appendChunk, joinChunks, lastChars } from "#protocol/live";
import { contiguousSeq, hostActivity, mergeEvents, sortThreads, type CachedThread } from "../../../mobile-web/src/threads/cache";

const summary = (threadId: string, over: Partial<ThreadSummary> = {}): ThreadSummary => ({
  threadId,
  title: threadId,
  workspace: "api",
  status: "done",
  pending: [],
  lastSeq: 3,
  createdAt: 1,
  updatedAt: 1,
  model: "m",
  mode: "ask",
  ...over,
});
const thread = (threadId: string, over: Partial<ThreadSummary> = {}): CachedThread => ({
  hostId: "h",
  threadId,
  seq: 0,
  summary: summary(threadId, over),
});

describe("phone thread cache", () => {
  it("merges events by seq: order restored, nothing shown twice, the first copy kept", () => {
    const a = { seq: 1, v: "a" };
    const merged = mergeEvents(
      [a, { seq: 3, v: "c" }],
      [
        { seq: 2, v: "b" },
        { seq: 1, v: "again" },
        { seq: 3, v: "c2" },
      ],
    );
    assert.deepEqual(
      merged.map((e) => `${e.seq}${e.v}`),
      ["1a", "2b", "3c"],
    );
    const same = [a];
    assert.equal(mergeEvents(same, []), same, "no copy when nothing is added");
  });

  it("moves a cursor only over events it has without a gap", () => {
    assert.equal(contiguousSeq(0, [1, 2, 3]), 3);
    assert.equal(contiguousSeq(2, [3, 5, 6]), 3);
    assert.equal(contiguousSeq(4, []), 4);
    assert.equal(contiguousSeq(0, [2, 3]), 0);
  });

  it("lists threads waiting for a person first, then running ones, then the most recent", () => {
    const sorted = sortThreads([
      thread("old-done", { updatedAt: 1 }),
      thread("new-done", { updatedAt: 9 }),
      thread("running", { status: "running", updatedAt: 2 }),
      thread("asks", { status: "awaiting-approval", pending: [{ approvalId: "a", title: "npm test" }], updatedAt: 0 }),
      { hostId: "h", threadId: "sent", seq: 0, summary: null, sent: { text: "x", at: 5, queued: true } },
    ]);
    assert.deepEqual(
      sorted.map((t) => t.threadId),
      ["asks", "running", "new-done", "sent", "old-done"],
    );
  });

  it("counts running threads and what waits for a person, per host", () => {
    assert.deepEqual(
      hostActivity([
        thread("a", { status: "running" }),
        thread("b", { status: "awaiting-approval", pending: [{ approvalId: "1", title: "x" }] }),
        thread("c", { status: "awaiting-answer" }),
        thread("d"),
      ]),
      { running: 3, waiting: 2 },
    );
  });

  it("keeps the newest live output within its cap", () => {
    assert.equal(appendCapped("abc", "def", 4), "cdef");
    assert.equal(appendCapped(undefined, "x"), "x");
  });

  it("keeps exactly the newest characters however the output is cut into chunks", () => {
    assert.equal(appendCapped("abc", "defgh", 4), "efgh", "a chunk past the cap keeps its own tail");
    assert.equal(appendCapped("abc", "defg", 4), "defg", "a chunk of the cap's size replaces the output");
    assert.equal(appendCapped("ab", "c", 4), "abc", "under the cap nothing is cut");
    assert.equal(appendCapped("abc", "", 2), "bc");
    const text = Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join("");
    for (const size of [1, 7, 64, 999]) {
      let output: string | undefined;
      let whole = "";
      for (let at = 0; at < text.length; at += size) {
        const chunk = text.slice(at, at + size);
        output = appendCapped(output, chunk, 300);
        whole += chunk;
        assert.equal(output, whole.slice(-300), `chunks of ${size}, after ${whole.length} characters`);
      }
    }
  });

  it("keeps the same newest characters as chunks, in a bounded number of them", () => {
    const text = Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join("");
    for (const size of [1, 5, 64, 999, 5000]) {
      let chunks: string[] = [];
      let whole = "";
      for (let at = 0; at < text.length; at += size) {
        const chunk = text.slice(at, at + size);
        chunks = appendChunk(chunks, chunk, 2000);
        whole += chunk;
        assert.equal(joinChunks(chunks), whole.slice(-2000), `chunks of ${size}, after ${whole.length} characters`);
        assert.ok(chunks.length <= 65, `${chunks.length} chunks kept`);
        assert.equal(lastChars(chunks, 10), whole.slice(-10));
        assert.equal(lastChars(chunks, 1500), whole.slice(-1500));
      }
    }
    assert.deepEqual(appendChunk(["ab", "cd"], "ef", 4), ["cd", "ef"], "a whole chunk past the cap goes");
    assert.deepEqual(appendChunk(["abc"], "d", 2), ["c", "d"]);
  });
});
