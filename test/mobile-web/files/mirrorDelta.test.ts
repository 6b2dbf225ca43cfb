import assert from "node:assert/strict";
import type { DirEntry } from "#protocol";
import { HeldChanges, applyDirChange } from "../../../mobile-web/src/files/mirrorDelta";

const file = (name: string, size = 1, git?: DirEntry["git"]): DirEntry => ({
  name,
  kind: "file",
  size,
  mtime: 1,
  ...(git ? { git } : {}),
});
const dir = (name: string): DirEntry => ({ name, kind: "dir", size: 0, mtime: 1 });

describe("applying a workspace change to a listing", () => {
  const listing = { path: "src", entries: [dir("lib"), file("a.ts"), file("c.ts")], hidden: 0, truncated: false };

  it("adds new entries in their sorted place and drops removed ones", () => {
    const next = applyDirChange(listing, { path: "src", entries: [file("b.ts"), dir("api")], removed: ["c.ts"], hidden: 2 });
    assert.deepEqual(
      next.entries.map((e) => e.name),
      ["api", "lib", "a.ts", "b.ts"],
    );
    assert.equal(next.hidden, 2);
  });

  it("replaces a changed entry in place and keeps unchanged ones as they were", () => {
    const next = applyDirChange(listing, { path: "src", entries: [file("a.ts", 9, "M"), file("c.ts")], removed: [], hidden: 0 });
    assert.deepEqual(
      next.entries.map((e) => [e.name, e.size, e.git]),
      [
        ["lib", 0, undefined],
        ["a.ts", 9, "M"],
        ["c.ts", 1, undefined],
      ],
    );
    // The same object: a keyed list keeps its row as it was.
    assert.equal(next.entries[2], listing.entries[2]);
  });
});

describe("changes that overtake a listing on its way", () => {
  const landed = () => ({ path: "src", entries: [file("a.ts"), file("b.ts")], hidden: 0, truncated: false });

  it("shows git's marks that came before the listing they belong to", () => {
    const held = new HeldChanges();
    const load = held.begin("src");
    // git answered while the listing was on its way: its marks came first.
    held.hold({ path: "src", entries: [file("a.ts", 1, "M"), file("b.ts", 1, "?")], removed: [], hidden: 0 });
    held.hold({ path: "lib", entries: [file("other.ts", 1, "A")], removed: [], hidden: 0 });
    const shown = held.settle(load, landed());
    assert.deepEqual(
      shown.entries.map((e) => [e.name, e.git]),
      [
        ["a.ts", "M"],
        ["b.ts", "?"],
      ],
    );
  });

  it("applies changes in the order they came, and holds none once the listing is in", () => {
    const held = new HeldChanges();
    const load = held.begin("src");
    held.hold({ path: "src", entries: [file("c.ts")], removed: [], hidden: 1 });
    held.hold({ path: "src", entries: [], removed: ["c.ts", "a.ts"], hidden: 0 });
    assert.deepEqual(
      held.settle(load, landed()).entries.map((e) => e.name),
      ["b.ts"],
    );
    held.end(load);
    held.hold({ path: "src", entries: [file("late.ts")], removed: [], hidden: 0 });
    const again = held.begin("src");
    assert.deepEqual(
      held.settle(again, landed()).entries.map((e) => e.name),
      ["a.ts", "b.ts"],
    );
  });
});
