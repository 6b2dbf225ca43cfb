import assert from "node:assert/strict";
import { generateContentKey, seal, sealContext, type HostProfile, type StoredRecord } from "#protocol";
import { PROFILE_RECORD_KEY, openProfileRecord } from "../../../mobile-web/src/hosts/profile";
import type { HostRecord } from "../../../mobile-web/src/store/records";

describe("host profile record", () => {
  const profile: HostProfile = { name: "Laptop", workspace: "/home/me/web", platform: "darwin", version: "0.2.0" };
  let host: HostRecord;

  const record = async (value: unknown, options: { key?: CryptoKey; hostId?: string; recordKey?: string } = {}) => {
    const hostId = options.hostId ?? host.hostId;
    const recordKey = options.recordKey ?? PROFILE_RECORD_KEY;
    const box = await seal(options.key ?? host.contentKey, host.epoch, value, sealContext.record(hostId, recordKey));
    return { hostId, key: recordKey, box, at: 1000 } satisfies StoredRecord;
  };

  before(async () => {
    host = {
      hostId: "host-1",
      hostKey: "k",
      epoch: 1,
      contentKey: await generateContentKey(),
      profile: { name: "Old name", workspace: "/w", platform: "linux", version: "0.1.0" },
      pairedAt: 0,
    };
  });

  it("shows the computer's new name once it publishes its profile", async () => {
    assert.deepEqual(await openProfileRecord(host, await record(profile)), profile);
  });

  it("keeps the stored profile for a record it cannot use: another computer's, another kind, malformed, or sealed with an unknown key", async () => {
    assert.equal(await openProfileRecord(host, await record(profile, { hostId: "host-2" })), null);
    assert.equal(await openProfileRecord(host, await record(profile, { recordKey: "summary" })), null);
    assert.equal(await openProfileRecord(host, await record({ name: "Laptop" })), null);
    // Sealed under a key this phone does not have (a newer epoch, say).
    assert.equal(await openProfileRecord(host, await record(profile, { key: await generateContentKey() })), null);
  });
});
