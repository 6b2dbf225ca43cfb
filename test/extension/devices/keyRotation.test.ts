import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ErrorCode,
  KeyPurpose,
  deriveSharedKey,
  exportPublicKey,
  failure,
  generateDeviceKeyPair,
  importContentKey,
  importPublicKey,
  open,
  rekeySchema,
  seal,
  sealContext,
  type Box,
  type Rekey,
} from "#protocol";
import { KeyRotation } from "../../../extension/core/devices/keyRotation";
import { HostIdentity } from "../../../extension/core/identity";
import type { RelayLink } from "../../../extension/core/link/relayLink";
import { stateFile } from "../../../extension/node/stateFile";
import { quietLog } from "../../support/host";

const RELAY = "http://relay.test";
const HOST_ID = "host-1";

interface Phone {
  id: string;
  privateKey: CryptoKey;
  publicKey: string;
}

async function phone(id: string): Promise<Phone> {
  const pair = await generateDeviceKeyPair(false);
  return { id, privateKey: pair.privateKey, publicKey: await exportPublicKey(pair.publicKey) };
}

/** A relay link that stores what the host puts; `refuse` makes the relay say no. */
function fakeLink() {
  const records = new Map<string, Box>();
  const link = {
    relay: RELAY,
    deviceId: HOST_ID,
    refuse: false,
    /** Called while a record is being put, before the answer: a revocation can land here. */
    during: undefined as (() => Promise<void>) | undefined,
    async request(event: string, payload: { key: string; box: Box }) {
      assert.equal(event, "record:put");
      const during = link.during;
      link.during = undefined;
      await during?.();
      if (link.refuse) return failure(ErrorCode.Timeout, "not connected to the relay");
      records.set(payload.key, payload.box);
      return { ok: true };
    },
  };
  return { link, records, asLink: link as unknown as RelayLink };
}

/** What a phone reads from its rekey record, with the host's public key from the QR code. */
async function openRekey(p: Phone, identity: HostIdentity, box: Box): Promise<Rekey> {
  const shared = await deriveSharedKey(p.privateKey, await importPublicKey(identity.publicKey), KeyPurpose.Rekey);
  return rekeySchema.parse(await open(shared, box, sealContext.rekey(HOST_ID, p.id)));
}

describe("host: content key rotation after a revocation", () => {
  let dir: string;
  let identity: HostIdentity;
  let a: Phone, b: Phone, c: Phone;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "tether-rotation-"));
    identity = await HostIdentity.loadOrCreate(stateFile(dir));
    [a, b, c] = await Promise.all([phone("phone-a"), phone("phone-b"), phone("phone-c")]);
    for (const [i, p] of [a, b, c].entries()) {
      // Phone c was paired before rotation existed: its state has no epoch.
      const epoch = p === c ? {} : { epoch: 1 };
      await identity.addPhone({ id: p.id, name: p.id, publicKey: p.publicKey, relay: RELAY, pairedAt: i, ...epoch });
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("hands the new key to every remaining phone, sealed for each alone, then seals with it", async () => {
    const { records, asLink } = fakeLink();
    const oldKey = identity.contentKey()!;
    const revoked = await identity.revokePhone(RELAY, a.id);
    assert.equal(revoked?.id, a.id);
    assert.equal(identity.epoch, 1, "nothing is sealed with the new key before the phones have it");
    assert.equal(identity.pendingKey?.epoch, 2);

    await new KeyRotation(asLink, identity, quietLog).sync();
    assert.equal(identity.epoch, 2);
    assert.equal(identity.pendingKey, undefined);
    assert.deepEqual([...records.keys()].sort(), ["k-phone-b", "k-phone-c"]);

    const forB = await openRekey(b, identity, records.get("k-phone-b")!);
    assert.deepEqual(
      forB.keys.map((k) => k.epoch),
      [1, 2],
    );
    assert.equal(forB.phoneId, b.id);
    await assert.rejects(openRekey(a, identity, records.get("k-phone-b")!), "a revoked phone cannot open another's record");
    await assert.rejects(openRekey(c, identity, records.get("k-phone-b")!));

    // A box the host seals now opens with the key b received, and not with the old one.
    const box = await seal(identity.contentKey()!, identity.epoch, { hello: 1 }, sealContext.record(HOST_ID, "profile"));
    assert.equal(box.e, 2);
    const newKey = await importContentKey(forB.keys[1]!.key);
    assert.deepEqual(await open(newKey, box, sealContext.record(HOST_ID, "profile")), { hello: 1 });
    await assert.rejects(open(oldKey, box, sealContext.record(HOST_ID, "profile")));

    assert.deepEqual(
      identity.phones(RELAY).map((p) => [p.id, p.epoch]),
      [
        ["phone-b", 2],
        ["phone-c", 2],
      ],
    );
  });

  it("keeps the rotation across a restart, and opens boxes of every epoch it had", async () => {
    const { asLink } = fakeLink();
    await identity.revokePhone(RELAY, a.id);
    const reloaded = await HostIdentity.loadOrCreate(stateFile(dir));
    assert.equal(reloaded.pendingKey?.epoch, 2, "a rotation cut short is finished after a restart");
    assert.ok(reloaded.contentKey(2), "a phone that already has the pending key may use it");
    await new KeyRotation(asLink, reloaded, quietLog).sync();
    const again = await HostIdentity.loadOrCreate(stateFile(dir));
    assert.equal(again.epoch, 2);
    assert.ok(again.contentKey(1) && again.contentKey(2));
    assert.equal(again.isPaired(RELAY, a.id), false);
    assert.deepEqual(
      again.contentKeysRaw().map((k) => k.epoch),
      [1, 2],
    );
  });

  it("commits even when the relay is away, and hands the key to those it missed on the next run", async () => {
    const { link, records, asLink } = fakeLink();
    const rotation = new KeyRotation(asLink, identity, quietLog);
    await identity.revokePhone(RELAY, a.id);
    link.refuse = true;
    await rotation.sync();
    assert.equal(identity.epoch, 2, "the revoked phone's key is retired regardless");
    assert.equal(records.size, 0);
    assert.deepEqual(
      identity.phones(RELAY).map((p) => p.epoch),
      [1, 1],
    );

    link.refuse = false;
    await rotation.sync();
    assert.deepEqual([...records.keys()].sort(), ["k-phone-b", "k-phone-c"]);
    assert.deepEqual(
      (await openRekey(c, identity, records.get("k-phone-c")!)).keys.map((k) => k.epoch),
      [1, 2],
    );
  });

  it("never commits a key a phone revoked during the hand-out may have received", async () => {
    const { link, records, asLink } = fakeLink();
    const rotation = new KeyRotation(asLink, identity, quietLog);
    await identity.revokePhone(RELAY, a.id);
    const first = identity.pendingKey!;
    // While b's record is on its way, the person revokes b too.
    link.during = async () => void (await identity.revokePhone(RELAY, b.id));
    await rotation.sync();
    assert.equal(identity.epoch, 3, "the key b may have seen is skipped");
    assert.equal(identity.contentKey(first.epoch), undefined);
    const forC = await openRekey(c, identity, records.get("k-phone-c")!);
    assert.deepEqual(
      forC.keys.map((k) => k.epoch),
      [1, 3],
    );
    assert.ok(forC.keys.every((k) => k.key !== first.key));
  });

  it("refuses to revoke a phone it does not have, and rotates nothing", async () => {
    assert.equal(await identity.revokePhone(RELAY, "nobody"), undefined);
    assert.equal(await identity.revokePhone("http://other.relay", b.id), undefined);
    assert.equal(identity.pendingKey, undefined);
    assert.equal(identity.epoch, 1);
  });
});
