import assert from "node:assert/strict";
import { timeAgo } from "../../../mobile-web/src/time/ago";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("last seen", () => {
  const then = Date.UTC(2025, 0, 15, 12, 0, 0);

  it("reads as a person would say it, from just now to days ago", () => {
    assert.equal(timeAgo(then, then + 30_000), "just now");
    assert.equal(timeAgo(then, then + MINUTE), "1 min ago");
    assert.equal(timeAgo(then, then + 5 * MINUTE + 10_000), "5 min ago");
    assert.equal(timeAgo(then, then + 59 * MINUTE + 59_000), "59 min ago");
    assert.equal(timeAgo(then, then + 3 * HOUR), "3 h ago");
    assert.equal(timeAgo(then, then + DAY + 2 * HOUR), "yesterday");
    assert.equal(timeAgo(then, then + 6 * DAY), "6 days ago");
    // A phone whose clock is behind the relay's must not say "-10 min ago".
    assert.equal(timeAgo(then, then - 10 * MINUTE), "just now");
  });

  it("gives a date, with its year, once it is a month old", () => {
    const text = timeAgo(then, then + 45 * DAY);
    assert.match(text, /^on /);
    assert.match(text, /2025/);
  });
});
