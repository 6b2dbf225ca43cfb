import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostIdentity } from "../../extension/core/identity";
import { openFromPhone } from "../../extension/core/commands/phoneSeal";
import {
  deriveSharedKey,
  exportPublicKey,
  generateDeviceKeyPair,
  importPublicKey,
  KeyPurpose,
  PAIRWISE_EPOCH,
  seal,
  sealContext,
} from "#protocol";
import { stateFile } from "../../extension/node/stateFile";

describe("host identity and state file", () => {
  let dir: string;
  beforeEach(() => (dir = join(mkdtempSync(join(tmpdir(), "tether-state-")), "nested")));
  afterEach(() => rmSync(join(dir, ".."), { recursive: true, force: true }));

  it("creates keys once, keeps them in a file only its owner can read, and loads the same identity again", async () => {
    const first = await HostIdentity.loadOrCreate(stateFile(dir));
    await first.setCredentials("http://127.0.0.1:8787", { deviceId: "d1", token: "t".repeat(43) });
    assert.equal(statSync(join(dir, "host.json")).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const second = await HostIdentity.loadOrCreate(stateFile(dir));
    assert.equal(second.publicKey, first.publicKey);
    assert.equal(second.currentKeyRaw(), first.currentKeyRaw());
    assert.equal(second.credentials("http://127.0.0.1:8787")?.deviceId, "d1");
    assert.equal(second.epoch, 1);
  });

  it("keeps paired phones per relay", async () => {
    const identity = await HostIdentity.loadOrCreate(stateFile(dir));
    const publicKey = await exportPublicKey((await generateDeviceKeyPair(false)).publicKey);
    await identity.addPhone({ id: "p1", name: "Pixel", publicKey, relay: "http://a", pairedAt: 1 });
    await identity.addPhone({ id: "p2", name: "iPhone", publicKey, relay: "http://b", pairedAt: 2 });
    assert.equal(identity.isPaired("http://a", "p1"), true);
    assert.equal(identity.isPaired("http://b", "p1"), false);
    assert.ok(identity.commandKey("http://a", "p1"), "a paired phone has a command key");
    assert.equal(identity.commandKey("http://b", "p1"), undefined, "only on the relay it paired through");
    await identity.forgetPhones("http://a");
    assert.equal(identity.commandKey("http://a", "p1"), undefined, "a forgotten phone's key goes at once");
    const reloaded = await HostIdentity.loadOrCreate(stateFile(dir));
    assert.deepEqual(reloaded.phones("http://a"), []);
    assert.equal(reloaded.phones("http://b")[0]?.name, "iPhone");
  });

  it("opens a command that arrives while its phone's pairing is still being saved, and refuses an unknown phone's", async () => {
    const identity = await HostIdentity.loadOrCreate(stateFile(dir));
    const phoneKeys = await generateDeviceKeyPair(false);
    const publicKey = await exportPublicKey(phoneKeys.publicKey);
    const phoneSide = await deriveSharedKey(phoneKeys.privateKey, await importPublicKey(identity.publicKey), KeyPurpose.Command);
    const context = sealContext.command("h1", "p1", "c1");
    const box = await seal(phoneSide, PAIRWISE_EPOCH, { hello: 1 }, context);
    // The relay's answer to the pairing and the phone's first command, read in one turn: the
    // command is opened before the pairing's last step has run.
    let answer!: () => void;
    const relayAnswered = new Promise<void>((resolve) => (answer = resolve));
    const joined = identity.joining(async () => {
      await relayAnswered;
      await identity.addPhone({ id: "p1", name: "Pixel", publicKey, relay: "http://a", pairedAt: 1 });
    });
    const opening = openFromPhone(identity, "http://a", "p1", box, context, "command");
    answer();
    await joined;
    const opened = await opening;
    assert.ok(opened.ok, JSON.stringify(opened));
    assert.deepEqual(opened.value, { hello: 1 });
    const stranger = await openFromPhone(identity, "http://a", "p2", box, context, "command");
    assert.equal(stranger.ok === false && stranger.reason, "unknown-phone");
  });

  it("stops opening a phone's commands while its revocation is on its way, and again if it did not go through", async () => {
    const identity = await HostIdentity.loadOrCreate(stateFile(dir));
    const publicKey = await exportPublicKey((await generateDeviceKeyPair(false)).publicKey);
    await identity.addPhone({ id: "p1", name: "Pixel", publicKey, relay: "http://a", pairedAt: 1 });
    const key = identity.commandKey("http://a", "p1");
    const restore = identity.suspendCommandKey("http://a", "p1");
    assert.equal(identity.commandKey("http://a", "p1"), undefined);
    restore(); // the relay could not be reached: the phone stays paired
    assert.equal(identity.commandKey("http://a", "p1"), key);
    const restoreLate = identity.suspendCommandKey("http://a", "p1");
    await identity.revokePhone("http://a", "p1");
    restoreLate();
    assert.equal(identity.commandKey("http://a", "p1"), undefined, "a revoked phone's key never comes back");
    assert.equal(identity.wasRevoked("http://a", "p1"), true);
    const reloaded = await HostIdentity.loadOrCreate(stateFile(dir));
    assert.equal(reloaded.commandKey("http://a", "p1"), undefined);
    assert.equal(reloaded.wasRevoked("http://a", "p1"), true);
  });

  it("refuses a damaged state file with a message that says what to do", async () => {
    await HostIdentity.loadOrCreate(stateFile(dir));
    const path = join(dir, "host.json");
    writeFileSync(path, readFileSync(path, "utf8").slice(0, 40));
    await assert.rejects(HostIdentity.loadOrCreate(stateFile(dir)), /not valid JSON; move it away/);
    writeFileSync(path, JSON.stringify({ version: 1 }));
    await assert.rejects(HostIdentity.loadOrCreate(stateFile(dir)), /not valid Tether state/);
  });
});
