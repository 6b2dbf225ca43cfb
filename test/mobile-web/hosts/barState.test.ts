import assert from "node:assert/strict";
import { barState } from "../../../mobile-web/src/hosts/barState";

describe("the top bar's word on a computer", () => {
  const now = new Date(2026, 4, 3, 21, 0).getTime();
  const since = new Date(2026, 4, 3, 20, 27).getTime();

  it("says since when a computer is offline, as the thread's own note does", () => {
    assert.deepEqual(barState({ kind: "known", online: false, lastSeen: since }, "online", now), {
      tone: "offline",
      words: "offline since 20:27",
    });
    assert.deepEqual(barState({ kind: "known", online: true, lastSeen: since }, "online", now), {
      tone: "online",
      words: "online",
    });
  });

  it("puts the relay first: without it, what was last heard of the computer does not hold", () => {
    const online = { kind: "known", online: true, lastSeen: since } as const;
    assert.equal(barState(online, "offline", now).words, "relay offline");
    assert.equal(barState(online, "connecting", now).words, "connecting…");
    assert.equal(barState({ kind: "unknown" }, "online", now).tone, "connecting");
    assert.equal(barState({ kind: "unlisted" }, "online", now).words, "offline");
  });
});
