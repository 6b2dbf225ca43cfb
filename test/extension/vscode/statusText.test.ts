// The status bar entry: a few words in the bar, the detail (relay, connection, phones, tasks) in
// its tooltip, with links to act on it.

import assert from "node:assert/strict";
import { statusText, statusTooltip, TOOLTIP_COMMANDS, type StatusFacts } from "../../../extension/vscode/statusText";

const NOW = Date.parse("2026-12-07T01:00:00Z");

const facts = (more: Partial<StatusFacts> = {}): StatusFacts => ({
  link: "open",
  relay: "https://relay.example.com",
  localRelay: false,
  waiting: 0,
  threads: [],
  phones: [],
  now: NOW,
  ...more,
});

/** The bar's words without the $(icon). */
const words = (text: string): string => text.replace(/\$\([\w~-]+\)\s*/g, "");

describe("the status bar entry", () => {
  it("is short in the bar: the name and at most one count", () => {
    assert.equal(statusText(facts()), "$(radio-tower) Tether");
    assert.equal(
      statusText(facts({ waiting: 1, threads: ["running", "awaiting-approval"] })),
      "$(radio-tower) Tether · 1 waiting",
    );
    assert.equal(statusText(facts({ threads: ["running", "running", "done"] })), "$(radio-tower) Tether · 2 running");
    assert.equal(statusText(facts({ link: "closed" })), "$(debug-disconnect) Tether");
    assert.equal(statusText(facts({ link: "connecting" })), "$(sync~spin) Tether");
    const busiest = facts({
      waiting: 12,
      threads: ["running", "queued", "awaiting-answer"],
      phones: [{ name: "A phone with a very long name indeed", online: true, lastSeen: NOW }],
    });
    assert.ok(words(statusText(busiest)).length <= 20, statusText(busiest));
    assert.doesNotMatch(statusText(busiest), /relay|phone|example/i);
  });

  it("holds the detail in the tooltip: relay, connection, phones with last seen, tasks", () => {
    const tooltip = statusTooltip(
      facts({
        waiting: 2,
        threads: ["running", "queued", "done", "awaiting-approval"],
        phones: [
          { name: "Pixel 8", online: true, lastSeen: NOW },
          { name: "Old iPhone", online: false, lastSeen: NOW - 5 * 60_000 },
        ],
      }),
    );
    assert.match(tooltip, /connected to the relay/);
    assert.match(tooltip, /Relay: `https:\/\/relay\.example\.com`/);
    assert.match(tooltip, /Pixel 8 \(online\), Old iPhone \(seen 5 min ago\)/);
    assert.match(tooltip, /1 running, 1 queued, 2 approvals or questions waiting for you/);
    assert.match(tooltip, /\[Decide Now\]\(command:tether\.showApprovals\)/);
  });

  it("offers a local relay and pairing when there is neither", () => {
    const tooltip = statusTooltip(facts({ link: "closed", relay: "http://127.0.0.1:8787" }));
    assert.match(tooltip, /not connected to the relay/);
    assert.match(tooltip, /Phones: none paired yet/);
    assert.match(tooltip, /\[Start a Local Relay\]\(command:tether\.startLocalRelay\)/);
    assert.match(tooltip, /Tasks: none running/);
    const local = statusTooltip(facts({ relay: "http://127.0.0.1:8787", localRelay: true }));
    assert.match(local, /`http:\/\/127\.0\.0\.1:8787` \(this window's own\)/);
    assert.doesNotMatch(local, /Start a Local Relay/);
  });

  it("links only to commands the tooltip may run, and escapes phone names", () => {
    const tooltip = statusTooltip(
      facts({ link: "closed", waiting: 1, phones: [{ name: "[x](command:rm)", online: false, lastSeen: 0 }] }),
    );
    const linked = [...tooltip.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]);
    assert.ok(linked.length >= 3);
    for (const id of linked) assert.ok(TOOLTIP_COMMANDS.includes(id!), `${id} is not allowed in the tooltip`);
    assert.match(tooltip, /\\\[x\\\]\\\(command:rm\\\)/);
  });
});
