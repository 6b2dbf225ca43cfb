import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import {
  ErrorCode,
  HTTP_COMMAND_PATH,
  KeyPurpose,
  deriveSharedKey,
  importPublicKey,
  open,
  parsePairFragment,
  rekeyRecordKey,
  sealContext,
  type HostProfile,
  type StoredRecord,
} from "#protocol";
import { applyRekey } from "../../mobile-web/src/hosts/keys";
import { callHost } from "../../mobile-web/src/link/rpc";
import { acceptGrant, preparePairing } from "../../mobile-web/src/pairing/pairing";
import type { HostRecord } from "../../mobile-web/src/store/records";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, refusal, once, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";
import { until } from "../support/wait";

const box = { e: 1, iv: "A".repeat(16), ct: "B".repeat(40) };
const profile: HostProfile = { name: "test-host", workspace: "w", platform: "linux", version: "0" };

/** The phone's host record as the PWA keeps it, for applying a rekey record to. */
function recordOf(phone: PairedPhone): HostRecord {
  return { hostId: phone.hostId, hostKey: phone.hostKey, epoch: phone.epoch, contentKey: phone.contentKey, profile, pairedAt: 0 };
}

describe("relay: revoking a phone", () => {
  let relay: TestRelay;
  let workspace: string;
  const hosts: TestHost[] = [];
  const phones: PairedPhone[] = [];
  const sockets: PhoneSocket[] = [];
  const dirs: string[] = [];

  const newHost = async (name?: string): Promise<TestHost> => {
    const h = await startHost(relay.url, workspace, name ? { name } : {});
    hosts.push(h);
    return h;
  };
  const newPhone = async (host: TestHost, name?: string): Promise<PairedPhone> => {
    const p = await pairPhone((await host.host.openPairing()).url, name);
    phones.push(p);
    return p;
  };
  const sync = async (phone: PairedPhone): Promise<StoredRecord[]> => {
    const page = await phone.socket.timeout(5000).emitWithAck("sync", { hostId: phone.hostId, cursors: {} });
    assert.ok(page.ok, page.ok ? "" : page.message);
    return page.records;
  };

  beforeEach(async () => {
    relay = await startRelay();
    workspace = makeWorkspace({ "README.md": "hello\n" });
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const p of phones.splice(0)) p.close();
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    await relay.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("closes the phone's socket within a second and refuses its token, on the socket and over HTTP", async () => {
    const host = await newHost();
    const lost = await newPhone(host, "Lost phone");
    const kept = await newPhone(host, "Kept phone");
    const unpaired = once(lost.socket, "unpaired");
    const after: string[] = [];
    unpaired.then(
      () => {
        for (const e of ["record", "event", "live", "presence"] as const) lost.socket.on(e, () => void after.push(e));
      },
      () => undefined,
    );
    const closed = new Promise<number>((resolve) => lost.socket.once("disconnect", () => resolve(Date.now())));

    const started = Date.now();
    await host.host.revokePhone(lost.deviceId);
    const closedAt = await closed;
    assert.ok(closedAt - started < 1000, `the socket closed ${closedAt - started} ms after the revocation`);
    assert.deepEqual(await unpaired, { hostId: lost.hostId, by: "host" });
    assert.deepEqual(after, [], "nothing of the host reached the phone after it was unpaired");

    const data = await refusal(relay.url, { token: lost.token });
    assert.equal(data.code, ErrorCode.Unauthorized);
    assert.equal(data.revoked, true);
    assert.equal((await relay.store.device(lost.deviceId))?.revokedAt !== null, true);

    const post = await fetch(relay.url + HTTP_COMMAND_PATH, {
      method: "POST",
      headers: { Authorization: `Bearer ${lost.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ hostId: lost.hostId, id: "late-approve", box }),
    });
    assert.equal(post.status, 401);
    assert.equal(((await post.json()) as { code: string }).code, ErrorCode.Unauthorized);
    assert.equal(await relay.store.inboxDepth(lost.hostId), 0);

    // The host forgot it; the other phone goes on.
    assert.deepEqual(
      host.host.phoneList().map((p) => p.name),
      ["Kept phone"],
    );
    const listed = await host.host.link.request("phones:list", {});
    assert.deepEqual(listed.ok && listed.phones.map((p) => [p.deviceId, p.online]), [[kept.deviceId, true]]);
    assert.ok(kept.socket.connected);
  });

  it("drops the phone's push subscription and the commands it left waiting", async () => {
    const host = await newHost();
    const lost = await newPhone(host);
    await relay.store.putPushSubscription(
      lost.deviceId,
      {
        kind: "webpush",
        subscription: { endpoint: "https://push.example.com/x", keys: { p256dh: "p".repeat(87), auth: "a".repeat(22) } },
      },
      [],
      Date.now(),
    );
    await relay.store.enqueueCommand({ hostId: lost.hostId, id: "queued-1", from: lost.deviceId, box, at: Date.now() });
    await host.host.revokePhone(lost.deviceId);
    assert.equal(await relay.store.pushSubscription(lost.deviceId), undefined);
    assert.equal(await relay.store.inboxDepth(lost.hostId), 0);
  });

  it("cuts a phone paired with two hosts off the one that revoked it, and nothing of that host reaches it", async () => {
    const revoking = await newHost("revoking");
    const other = await newHost("other");
    const phone = await newPhone(revoking);
    // The same phone pairs with a second host on its authenticated socket, as the PWA does.
    const link = parsePairFragment((await other.host.openPairing()).url)!;
    const me = { privateKey: phone.privateKey, publicKeyB64: phone.publicKey, name: "Two-host phone" };
    const prepared = await preparePairing(link, me);
    const result = once(phone.socket, "pair:result");
    assert.ok((await phone.socket.timeout(5000).emitWithAck("pair:join", prepared.join)).ok);
    const outcome = await result;
    assert.ok(outcome.ok);
    const second = await acceptGrant(prepared, me, outcome);

    const leaked: string[] = [];
    for (const e of ["record", "event", "presence"] as const) {
      phone.socket.on(e, (payload: { hostId: string }) => void (payload.hostId === phone.hostId && leaked.push(e)));
    }
    const unpaired = once(phone.socket, "unpaired");
    await revoking.host.revokePhone(phone.deviceId);
    assert.deepEqual(await unpaired, { hostId: phone.hostId, by: "host" });
    assert.ok(phone.socket.connected, "its token still serves the other host");
    assert.equal((await relay.store.device(phone.deviceId))?.revokedAt, null);

    await revoking.host.link.request("record:put", { key: "profile", box });
    await revoking.host.link.request("event:publish", { threadId: "t", seq: 1, box });
    const rpc = await phone.socket.timeout(5000).emitWithAck("rpc", { hostId: phone.hostId, id: "r1", box });
    assert.equal(!rpc.ok && rpc.code, ErrorCode.Forbidden);
    const synced = await phone.socket.timeout(5000).emitWithAck("sync", { hostId: phone.hostId, cursors: {} });
    assert.equal(!synced.ok && synced.code, ErrorCode.Forbidden);

    // The other host still reaches it, which also shows the revoking host's sends are past.
    const fromOther = once(phone.socket, "record");
    await other.host.link.request("record:put", { key: "ping", box });
    assert.equal((await fromOther).hostId, second.host.hostId);
    assert.deepEqual(leaked, []);
  });

  it("answers a typed error to another host, to an unknown id and to a malformed request", async () => {
    const host = await newHost();
    const stranger = await newHost("stranger");
    const phone = await newPhone(host);

    const foreign = await stranger.host.link.request("phone:revoke", { phoneId: phone.deviceId });
    assert.equal(!foreign.ok && foreign.code, ErrorCode.NotFound);
    const unknown = await host.host.link.request("phone:revoke", { phoneId: "no-such-phone" });
    assert.equal(!unknown.ok && unknown.code, ErrorCode.NotFound);
    for (const bad of [{}, { phoneId: "../etc" }, { phoneId: phone.deviceId, extra: 1 }, "x"]) {
      const answer = await host.host.link.request("phone:revoke", bad as never);
      assert.equal(!answer.ok && answer.code, ErrorCode.BadRequest, JSON.stringify(bad));
    }
    const byPhone = await phone.socket.timeout(5000).emitWithAck("phone:revoke", { phoneId: phone.deviceId });
    assert.equal(!byPhone.ok && byPhone.code, ErrorCode.Forbidden);
    const anon = connect(relay.url);
    sockets.push(anon);
    await connected(anon);
    const byAnon = await anon.timeout(5000).emitWithAck("phone:revoke", { phoneId: phone.deviceId });
    assert.equal(!byAnon.ok && byAnon.code, ErrorCode.Unauthorized);
    await assert.rejects(host.host.revokePhone("no-such-phone"), (e: { code?: string }) => e.code === ErrorCode.NotFound);

    // None of that touched the phone.
    assert.ok(phone.socket.connected);
    assert.ok((await phone.call({ type: "list-dir", path: "" })).ok);
    assert.equal(host.identity.epoch, 1);
  });

  it("shows the host its phones' presence and last seen", async () => {
    const host = await newHost();
    const phone = await newPhone(host, "Pixel");
    const listed = await host.host.link.request("phones:list", {});
    assert.ok(listed.ok);
    assert.equal(listed.phones[0]?.deviceId, phone.deviceId);
    assert.equal(listed.phones[0]?.online, true);

    const offline = once(host.host.link.socket, "phone:presence");
    const before = Date.now();
    phone.close();
    const presence = await offline;
    assert.equal(presence.online, false);
    assert.ok(presence.lastSeen >= before - 1000);
    await until("the host's list to show the phone offline", () =>
      host.host.phoneList()[0]?.online === false ? true : undefined,
    );

    const back = once(host.host.link.socket, "phone:presence");
    const again = connect(relay.url, { token: phone.token });
    sockets.push(again);
    await connected(again);
    assert.equal((await back).online, true);
  });

  it("rotates the key: the revoked phone cannot open what is sealed after, the remaining phone can", async () => {
    const host = await newHost();
    const lost = await newPhone(host, "Lost");
    const kept = await newPhone(host, "Kept");
    await host.host.revokePhone(lost.deviceId);
    assert.equal(host.identity.epoch, 2);
    assert.equal(host.identity.pendingKey, undefined);

    // The remaining phone finds its new key in its next sync, sealed for it alone.
    const records = await sync(kept);
    assert.equal(
      records.some((r) => r.key === rekeyRecordKey(lost.deviceId)),
      false,
    );
    const rekey = records.find((r) => r.key === rekeyRecordKey(kept.deviceId));
    assert.ok(rekey, "a rekey record for the remaining phone");
    const rekeyed = await applyRekey(recordOf(kept), rekey, { deviceId: kept.deviceId, privateKey: kept.privateKey });
    assert.ok(rekeyed);
    assert.equal(rekeyed.epoch, 2);
    assert.deepEqual(
      rekeyed.olderKeys?.map((k) => k.epoch),
      [1],
    );
    // The revoked phone, given that record, cannot open it: it is sealed to the other phone.
    const lostShared = await deriveSharedKey(lost.privateKey, await importPublicKey(lost.hostKey), KeyPurpose.Rekey);
    await assert.rejects(open(lostShared, rekey.box, sealContext.rekey(kept.hostId, lost.deviceId)));
    await assert.rejects(open(lostShared, rekey.box, sealContext.rekey(kept.hostId, kept.deviceId)));

    // What the host seals now: its profile again (it publishes it on every connect) and a reply.
    host.host.link.socket.disconnect().connect();
    const stored = await until("the profile sealed under epoch 2", async () =>
      (await relay.store.records(kept.hostId)).find((r) => r.key === "profile" && r.box.e === 2),
    );
    const context = sealContext.record(kept.hostId, "profile");
    await assert.rejects(open(lost.contentKey, stored.box, context), (e: { code?: string }) => e.code === ErrorCode.BadSeal);
    await assert.rejects(open(kept.contentKey, stored.box, context), "the old key opens nothing new");
    assert.equal(((await open(rekeyed.contentKey, stored.box, context)) as HostProfile).name, "test-host");

    await until("the host to be connected again", () => (host.host.link.state === "open" ? true : undefined));
    // Calls are sealed with the phone's own command key, which no rotation changes.
    const target = { hostId: kept.hostId, deviceId: kept.deviceId, commandKey: kept.commandKey };
    const listing = await callHost(kept.socket, target, { type: "list-dir", path: "" });
    assert.deepEqual(
      listing.entries.map((e) => e.name),
      ["README.md"],
    );
  });

  it("lets a phone unpair itself: the host forgets it and rotates, the relay refuses its token", async () => {
    const host = await newHost();
    const leaving = await newPhone(host, "Leaving");
    const staying = await newPhone(host, "Staying");
    const forgotten = new Promise<string>((resolve) => host.host.once("unpaired", (p, by) => resolve(`${p.name} ${by}`)));
    const answer = await leaving.socket.timeout(5000).emitWithAck("pair:leave", { hostId: leaving.hostId });
    assert.deepEqual(answer, { ok: true, revoked: true });
    assert.equal(await forgotten, "Leaving phone");
    await until("the rotation", () => (host.identity.epoch === 2 && host.identity.pendingKey === undefined ? true : undefined));
    assert.deepEqual(
      host.host.phoneList().map((p) => p.name),
      ["Staying"],
    );
    assert.equal((await refusal(relay.url, { token: leaving.token })).code, ErrorCode.Unauthorized);
    const again = await staying.socket.timeout(5000).emitWithAck("pair:leave", { hostId: "someone-else" });
    assert.equal(!again.ok && again.code, ErrorCode.NotFound);
  });

  it("forgets, when it connects, a phone that unpaired itself while the host was away", async () => {
    const host = await newHost();
    const leaving = await newPhone(host, "Leaving");
    await newPhone(host, "Staying");
    const stateDir = host.stateDir;
    dirs.push(stateDir);
    host.host.close();
    await host.identity.flush();
    hosts.length = 0;
    const answer = await leaving.socket.timeout(5000).emitWithAck("pair:leave", { hostId: leaving.hostId });
    assert.ok(answer.ok);

    const restarted = await startHost(relay.url, workspace, { stateDir });
    hosts.push(restarted);
    await until("the host to forget the phone", () => (restarted.host.phoneList().length === 1 ? true : undefined));
    assert.equal(restarted.host.phoneList()[0]?.name, "Staying");
    await until("the rotation", () => (restarted.identity.epoch === 2 ? true : undefined));
  });
});
