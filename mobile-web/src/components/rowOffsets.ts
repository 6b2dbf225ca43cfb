// Where each row of a windowed list starts when rows differ in height (wrapped lines): a
// prefix sum, and a binary search from a scroll position back to a row. Pure, for the tests.

/** `offsets[i]` is the top of row `i`; `offsets[count]` is the height of them all. */
export function rowOffsets(heights: ArrayLike<number>): Float64Array {
  const offsets = new Float64Array(heights.length + 1);
  for (let i = 0; i < heights.length; i++) offsets[i + 1] = offsets[i]! + heights[i]!;
  return offsets;
}

/** The row at `y` pixels from the top (the last row for anything past the end; 0 for no rows). */
export function rowAt(offsets: Float64Array, y: number): number {
  const count = offsets.length - 1;
  if (count <= 0) return 0;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
