// AES-256-GCM for a host in Node, on the event loop: Node's WebCrypto runs every encrypt and
// decrypt as a job on the thread pool, and a box of a few hundred bytes then costs two thread
// switches for microseconds of work (on a loaded machine, each switch waits for a core). The
// boxes are the same as WebCrypto's (ciphertext, then the 16-byte tag), with the same IV and
// associated data from `protocol/crypto.ts`; the key's algorithm and uses are checked as
// WebCrypto checks them, and a tag that does not match throws.

import { createCipheriv, createDecipheriv, KeyObject } from "node:crypto";
import type { AesGcm } from "#protocol";

const TAG_BYTES = 16;

/** Each key's bytes once: WebCrypto keys are made once and kept. */
const keyObjects = new WeakMap<CryptoKey, KeyObject>();

function keyFor(key: CryptoKey, use: "encrypt" | "decrypt"): KeyObject {
  if (key.algorithm.name !== "AES-GCM" || !key.usages.includes(use)) {
    throw new TypeError(`not an AES-GCM key for ${use}`);
  }
  let object = keyObjects.get(key);
  if (!object) {
    object = KeyObject.from(key);
    keyObjects.set(key, object);
  }
  // createCipheriv refuses any other length for aes-256-gcm.
  return object;
}

export const nodeAesGcm: AesGcm = {
  encrypt(key, iv, aad, data) {
    const cipher = createCipheriv("aes-256-gcm", keyFor(key, "encrypt"), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  },
  decrypt(key, iv, aad, sealed) {
    if (sealed.length < TAG_BYTES) throw new Error("sealed data shorter than its tag");
    const decipher = createDecipheriv("aes-256-gcm", keyFor(key, "decrypt"), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  },
};
