import assert from "node:assert/strict";
import { DEFAULT_PREFS, readPrefs, withMuted } from "../../../mobile-web/src/push/prefs";

describe("remembered notification settings", () => {
  it("starts with notifications off and nothing muted when nothing usable is stored", () => {
    for (const stored of [undefined, null, "push", 42, true, [], {}]) {
      assert.deepEqual(readPrefs(stored), { enabled: false, muted: [] }, JSON.stringify(stored));
    }
  });

  it("keeps what a current version stored", () => {
    const stored = { enabled: true, muted: ["host-a", "host-b"], vapidKey: "BNc3k" };
    assert.deepEqual(readPrefs(stored), stored);
  });

  it("reads older or damaged shapes without turning notifications on by accident", () => {
    assert.deepEqual(readPrefs({ enabled: true }), { enabled: true, muted: [] });
    assert.deepEqual(readPrefs({ enabled: "yes", muted: "host-a" }), { enabled: false, muted: [] });
    assert.deepEqual(readPrefs({ enabled: 1, muted: { 0: "host-a" }, vapidKey: 7 }), { enabled: false, muted: [] });
    assert.deepEqual(readPrefs({ enabled: true, muted: ["host-a", 3, null, "host-a", "host-b"], later: "field" }), {
      enabled: true,
      muted: ["host-a", "host-b"],
    });
  });

  it("never hands out the defaults themselves, so a change cannot leak into the next read", () => {
    const prefs = readPrefs(null);
    prefs.enabled = true;
    assert.equal(readPrefs(null).enabled, false);
    assert.equal(DEFAULT_PREFS.enabled, false);
  });
});

describe("muting a host", () => {
  it("adds and removes one host, leaving the others", () => {
    assert.deepEqual(withMuted([], "host-a", true), ["host-a"]);
    assert.deepEqual(withMuted(["host-a"], "host-b", true), ["host-a", "host-b"]);
    assert.deepEqual(withMuted(["host-a", "host-b"], "host-a", false), ["host-b"]);
  });

  it("lists a host once however often it is muted, and unmuting an unmuted host changes nothing", () => {
    assert.deepEqual(withMuted(["host-a", "host-b"], "host-a", true), ["host-b", "host-a"]);
    assert.deepEqual(withMuted(withMuted(["host-a"], "host-a", true), "host-a", true), ["host-a"]);
    assert.deepEqual(withMuted(["host-b"], "host-a", false), ["host-b"]);
  });

  it("leaves the list it was given alone", () => {
    const muted = Object.freeze(["host-a"]);
    const next = withMuted(muted, "host-b", true);
    assert.deepEqual(muted, ["host-a"]);
    assert.notEqual(next, muted);
  });
});
