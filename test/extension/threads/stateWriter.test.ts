// The state writer keeps a descriptor open per file it appends to: lines must still land in
// the file a reader opens by its path after the file was replaced, removed, or pushed out of
// the open set, and in the order they were queued.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { StateWriter } from "../../../extension/core/threads/stateWriter";
import { quietLog } from "../../support/host";

const openDescriptors = (): number => readdirSync("/proc/self/fd").length;

describe("state writer appends", () => {
  let dir: string;
  let writer: StateWriter;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tether-writer-"));
    writer = new StateWriter(quietLog);
  });
  afterEach(() => {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("appends round after round to the same file, in order, every line once", async () => {
    const file = join(dir, "events.jsonl");
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5; i++) writer.append(file, `${round * 5 + i}\n`);
      await writer.flushed();
    }
    const lines = readFileSync(file, "utf8").trim().split("\n").map(Number);
    assert.deepEqual(
      lines,
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it("appends after a rewrite go to the new file, not to the one the rename replaced", async () => {
    const file = join(dir, "applied.jsonl");
    writer.append(file, "a\n");
    await writer.flushed();
    writer.replace(file, "kept\n");
    await writer.flushed();
    writer.append(file, "b\n");
    await writer.flushed();
    assert.equal(readFileSync(file, "utf8"), "kept\nb\n");
  });

  it("a folder removed and made again gets its later lines", async () => {
    const thread = join(dir, "t1");
    mkdirSync(thread);
    writer.append(join(thread, "events.jsonl"), "old\n");
    await writer.flushed();
    writer.forget(thread + sep);
    rmSync(thread, { recursive: true });
    mkdirSync(thread);
    writer.append(join(thread, "events.jsonl"), "new\n");
    await writer.flushed();
    assert.equal(readFileSync(join(thread, "events.jsonl"), "utf8"), "new\n");
  });

  it("keeps a bounded number of files open however many it writes, and loses no line of any", async () => {
    const before = openDescriptors();
    const files = Array.from({ length: 100 }, (_, i) => join(dir, `f${i}.jsonl`));
    for (let round = 0; round < 3; round++) {
      for (const f of files) writer.append(f, `${round}\n`);
      await writer.flushed();
    }
    assert.ok(openDescriptors() - before <= 32, `${openDescriptors() - before} descriptors left open`);
    for (const f of files) assert.equal(readFileSync(f, "utf8"), "0\n1\n2\n");
    writer.close();
    assert.ok(openDescriptors() <= before, "descriptors left open after close");
  });

  it("creates the files it appends to readable by their owner only", async () => {
    const file = join(dir, "events.jsonl");
    writer.append(file, "x\n");
    await writer.flushed();
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});
