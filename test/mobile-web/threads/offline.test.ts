import assert from "node:assert/strict";
import { clockTime, offlineNote } from "../../../mobile-web/src/threads/offline";

describe("a thread whose computer is offline", () => {
  const since = new Date(2026, 11, 6, 20, 27).getTime();

  it("says since when, and that a run that was going may have stopped", () => {
    assert.equal(offlineNote(since, since + 5 * 60_000, true), "Computer offline since 20:27; this run may have stopped.");
    assert.equal(offlineNote(since, since + 5 * 60_000, false), "Computer offline since 20:27.");
  });

  it("adds the day when it was more than a day ago", () => {
    assert.equal(clockTime(since, since + 2 * 24 * 60 * 60_000), "6 Dec 20:27");
    assert.equal(clockTime(new Date(2026, 11, 6, 9, 5).getTime(), since), "09:05");
  });
});
