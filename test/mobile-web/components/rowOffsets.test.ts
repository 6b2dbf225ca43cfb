import assert from "node:assert/strict";
import { rowAt, rowOffsets } from "../../../mobile-web/src/components/rowOffsets";

describe("rows of different heights in a windowed list", () => {
  const offsets = rowOffsets([20, 60, 20, 100]);

  it("puts each row under the ones before it", () => {
    assert.deepEqual([...offsets], [0, 20, 80, 100, 200]);
  });

  it("finds the row at a scroll position, its top edge included", () => {
    assert.equal(rowAt(offsets, 0), 0);
    assert.equal(rowAt(offsets, 19.5), 0);
    assert.equal(rowAt(offsets, 20), 1);
    assert.equal(rowAt(offsets, 79), 1);
    assert.equal(rowAt(offsets, 150), 3);
  });

  it("answers the last row past the end, and row 0 for nothing or before the start", () => {
    assert.equal(rowAt(offsets, 10_000), 3);
    assert.equal(rowAt(offsets, -5), 0);
    assert.equal(rowAt(rowOffsets([]), 40), 0);
  });

  it("finds rows in a long list as a linear scan would", () => {
    const heights = Array.from({ length: 5000 }, (_, i) => 20 * (1 + (i % 7 === 0 ? 3 : 0)));
    const long = rowOffsets(heights);
    for (const y of [0, 1, 999, 12_345, 67_890, long[5000]! - 1]) {
      let expected = 0;
      while (expected + 1 < heights.length && long[expected + 1]! <= y) expected++;
      assert.equal(rowAt(long, y), expected, `y=${y}`);
    }
  });
});
