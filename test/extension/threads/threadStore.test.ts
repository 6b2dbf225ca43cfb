// The host's state files written behind the event loop: what a reader sees before and after
// the write, what `flushed()` promises, and what survives shutdown.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NewThreadEvent } from "#protocol";
import { Thread } from "../../../extension/core/threads/thread";
import { ThreadStore } from "../../../extension/core/threads/threadStore";
import { quietLog } from "../../support/host";

const task: NewThreadEvent = {
  type: "task",
  text: "fix it",
  title: "fix it",
  workspace: "w",
  mode: "ask",
  model: "m",
  by: { id: "p", name: "Pixel" },
};

describe("thread store writes", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tether-store-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const eventsFile = (id: string): string => join(dir, "threads", id, "events.jsonl");

  it("queues a burst of events and rewrites off the event loop, all on disk once flushed, the latest rewrite winning", async () => {
    const store = new ThreadStore(dir, quietLog);
    store.create("t1");
    const thread = new Thread("t1", store, () => 1);
    thread.append(task);
    for (let i = 0; i < 50; i++) thread.append({ type: "assistant-text", text: `step ${i}` });
    for (let i = 0; i < 50; i++) store.saveMeta("t1", { approvedCommands: [`cmd ${i}`], autoEdit: false });
    // Nothing has been written on the event loop; reads of a rewritten file see the queued value.
    assert.equal(existsSync(eventsFile("t1")), false);
    assert.deepEqual(store.meta("t1").approvedCommands, ["cmd 49"]);

    await store.flushed();
    const fresh = new ThreadStore(dir, quietLog);
    assert.equal(fresh.events("t1").length, 51);
    assert.deepEqual(fresh.meta("t1").approvedCommands, ["cmd 49"]);
    assert.equal(readFileSync(eventsFile("t1"), "utf8").split("\n").length, 52);
  });

  it("keeps the events appended while a write is under way, in order, for the next one", async () => {
    const store = new ThreadStore(dir, quietLog);
    store.create("t2");
    const thread = new Thread("t2", store, () => 1);
    thread.append(task);
    const first = store.flushed();
    await Promise.resolve(); // the first round has started
    thread.append({ type: "assistant-text", text: "during" });
    const second = store.flushed();
    await first;
    await second;
    assert.deepEqual(
      new ThreadStore(dir, quietLog).events("t2").map((n) => n.seq),
      [1, 2],
    );
  });

  it("writes what is queued on close, and synchronously for an exit that cannot wait", async () => {
    const store = new ThreadStore(dir, quietLog);
    store.create("t3");
    new Thread("t3", store, () => 1).append(task);
    store.savePublished({ hostId: "h", seqs: { t3: 1 }, deleted: [] });
    await store.close();
    assert.deepEqual(new ThreadStore(dir, quietLog).published()?.seqs, { t3: 1 });

    store.savePublished({ hostId: "h", seqs: { t3: 2 }, deleted: [] });
    new Thread("t3", store, () => 1, store.events("t3")).append({ type: "assistant-text", text: "last words" });
    store.flushSync();
    const fresh = new ThreadStore(dir, quietLog);
    assert.deepEqual(fresh.published()?.seqs, { t3: 2 });
    assert.equal(fresh.events("t3").length, 2);
  });

  it("rejects flushed() when a write fails and writes it with a later flush", async () => {
    const store = new ThreadStore(dir, quietLog);
    store.savePublished({ hostId: "h", seqs: { a: 1 }, deleted: [] });
    await store.flushed();
    // A folder where the next rewrite's temporary file goes: the write fails, even for root.
    const blocker = join(dir, `published.json.${process.pid}.tmp`);
    mkdirSync(blocker);
    store.savePublished({ hostId: "h", seqs: { a: 2 }, deleted: [] });
    await assert.rejects(store.flushed());
    assert.deepEqual(new ThreadStore(dir, quietLog).published()?.seqs, { a: 1 });
    rmSync(blocker, { recursive: true });
    await store.flushed();
    assert.deepEqual(new ThreadStore(dir, quietLog).published()?.seqs, { a: 2 });
  });

  it("remembers applied commands across a restart, compacting the file past twice the kept count", async () => {
    const store = new ThreadStore(dir, quietLog);
    const kept: { id: string; reply: unknown }[] = [];
    for (let i = 0; i < 7; i++) {
      kept.push({ id: `c${i}`, reply: { ok: true } });
      while (kept.length > 3) kept.shift();
      store.recordApplied(kept.at(-1)!, kept);
    }
    await store.flushed();
    const ids = new ThreadStore(dir, quietLog).applied().map((e) => e.id);
    assert.deepEqual(ids.slice(-3), ["c4", "c5", "c6"]);
    assert.ok(ids.length < 6, `the file was compacted: ${ids.join(",")}`);
  });

  it("reads an event line written twice (an exit during a write) once", async () => {
    const store = new ThreadStore(dir, quietLog);
    store.create("t4");
    const thread = new Thread("t4", store, () => 1);
    thread.append(task);
    thread.append({ type: "assistant-text", text: "one" });
    await store.flushed();
    const lines = readFileSync(eventsFile("t4"), "utf8");
    thread.append({ type: "assistant-text", text: "two" });
    await store.flushed();
    const all = readFileSync(eventsFile("t4"), "utf8");
    // seq 2 again, then seq 3: what flushSync may leave after a write it could not know had finished.
    const doubled = lines + lines.split("\n")[1] + "\n" + all.slice(lines.length);
    writeFileSync(eventsFile("t4"), doubled);
    assert.deepEqual(
      new ThreadStore(dir, quietLog).events("t4").map((n) => n.seq),
      [1, 2, 3],
    );
  });
});
