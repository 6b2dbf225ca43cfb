import assert from "node:assert/strict";
import { wrappedLines } from "../../../mobile-web/src/threads/diff";

describe("how many screen lines a wrapped diff line takes", () => {
  it("fills each line to the column before breaking", () => {
    assert.equal(wrappedLines("", 30), 1);
    assert.equal(wrappedLines("x".repeat(30), 30), 1);
    assert.equal(wrappedLines("x".repeat(31), 30), 2);
    assert.equal(wrappedLines("x".repeat(300), 36), 9);
  });

  it("counts spaces like any character (they break, they do not hang)", () => {
    assert.equal(wrappedLines(" ".repeat(61), 30), 3);
  });

  it("takes a tab to the next multiple of 4", () => {
    assert.equal(wrappedLines("\tab", 5), 2);
    assert.equal(wrappedLines("a\tb", 5), 1);
    assert.equal(wrappedLines("\t\t\t", 8), 2);
  });

  it("never takes less than one line, whatever the width", () => {
    assert.equal(wrappedLines("abc", 0), 3);
    assert.equal(wrappedLines("abc", -4), 3);
  });
});
