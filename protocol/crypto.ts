// The one crypto module of Tether: WebCrypto, so the relay's clients in Node and the PWA in
// the browser run the same code; a host in Node may put Node's own AES-GCM in place of
// WebCrypto's for sealing and opening (`setAesGcm`). The relay itself never calls into it.
//
// - Device keys: ECDH P-256. Public keys travel as raw uncompressed points, base64url.
// - Key agreement: ECDH → HKDF-SHA256 (salt and info bind the purpose) → AES-256-GCM key.
// - Content: AES-256-GCM, random 96-bit IV, and the routing context as associated data,
//   so an envelope moved to another host, thread, sequence number or epoch fails to open.

import { fromBase64Url, fromUtf8, randomBytes, toBase64Url, toHex, utf8 } from "./encoding";
import { TetherError, ErrorCode } from "./errors";
import type { Box } from "./schemas";

const subtle = globalThis.crypto.subtle;
const ECDH = { name: "ECDH", namedCurve: "P-256" } as const;
const AES_GCM_BITS = 256;
const IV_BYTES = 12;
const AAD_PREFIX = "tether/1";

/**
 * Where a sealed box belongs. Its parts become the associated data: a box opens only with
 * the same context it was sealed with.
 */
export type SealContext = readonly (string | number)[];

export async function generateDeviceKeyPair(extractable: boolean): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(ECDH, extractable, ["deriveBits", "deriveKey"])) as CryptoKeyPair;
}

export async function exportPublicKey(key: CryptoKey): Promise<string> {
  return toBase64Url(new Uint8Array(await subtle.exportKey("raw", key)));
}

export async function importPublicKey(raw: string): Promise<CryptoKey> {
  try {
    return await subtle.importKey("raw", fromBase64Url(raw), ECDH, true, []);
  } catch {
    throw new TetherError(ErrorCode.BadRequest, "not a P-256 public key");
  }
}

export async function exportPrivateKey(key: CryptoKey): Promise<JsonWebKey> {
  return subtle.exportKey("jwk", key);
}

export async function importKeyPair(privateJwk: JsonWebKey, extractable = false): Promise<CryptoKeyPair> {
  const privateKey = await subtle.importKey("jwk", privateJwk, ECDH, extractable, ["deriveBits", "deriveKey"]);
  const { d: _d, key_ops: _ops, ...publicJwk } = privateJwk;
  const publicKey = await subtle.importKey("jwk", { ...publicJwk, key_ops: [] }, ECDH, true, []);
  return { privateKey, publicKey };
}

/** A fresh host content key (AES-256-GCM). Extractable: the host persists it and wraps it. */
export async function generateContentKey(): Promise<CryptoKey> {
  return subtle.generateKey({ name: "AES-GCM", length: AES_GCM_BITS }, true, ["encrypt", "decrypt"]);
}

export async function exportSecretKey(key: CryptoKey): Promise<string> {
  return toBase64Url(new Uint8Array(await subtle.exportKey("raw", key)));
}

export async function importContentKey(raw: string, extractable = false): Promise<CryptoKey> {
  return subtle.importKey("raw", fromBase64Url(raw), { name: "AES-GCM" }, extractable, ["encrypt", "decrypt"]);
}

/**
 * An AES-256-GCM key both devices can derive from their own private key and the other's
 * public key. `purpose` separates keys for different uses of the same pair.
 */
export async function deriveSharedKey(privateKey: CryptoKey, peerPublicKey: CryptoKey, purpose: string): Promise<CryptoKey> {
  const secret = await subtle.deriveBits({ name: "ECDH", public: peerPublicKey }, privateKey, 256);
  const hkdfKey = await subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  return subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: utf8(AAD_PREFIX), info: utf8(purpose) },
    hkdfKey,
    { name: "AES-GCM", length: AES_GCM_BITS },
    false,
    ["encrypt", "decrypt"],
  );
}

function associatedData(context: SealContext, epoch: number): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify([AAD_PREFIX, ...context, epoch]));
}

/**
 * AES-256-GCM itself, ciphertext followed by its 16-byte tag as WebCrypto has it. WebCrypto's
 * by default; a host running in Node may put Node's own in its place (`setAesGcm`), which
 * gives the same boxes without a trip to the thread pool for each one. Either one refuses a
 * key that is not an AES-GCM key for that use, and `decrypt` throws when the tag does not match.
 */
export interface AesGcm {
  encrypt(
    key: CryptoKey,
    iv: Uint8Array<ArrayBuffer>,
    aad: Uint8Array<ArrayBuffer>,
    data: Uint8Array<ArrayBuffer>,
  ): Promise<Uint8Array> | Uint8Array;
  decrypt(
    key: CryptoKey,
    iv: Uint8Array<ArrayBuffer>,
    aad: Uint8Array<ArrayBuffer>,
    sealed: Uint8Array<ArrayBuffer>,
  ): Promise<Uint8Array> | Uint8Array;
}

export const webCryptoAesGcm: AesGcm = {
  encrypt: async (key, iv, aad, data) =>
    new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, data)),
  decrypt: async (key, iv, aad, sealed) =>
    new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad }, key, sealed)),
};

let aesGcm: AesGcm = webCryptoAesGcm;

/** Seals and opens with `engine` from now on, in this process. */
export function setAesGcm(engine: AesGcm): void {
  aesGcm = engine;
}

/** The AES-GCM in use in this process (WebCrypto's unless `setAesGcm` put another). */
export function currentAesGcm(): AesGcm {
  return aesGcm;
}

export async function sealBytes(
  key: CryptoKey,
  epoch: number,
  data: Uint8Array<ArrayBuffer>,
  context: SealContext,
): Promise<Box> {
  const iv = randomBytes(IV_BYTES);
  const ct = await aesGcm.encrypt(key, iv, associatedData(context, epoch), data);
  return { e: epoch, iv: toBase64Url(iv), ct: toBase64Url(ct) };
}

export async function openBytes(key: CryptoKey, box: Box, context: SealContext): Promise<Uint8Array<ArrayBuffer>> {
  try {
    const plain = await aesGcm.decrypt(key, fromBase64Url(box.iv), associatedData(context, box.e), fromBase64Url(box.ct));
    return new Uint8Array(plain);
  } catch {
    throw new TetherError(ErrorCode.BadSeal, "sealed payload failed to open (wrong key, altered, or out of place)");
  }
}

/** Seals a JSON value. */
export async function seal(key: CryptoKey, epoch: number, value: unknown, context: SealContext): Promise<Box> {
  return sealBytes(key, epoch, utf8(JSON.stringify(value)), context);
}

/** Opens a box sealed with {@link seal}; the caller parses the result with its schema. */
export async function open(key: CryptoKey, box: Box, context: SealContext): Promise<unknown> {
  const bytes = await openBytes(key, box, context);
  try {
    return JSON.parse(fromUtf8(bytes)) as unknown;
  } catch {
    throw new TetherError(ErrorCode.BadSeal, "sealed payload is not JSON");
  }
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  return subtle.importKey("raw", fromBase64Url(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

function pairingTranscript(hostKey: string, phoneKey: string): Uint8Array<ArrayBuffer> {
  return utf8(`${AAD_PREFIX}|pair|${hostKey}|${phoneKey}`);
}

/** The phone's proof that it read the QR code: HMAC-SHA256 keyed by the QR's secret. */
export async function pairingProof(secret: string, hostKey: string, phoneKey: string): Promise<string> {
  const sig = await subtle.sign("HMAC", await hmacKey(secret), pairingTranscript(hostKey, phoneKey));
  return toBase64Url(new Uint8Array(sig));
}

export async function verifyPairingProof(secret: string, hostKey: string, phoneKey: string, proof: string): Promise<boolean> {
  try {
    return await subtle.verify("HMAC", await hmacKey(secret), fromBase64Url(proof), pairingTranscript(hostKey, phoneKey));
  } catch {
    return false;
  }
}

/**
 * The short code both screens show during pairing ("481-293"), derived from both public
 * keys: a relay that swapped a key in between would make the two codes differ.
 */
export async function pairingCode(hostKey: string, phoneKey: string): Promise<string> {
  const digest = new Uint8Array(await subtle.digest("SHA-256", utf8(`${AAD_PREFIX}|code|${hostKey}|${phoneKey}`)));
  const n = ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
  const digits = String(n % 1_000_000).padStart(6, "0");
  return `${digits.slice(0, 3)}-${digits.slice(3)}`;
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await subtle.digest("SHA-256", utf8(text))));
}
