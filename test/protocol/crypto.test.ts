import assert from "node:assert/strict";
import {
  ErrorCode,
  KeyPurpose,
  PAIRWISE_EPOCH,
  deriveSharedKey,
  exportPrivateKey,
  exportPublicKey,
  exportSecretKey,
  fromBase64Url,
  generateContentKey,
  generateDeviceKeyPair,
  importContentKey,
  importKeyPair,
  importPublicKey,
  open,
  pairingCode,
  pairingProof,
  randomId,
  seal,
  sealContext,
  toBase64Url,
  verifyPairingProof,
  type Box,
} from "#protocol";

function flipBit(b64: string, byte: number): string {
  const bytes = fromBase64Url(b64);
  bytes[byte] = bytes[byte]! ^ 0x01;
  return toBase64Url(bytes);
}

async function rejectsWithBadSeal(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (err: { code?: string }) => err.code === ErrorCode.BadSeal);
}

describe("protocol crypto", () => {
  let key: CryptoKey;
  const ctx = sealContext.event("host1", "thread1", 7);

  before(async () => {
    key = await generateContentKey();
  });

  it("round-trips a JSON value through seal and open", async () => {
    const value = { text: "add rate limiting to /api/subscribe", n: 42, nested: [1, "ü", null] };
    const box = await seal(key, 1, value, ctx);
    assert.deepEqual(await open(key, box, ctx), value);
  });

  it("uses a fresh 96-bit IV for every seal", async () => {
    const a = await seal(key, 1, "same", ctx);
    const b = await seal(key, 1, "same", ctx);
    assert.equal(fromBase64Url(a.iv).length, 12);
    assert.notEqual(a.iv, b.iv);
    assert.notEqual(a.ct, b.ct);
  });

  it("fails to open when any bit of the ciphertext, tag or IV is flipped", async () => {
    const box = await seal(key, 1, { secret: "npm test" }, ctx);
    const ctLength = fromBase64Url(box.ct).length;
    for (const byte of [0, Math.floor(ctLength / 2), ctLength - 1]) {
      await rejectsWithBadSeal(open(key, { ...box, ct: flipBit(box.ct, byte) }, ctx));
    }
    await rejectsWithBadSeal(open(key, { ...box, iv: flipBit(box.iv, 3) }, ctx));
  });

  it("fails to open when moved to another host, thread, sequence number or epoch", async () => {
    const box = await seal(key, 1, "payload", ctx);
    await rejectsWithBadSeal(open(key, box, sealContext.event("host2", "thread1", 7)));
    await rejectsWithBadSeal(open(key, box, sealContext.event("host1", "thread2", 7)));
    await rejectsWithBadSeal(open(key, box, sealContext.event("host1", "thread1", 8)));
    await rejectsWithBadSeal(open(key, box, sealContext.record("host1", "thread1")));
    await rejectsWithBadSeal(open(key, { ...box, e: 2 } satisfies Box, ctx));
  });

  it("fails to open with another content key", async () => {
    const box = await seal(key, 1, "payload", ctx);
    await rejectsWithBadSeal(open(await generateContentKey(), box, ctx));
  });

  it("derives the same shared key on both sides of an ECDH pair, and a different one per purpose", async () => {
    const host = await generateDeviceKeyPair(true);
    const phone = await generateDeviceKeyPair(false);
    const hostPub = await importPublicKey(await exportPublicKey(host.publicKey));
    const phonePub = await importPublicKey(await exportPublicKey(phone.publicKey));
    const onHost = await deriveSharedKey(host.privateKey, phonePub, KeyPurpose.PairGrant);
    const onPhone = await deriveSharedKey(phone.privateKey, hostPub, KeyPurpose.PairGrant);
    const ctxGrant = sealContext.pairGrant("slot");
    const content = await generateContentKey();
    const raw = await exportSecretKey(content);
    const box = await seal(onHost, PAIRWISE_EPOCH, { key: raw }, ctxGrant);
    const opened = (await open(onPhone, box, ctxGrant)) as { key: string };
    // The unwrapped key opens what the original sealed.
    const unwrapped = await importContentKey(opened.key, false);
    const sealed = await seal(content, 1, "hello", ctx);
    assert.equal(await open(unwrapped, sealed, ctx), "hello");
    const otherPurpose = await deriveSharedKey(phone.privateKey, hostPub, KeyPurpose.PairHello);
    await rejectsWithBadSeal(open(otherPurpose, box, ctxGrant));
  });

  it("keeps a phone's private key non-extractable", async () => {
    const phone = await generateDeviceKeyPair(false);
    await assert.rejects(exportPrivateKey(phone.privateKey));
  });

  it("restores a host key pair from its saved JWK", async () => {
    const pair = await generateDeviceKeyPair(true);
    const restored = await importKeyPair(await exportPrivateKey(pair.privateKey), true);
    assert.equal(await exportPublicKey(restored.publicKey), await exportPublicKey(pair.publicKey));
  });

  it("refuses a public key that is not a P-256 point", async () => {
    await assert.rejects(importPublicKey("A".repeat(87)), (e: { code?: string }) => e.code === ErrorCode.BadRequest);
  });

  it("checks the pairing proof against both public keys and the QR secret", async () => {
    const hostKey = await exportPublicKey((await generateDeviceKeyPair(true)).publicKey);
    const phoneKey = await exportPublicKey((await generateDeviceKeyPair(true)).publicKey);
    const otherKey = await exportPublicKey((await generateDeviceKeyPair(true)).publicKey);
    const secret = randomId(16);
    const proof = await pairingProof(secret, hostKey, phoneKey);
    assert.equal(await verifyPairingProof(secret, hostKey, phoneKey, proof), true);
    assert.equal(await verifyPairingProof(randomId(16), hostKey, phoneKey, proof), false);
    assert.equal(await verifyPairingProof(secret, hostKey, otherKey, proof), false);
    assert.equal(await verifyPairingProof(secret, hostKey, phoneKey, "junk"), false);
  });

  it("derives a six-digit pairing code that differs when a key is swapped", async () => {
    const hostKey = await exportPublicKey((await generateDeviceKeyPair(true)).publicKey);
    const phoneKey = await exportPublicKey((await generateDeviceKeyPair(true)).publicKey);
    const otherKey = await exportPublicKey((await generateDeviceKeyPair(true)).publicKey);
    const code = await pairingCode(hostKey, phoneKey);
    assert.match(code, /^\d{3}-\d{3}$/);
    assert.equal(await pairingCode(hostKey, phoneKey), code);
    assert.notEqual(await pairingCode(hostKey, otherKey), code);
  });

  it("encodes base64url without padding and round-trips large buffers", () => {
    const bytes = new Uint8Array(300_000).map((_, i) => i % 256);
    const text = toBase64Url(bytes);
    assert.match(text, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(fromBase64Url(text), bytes);
    assert.throws(() => fromBase64Url("not base64!"));
  });
});
