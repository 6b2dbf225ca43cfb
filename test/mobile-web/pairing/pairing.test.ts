import assert from "node:assert/strict";
import {
  ErrorCode,
  KeyPurpose,
  PAIRWISE_EPOCH,
  deriveSharedKey,
  exportPublicKey,
  exportSecretKey,
  generateContentKey,
  generateDeviceKeyPair,
  importPublicKey,
  open,
  pairingCode,
  randomId,
  seal,
  sealContext,
  verifyPairingProof,
  type Box,
  type HostProfile,
  type PairLink,
} from "#protocol";
import { acceptGrant, preparePairing, type PairingIdentity, type PreparedPairing } from "../../../mobile-web/src/pairing/pairing";

const rejectedWith = (code: string) => (err: { code?: string }) => err.code === code;

describe("pairing, the phone's half", () => {
  const profile: HostProfile = { name: "Workstation", workspace: "/home/me/api", platform: "linux", version: "0.1.0" };
  let host: CryptoKeyPair;
  let link: PairLink;
  let me: PairingIdentity;
  let contentKey: CryptoKey;
  let prepared: PreparedPairing;

  /** The grant as the computer seals it for this phone, with `override` changing any part. */
  async function grantFromHost(override: Record<string, unknown> = {}, slotId = link.slotId): Promise<Box> {
    const grantKey = await deriveSharedKey(host.privateKey, await importPublicKey(me.publicKeyB64), KeyPurpose.PairGrant);
    const grant = { hostId: "host-1", key: await exportSecretKey(contentKey), epoch: 3, profile, ...override };
    return seal(grantKey, PAIRWISE_EPOCH, grant, sealContext.pairGrant(slotId));
  }

  before(async () => {
    host = await generateDeviceKeyPair(true);
    link = { slotId: randomId(), hostKey: await exportPublicKey(host.publicKey), secret: randomId(16) };
    const phone = await generateDeviceKeyPair(false);
    me = { privateKey: phone.privateKey, publicKeyB64: await exportPublicKey(phone.publicKey), name: "Pixel 8" };
    contentKey = await generateContentKey();
    prepared = await preparePairing(link, me);
  });

  it("joins in a way the computer accepts: a proof of the QR secret, its name sealed, the code both screens show", async () => {
    const { join } = prepared;
    assert.equal(join.slotId, link.slotId);
    assert.equal(join.phoneKey, me.publicKeyB64);
    assert.equal(await verifyPairingProof(link.secret, link.hostKey, me.publicKeyB64, join.proof), true);
    assert.equal(await verifyPairingProof(randomId(16), link.hostKey, me.publicKeyB64, join.proof), false);
    const helloKey = await deriveSharedKey(host.privateKey, await importPublicKey(me.publicKeyB64), KeyPurpose.PairHello);
    assert.deepEqual(await open(helloKey, join.hello, sealContext.pairHello(link.slotId)), { name: "Pixel 8" });
    assert.match(prepared.code, /^\d{3}-\d{3}$/);
    assert.equal(prepared.code, await pairingCode(link.hostKey, me.publicKeyB64));
  });

  it("turns the computer's grant into a paired host whose key opens what the computer seals", async () => {
    const token = "t".repeat(43);
    const outcome = await acceptGrant(
      prepared,
      me,
      { hostId: "host-1", deviceId: "phone-1", token, grant: await grantFromHost() },
      42,
    );
    assert.equal(outcome.deviceId, "phone-1");
    assert.equal(outcome.token, token);
    assert.deepEqual(
      { ...outcome.host, contentKey: undefined, commandKey: undefined },
      {
        hostId: "host-1",
        hostKey: link.hostKey,
        epoch: 3,
        contentKey: undefined,
        commandKey: undefined,
        profile,
        pairedAt: 42,
      },
    );
    // The key stays inside WebCrypto, yet opens the computer's sealed records.
    assert.equal(outcome.host.contentKey.extractable, false);
    const record = await seal(contentKey, 3, profile, sealContext.record("host-1", "profile"));
    assert.deepEqual(await open(outcome.host.contentKey, record, sealContext.record("host-1", "profile")), profile);
    // The command key: the computer derives the same one from its side of the pair, no one else can.
    const commandKey = outcome.host.commandKey!;
    assert.equal(commandKey.extractable, false);
    const hostSide = await deriveSharedKey(host.privateKey, await importPublicKey(me.publicKeyB64), KeyPurpose.Command);
    const command = await seal(commandKey, PAIRWISE_EPOCH, { hello: 1 }, sealContext.command("host-1", "phone-1", "c1"));
    assert.deepEqual(await open(hostSide, command, sealContext.command("host-1", "phone-1", "c1")), { hello: 1 });
    await assert.rejects(open(contentKey, command, sealContext.command("host-1", "phone-1", "c1")), "not the content key");
  });

  it("keeps the keys of earlier epochs a grant carries, so history sealed before a rotation opens", async () => {
    const earlier = await generateContentKey();
    const older = [{ epoch: 2, key: await exportSecretKey(earlier) }];
    const outcome = await acceptGrant(prepared, me, {
      hostId: "host-1",
      deviceId: "phone-1",
      grant: await grantFromHost({ older }),
    });
    assert.equal(outcome.host.epoch, 3, "the grant's own key stays the current one");
    assert.deepEqual(
      outcome.host.olderKeys?.map((k) => k.epoch),
      [2],
    );
    const old = await seal(earlier, 2, "before", sealContext.event("host-1", "t", 1));
    assert.equal(await open(outcome.host.olderKeys![0]!.key, old, sealContext.event("host-1", "t", 1)), "before");
  });

  it("refuses a grant when the relay and the computer disagree about who the computer is", async () => {
    const grant = await grantFromHost({ hostId: "someone-else" });
    await assert.rejects(
      acceptGrant(prepared, me, { hostId: "host-1", deviceId: "phone-1", grant }),
      rejectedWith(ErrorCode.BadSeal),
    );
  });

  it("refuses a grant sealed for another pairing slot", async () => {
    const grant = await grantFromHost({}, randomId());
    await assert.rejects(
      acceptGrant(prepared, me, { hostId: "host-1", deviceId: "phone-1", grant }),
      rejectedWith(ErrorCode.BadSeal),
    );
  });

  it("refuses a grant that is malformed or carries an unusable key", async () => {
    for (const override of [{ key: "AAAA" }, { epoch: 0 }, { profile: undefined }]) {
      const grant = await grantFromHost(override);
      await assert.rejects(
        acceptGrant(prepared, me, { hostId: "host-1", deviceId: "phone-1", grant }),
        rejectedWith(ErrorCode.BadRequest),
        JSON.stringify(override),
      );
    }
  });
});
