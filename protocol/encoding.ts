// Byte encodings shared by Node and the browser. Only platform globals are used (TextEncoder,
// btoa, and where present the native base64 codecs: Uint8Array.fromBase64 / toBase64 in
// current browsers, Buffer in Node), found by feature detection, so this file runs unchanged
// in both. Every sealed box goes through base64url, so these sit on the hot path of live
// output and catch-up.

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the text: a file read in slices is counted in bytes,
// and a dropped BOM would shift every later offset by three.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** A base64url codec: encode without padding, decode strictly (throws on anything else). */
export interface Base64UrlCodec {
  readonly name: string;
  encode(bytes: Uint8Array): string;
  decode(text: string): Uint8Array<ArrayBuffer>;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

// A length of 1 mod 4 cannot come from any byte string; atob refuses it, and every codec
// here must agree with atob so that the fast paths accept exactly what the portable one does.
function checkBase64Url(text: string): void {
  if (text.length % 4 === 1 || !BASE64URL.test(text)) throw new Error("not base64url");
}

// 8 KB per String.fromCharCode.apply: far below any engine's argument limit, and V8 takes
// apply on a typed array's fast path, where spreading one into arguments is ~100× slower.
const CHUNK = 0x2000;

/** Plain JavaScript on btoa/atob, for engines without a native codec. */
export const portableCodec: Base64UrlCodec = {
  name: "portable",
  encode(bytes) {
    const parts: string[] = [];
    for (let i = 0; i < bytes.length; i += CHUNK) {
      parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]));
    }
    return btoa(parts.join("")).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
  decode(text) {
    checkBase64Url(text);
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  },
};

interface NativeBase64 {
  fromBase64(text: string, options: { alphabet: "base64url" }): Uint8Array<ArrayBuffer>;
}
interface NativeBase64Bytes {
  toBase64(options: { alphabet: "base64url"; omitPadding: true }): string;
}
interface BufferLike {
  from(bytes: ArrayBufferLike, offset: number, length: number): { toString(encoding: "base64url"): string };
  from(text: string, encoding: "base64url"): Uint8Array;
}

/** The TC39 Uint8Array base64 methods (Chromium 140+, Firefox 133+, Safari 18.2+), if present. */
export function nativeUint8ArrayCodec(): Base64UrlCodec | undefined {
  const ctor = Uint8Array as unknown as Partial<NativeBase64>;
  const proto = Uint8Array.prototype as unknown as Partial<NativeBase64Bytes>;
  if (typeof ctor.fromBase64 !== "function" || typeof proto.toBase64 !== "function") return undefined;
  const fromBase64 = ctor.fromBase64.bind(Uint8Array);
  return {
    name: "Uint8Array.fromBase64",
    encode: (bytes) => (bytes as unknown as NativeBase64Bytes).toBase64({ alphabet: "base64url", omitPadding: true }),
    decode(text) {
      checkBase64Url(text);
      return fromBase64(text, { alphabet: "base64url" });
    },
  };
}

/** Node's Buffer, found as a global (no import, so bundlers for the browser leave it out). */
export function bufferCodec(): Base64UrlCodec | undefined {
  const buffer = (globalThis as { Buffer?: BufferLike }).Buffer;
  if (typeof buffer?.from !== "function") return undefined;
  return {
    name: "Buffer",
    encode: (bytes) => buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url"),
    decode(text) {
      checkBase64Url(text);
      const view = buffer.from(text, "base64url");
      // Buffers may share a pooled ArrayBuffer; callers get bytes of their own.
      return new Uint8Array(view);
    },
  };
}

/** The fastest codec this engine has; exported so tests can compare it with the portable one. */
export const fastCodec: Base64UrlCodec = nativeUint8ArrayCodec() ?? bufferCodec() ?? portableCodec;

/** Base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  return fastCodec.encode(bytes);
}

/** Decodes base64url without padding; throws "not base64url" on any other text. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  return fastCodec.decode(text);
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** A random identifier: `bytes` random bytes, base64url. 16 bytes = 128 bits. */
export function randomId(bytes = 16): string {
  return toBase64Url(randomBytes(bytes));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
