import assert from "node:assert/strict";
import {
  bufferCodec,
  fastCodec,
  fromBase64Url,
  nativeUint8ArrayCodec,
  portableCodec,
  toBase64Url,
  type Base64UrlCodec,
} from "#protocol/encoding";

// Sizes around every padding case and the portable encoder's 8 KB chunk, and one past 64 KB.
const SIZES = [0, 1, 2, 3, 4, 5, 31, 32, 33, 8191, 8192, 8193, 16385, 65535, 65536, 70001, 200_003];

function random(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

const reference = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");

const BAD = ["a", "abcde", "ab=c", "ab+c", "ab/c", "ab c", "ab\nc", "abc==", "é"];

/**
 * Node 20 has no Uint8Array.fromBase64; to exercise the code that calls it, install a
 * stand-in with the TC39 signatures (built on Buffer) for the length of one test.
 */
function withUint8ArrayBase64<T>(run: () => T): T {
  const ctor = Uint8Array as unknown as Record<string, unknown>;
  const proto = Uint8Array.prototype as unknown as Record<string, unknown>;
  if (typeof ctor.fromBase64 === "function") return run();
  ctor.fromBase64 = (text: string, options: { alphabet: string }) => {
    assert.equal(options.alphabet, "base64url");
    return new Uint8Array(Buffer.from(text, "base64url"));
  };
  proto.toBase64 = function (this: Uint8Array, options: { alphabet: string; omitPadding: boolean }) {
    assert.deepEqual(options, { alphabet: "base64url", omitPadding: true });
    return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString("base64url");
  };
  try {
    return run();
  } finally {
    delete ctor.fromBase64;
    delete proto.toBase64;
  }
}

function checkCodec(codec: () => Base64UrlCodec): void {
  it("round-trips random bytes of every size, matching Node's encoder", () => {
    for (const size of SIZES) {
      const bytes = random(size);
      const text = codec().encode(bytes);
      assert.equal(text, reference(bytes), `size ${size}`);
      assert.deepEqual(codec().decode(text), bytes, `size ${size}`);
    }
  });

  it("encodes a view into a larger buffer by its own bytes only", () => {
    const whole = random(100);
    const view = whole.subarray(7, 50);
    assert.equal(codec().encode(view), reference(view));
  });

  it("returns bytes the caller owns, never a shared pool", () => {
    const decoded = codec().decode(reference(random(10)));
    assert.equal(decoded.byteOffset, 0);
    assert.equal(decoded.buffer.byteLength, 10);
  });

  it("refuses text that is not unpadded base64url", () => {
    for (const text of BAD) assert.throws(() => codec().decode(text), /not base64url/, JSON.stringify(text));
  });
}

describe("protocol/encoding: base64url", () => {
  describe("portable codec (btoa/atob)", () => checkCodec(() => portableCodec));

  describe("Buffer codec (Node)", () => {
    const codec = bufferCodec();
    it("is found in Node", () => assert.ok(codec));
    checkCodec(() => codec!);
  });

  describe("Uint8Array.fromBase64 codec (browsers)", () => {
    it("is found when the engine has the methods, and not otherwise", () => {
      if (typeof (Uint8Array as unknown as { fromBase64?: unknown }).fromBase64 !== "function") {
        assert.equal(nativeUint8ArrayCodec(), undefined);
      }
      withUint8ArrayBase64(() => assert.ok(nativeUint8ArrayCodec()));
    });
    for (const size of SIZES) {
      it(`round-trips ${size} bytes`, () =>
        withUint8ArrayBase64(() => {
          const codec = nativeUint8ArrayCodec()!;
          const bytes = random(size);
          assert.equal(codec.encode(bytes), reference(bytes));
          assert.deepEqual(codec.decode(reference(bytes)), bytes);
          for (const text of BAD) assert.throws(() => codec.decode(text), /not base64url/);
        }));
    }
  });

  it("toBase64Url / fromBase64Url use a native codec in Node", () => {
    assert.notEqual(fastCodec.name, "portable");
    const bytes = random(70001);
    assert.equal(toBase64Url(bytes), reference(bytes));
    assert.deepEqual(fromBase64Url(reference(bytes)), bytes);
  });

  it("the portable codec encodes 1 MB in well under a second (no argument spreading)", () => {
    const bytes = random(1 << 20);
    const started = performance.now();
    for (let i = 0; i < 4; i++) portableCodec.encode(bytes);
    assert.ok(performance.now() - started < 1000, `${performance.now() - started} ms`);
  });
});
