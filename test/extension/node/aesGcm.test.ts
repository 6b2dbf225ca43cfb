// The host's AES-GCM in Node: its boxes open with WebCrypto (what a phone runs) and WebCrypto's
// open with it, and what WebCrypto refuses it refuses too: an altered box, another place (the
// associated data), another key, a key not made for that use.

import assert from "node:assert/strict";
import {
  deriveSharedKey,
  generateContentKey,
  generateDeviceKeyPair,
  importContentKey,
  open,
  seal,
  sealContext,
  setAesGcm,
  webCryptoAesGcm,
  type Box,
} from "#protocol";
import { nodeAesGcm } from "../../../extension/node/aesGcm";

const here = sealContext.event("host-1", "thread-1", 7);
const elsewhere = sealContext.event("host-1", "thread-1", 8);
const value = { type: "approval-resolved", approvalId: "a1", decision: "approve", text: "é ✓ ".repeat(50) };

/** Runs `work` with `engine` sealing and opening, then puts WebCrypto back. */
async function withEngine<T>(engine: typeof nodeAesGcm, work: () => Promise<T>): Promise<T> {
  setAesGcm(engine);
  try {
    return await work();
  } finally {
    setAesGcm(webCryptoAesGcm);
  }
}

const flip = (b64: string, at: number): string => {
  const chars = [...b64];
  chars[at] = chars[at] === "A" ? "B" : "A";
  return chars.join("");
};

describe("AES-GCM on the host's event loop", () => {
  it("seals boxes WebCrypto opens, and opens boxes WebCrypto sealed", async () => {
    const key = await generateContentKey();
    const fromNode = await withEngine(nodeAesGcm, () => seal(key, 3, value, here));
    assert.deepEqual(await open(key, fromNode, here), value);
    const fromWeb = await seal(key, 3, value, here);
    assert.deepEqual(await withEngine(nodeAesGcm, () => open(key, fromWeb, here)), value);
    // A fresh IV each time: the same value never seals to the same box.
    const again = await withEngine(nodeAesGcm, () => seal(key, 3, value, here));
    assert.notEqual(again.iv, fromNode.iv);
    assert.notEqual(again.ct, fromNode.ct);
  });

  it("works with the non-extractable keys a host derives for a phone's commands", async () => {
    const host = await generateDeviceKeyPair(false);
    const phone = await generateDeviceKeyPair(false);
    const hostSide = await deriveSharedKey(host.privateKey, phone.publicKey, "command");
    const phoneSide = await deriveSharedKey(phone.privateKey, host.publicKey, "command");
    const box = await seal(phoneSide, 0, value, here);
    assert.deepEqual(await withEngine(nodeAesGcm, () => open(hostSide, box, here)), value);
  });

  it("refuses what WebCrypto refuses: an altered box, another place, another key, another epoch", async () => {
    const key = await generateContentKey();
    const other = await generateContentKey();
    const box = await seal(key, 3, value, here);
    const refused = async (b: Box, k = key, context = here): Promise<void> => {
      await assert.rejects(
        withEngine(nodeAesGcm, () => open(k, b, context)),
        /failed to open/,
      );
      await assert.rejects(open(k, b, context), /failed to open/);
    };
    await refused({ ...box, ct: flip(box.ct, 3) });
    await refused({ ...box, ct: flip(box.ct, box.ct.length - 2) }); // the tag
    await refused({ ...box, iv: flip(box.iv, 0) });
    await refused({ ...box, ct: box.ct.slice(0, 10) }); // shorter than a tag
    await refused({ ...box, e: 4 });
    await refused(box, key, elsewhere);
    await refused(box, other);
  });

  it("refuses keys not made for AES-GCM or for that use", async () => {
    const raw = Buffer.alloc(32, 7).toString("base64url");
    const decryptOnly = await crypto.subtle.importKey("raw", Buffer.from(raw, "base64url"), "AES-GCM", false, ["decrypt"]);
    const iv = new Uint8Array(12);
    const aad = new Uint8Array(1);
    assert.throws(() => nodeAesGcm.encrypt(decryptOnly, iv, aad, new Uint8Array(4)), /not an AES-GCM key for encrypt/);
    const hmac = await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    assert.throws(() => nodeAesGcm.decrypt(hmac, iv, aad, new Uint8Array(32)), /not an AES-GCM key for decrypt/);
    // A usable key of the same bytes seals what the decrypt-only key opens.
    const box = await seal(await importContentKey(raw), 1, value, here);
    assert.deepEqual(await withEngine(nodeAesGcm, () => open(decryptOnly, box, here)), value);
  });
});
