import assert from "node:assert/strict";
import {
  KeyPurpose,
  PAIRWISE_EPOCH,
  deriveSharedKey,
  exportPublicKey,
  exportSecretKey,
  generateContentKey,
  generateDeviceKeyPair,
  importContentKey,
  open,
  rekeyRecordKey,
  seal,
  sealContext,
  type EpochKey,
  type StoredRecord,
} from "#protocol";
import { applyRekey, isAhead, isRekeyRecord, keyFor, withKeys } from "../../../mobile-web/src/hosts/keys";
import type { HostRecord } from "../../../mobile-web/src/store/records";

const HOST_ID = "host-1";
const PHONE_ID = "phone-1";

describe("a host's content keys on the phone", () => {
  let host: CryptoKeyPair;
  let phone: CryptoKeyPair;
  let raw: EpochKey[];
  let record: HostRecord;

  /** The rekey record as the host publishes it for `phoneId`. */
  async function rekeyRecord(
    keys: EpochKey[],
    phoneId = PHONE_ID,
    override: Record<string, unknown> = {},
  ): Promise<StoredRecord> {
    const shared = await deriveSharedKey(host.privateKey, phone.publicKey, KeyPurpose.Rekey);
    const box = await seal(
      shared,
      PAIRWISE_EPOCH,
      { hostId: HOST_ID, phoneId, keys, ...override },
      sealContext.rekey(HOST_ID, phoneId),
    );
    return { hostId: HOST_ID, key: rekeyRecordKey(phoneId), box, at: 1 };
  }

  before(async () => {
    host = await generateDeviceKeyPair(true);
    phone = await generateDeviceKeyPair(false);
    raw = [];
    for (const epoch of [1, 2, 3]) raw.push({ epoch, key: await exportSecretKey(await generateContentKey()) });
  });

  beforeEach(async () => {
    record = {
      hostId: HOST_ID,
      hostKey: await exportPublicKey(host.publicKey),
      epoch: 1,
      contentKey: await importContentKey(raw[0]!.key),
      profile: { name: "Workstation", workspace: "api", platform: "linux", version: "0" },
      pairedAt: 0,
    };
  });

  it("takes the newest key from this phone's rekey record and keeps the older ones for history", async () => {
    const updated = await applyRekey(record, await rekeyRecord(raw.slice(0, 2)), {
      deviceId: PHONE_ID,
      privateKey: phone.privateKey,
    });
    assert.ok(updated);
    assert.equal(updated.epoch, 2);
    const box = await seal(await importContentKey(raw[1]!.key), 2, "new", sealContext.record(HOST_ID, "x"));
    assert.equal(await open(keyFor(updated, box.e), box, sealContext.record(HOST_ID, "x")), "new");
    const old = await seal(await importContentKey(raw[0]!.key), 1, "old", sealContext.record(HOST_ID, "x"));
    assert.equal(await open(keyFor(updated, old.e), old, sealContext.record(HOST_ID, "x")), "old");
    assert.equal(isAhead(updated, 3), true);
    assert.equal(isAhead(updated, 2), false);
  });

  it("ignores another phone's record, a forged one, one naming another phone, and one that brings nothing new", async () => {
    const me = { deviceId: PHONE_ID, privateKey: phone.privateKey };
    assert.equal(await applyRekey(record, await rekeyRecord(raw, "phone-2"), me), null);
    const forged = await rekeyRecord(raw);
    forged.box = { ...forged.box, ct: forged.box.ct.slice(0, -2) + (forged.box.ct.endsWith("A") ? "BB" : "AA") };
    assert.equal(await applyRekey(record, forged, me), null);
    assert.equal(await applyRekey(record, await rekeyRecord(raw, PHONE_ID, { phoneId: "phone-2" }), me), null);
    assert.equal(await applyRekey(record, await rekeyRecord(raw.slice(0, 1)), me), null);
    assert.equal(isRekeyRecord(await rekeyRecord(raw)), true);
    assert.equal(isRekeyRecord({ ...(await rekeyRecord(raw)), key: "t-thread" }), false);
  });

  it("never moves back to an older key when an old record is replayed", async () => {
    const newest = await withKeys(record, raw);
    assert.equal(newest.epoch, 3);
    const replayed = await withKeys(newest, raw.slice(0, 2));
    assert.equal(replayed, newest);
    assert.deepEqual(
      newest.olderKeys?.map((k) => k.epoch),
      [1, 2],
    );
  });
});
