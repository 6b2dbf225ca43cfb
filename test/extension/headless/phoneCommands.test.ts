import assert from "node:assert/strict";
import { seenText } from "../../../extension/core/devices/seen";
import type { PhoneView } from "../../../extension/core/devices/phoneDirectory";
import type { Host } from "../../../extension/core/host";
import { findPhone, phoneCommands } from "../../../extension/headless/phoneCommands";
import type { Terminal } from "../../../extension/headless/terminal";

const phone = (id: string, name: string): PhoneView => ({
  id,
  name,
  publicKey: "k",
  relay: "http://r",
  pairedAt: 0,
  online: false,
  lastSeen: 0,
});

describe("headless host: paired phones on the command line", () => {
  const phones = [phone("aaa", "Pixel 8"), phone("bbb", "iPhone"), phone("ccc", "iphone")];

  it("finds a phone by its number in the list, its id, or its name in any case", () => {
    assert.equal((findPhone(phones, "1") as PhoneView).id, "aaa");
    assert.equal((findPhone(phones, "bbb") as PhoneView).name, "iPhone");
    assert.equal((findPhone(phones, "pixel 8") as PhoneView).id, "aaa");
    assert.equal(findPhone(phones, "4"), undefined, "no fourth phone");
    assert.equal(findPhone(phones, "Galaxy"), undefined);
  });

  it("answers every match when a name is ambiguous, so nothing is revoked by guess", () => {
    const matches = findPhone(phones, "IPHONE");
    assert.ok(Array.isArray(matches));
    assert.deepEqual(
      matches.map((p) => p.id),
      ["bbb", "ccc"],
    );
  });

  it("lists the phones and revokes one only after the person says yes", async () => {
    const lines: string[] = [];
    const revoked: string[] = [];
    let answer = false;
    const host = {
      phoneList: () => phones.filter((p) => !revoked.includes(p.id)),
      revokePhone: async (id: string) => void revoked.push(id),
    } as unknown as Host;
    const term = { say: (line: string) => void lines.push(line), ask: async () => answer } as unknown as Terminal;
    const run = phoneCommands(host, term, () => 0);

    await run("phones");
    assert.deepEqual(lines.splice(0), [
      "  1. Pixel 8 · last seen unknown · id aaa",
      "  2. iPhone · last seen unknown · id bbb",
      "  3. iphone · last seen unknown · id ccc",
    ]);
    await run("revoke 1");
    assert.deepEqual(revoked, [], "not without a yes");
    assert.deepEqual(lines.splice(0), ["Not revoked."]);
    answer = true;
    await run("revoke Pixel 8");
    assert.deepEqual(revoked, ["aaa"]);
    assert.match(lines.splice(0).join("\n"), /Revoked "Pixel 8"/);
    await run("revoke iphone");
    assert.deepEqual(revoked, ["aaa"], "an ambiguous name revokes nothing");
    await run("frobnicate");
    assert.match(lines.at(-1) ?? "", /Unknown command "frobnicate"/);
  });

  it("says online, or when the phone was last seen", () => {
    const now = Date.UTC(2025, 4, 10, 12);
    assert.equal(seenText({ online: true, lastSeen: now - 999_999 }, now), "online");
    assert.equal(seenText({ online: false, lastSeen: now - 20_000 }, now), "seen just now");
    assert.equal(seenText({ online: false, lastSeen: now - 5 * 60_000 }, now), "seen 5 min ago");
    assert.equal(seenText({ online: false, lastSeen: now - 3 * 3600_000 }, now), "seen 3 h ago");
    assert.equal(seenText({ online: false, lastSeen: now - 30 * 3600_000 }, now), "seen yesterday");
    assert.equal(seenText({ online: false, lastSeen: now - 4 * 86_400_000 }, now), "seen 4 days ago");
    assert.match(seenText({ online: false, lastSeen: now - 90 * 86_400_000 }, now), /^seen on /);
    assert.equal(seenText({ online: false, lastSeen: 0 }, now), "last seen unknown");
  });
});
