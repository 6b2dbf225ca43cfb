import assert from "node:assert/strict";
import {
  boxSchema,
  formatPairLink,
  handshakeSchema,
  pairDecideSchema,
  pairJoinSchema,
  parsePairFragment,
  publishSchema,
  rpcCallSchema,
  storedEventsSchema,
  syncSchema,
} from "#protocol";

const box = { e: 1, iv: "A".repeat(16), ct: "B".repeat(40) };
const key = "B" + "x".repeat(86);

describe("protocol schemas", () => {
  it("accept well-formed payloads", () => {
    assert.ok(boxSchema.safeParse(box).success);
    assert.ok(pairJoinSchema.safeParse({ slotId: "abc", phoneKey: key, hello: box, proof: "p".repeat(43) }).success);
    assert.ok(publishSchema.safeParse({ threadId: "t1", seq: 1, box }).success);
    assert.ok(syncSchema.safeParse({ hostId: "h", cursors: { t1: 3 } }).success);
    assert.ok(rpcCallSchema.safeParse({ type: "read-file", path: "src/a.ts", offset: 0 }).success);
    assert.ok(handshakeSchema.safeParse({ v: 1, token: "x".repeat(43), batches: true }).success);
    const stored = { hostId: "h", threadId: "t1", seq: 1, box, at: 1 };
    assert.ok(storedEventsSchema.safeParse([stored, { ...stored, seq: 2 }]).success);
  });

  const junk: [string, { safeParse(v: unknown): { success: boolean } }, unknown][] = [
    ["a string for a box", boxSchema, "nope"],
    ["a box with an extra field", boxSchema, { ...box, plaintext: "leak" }],
    ["a box with a short IV", boxSchema, { ...box, iv: "AAAA" }],
    ["a box with a non-base64 ciphertext", boxSchema, { ...box, ct: "<script>".repeat(4) }],
    ["a box with epoch 0", boxSchema, { ...box, e: 0 }],
    ["a handshake without a version", handshakeSchema, { token: "x" }],
    ["a handshake with a short token", handshakeSchema, { v: 1, token: "short" }],
    ["a join without proof", pairJoinSchema, { slotId: "abc", phoneKey: key, hello: box }],
    ["a join with a path as slot id", pairJoinSchema, { slotId: "../etc", phoneKey: key, hello: box, proof: "p".repeat(43) }],
    ["an accept without a grant", pairDecideSchema, { slotId: "abc", accept: true }],
    ["a publish with seq 0", publishSchema, { threadId: "t", seq: 0, box }],
    ["a publish with a fractional seq", publishSchema, { threadId: "t", seq: 1.5, box }],
    ["a sync with negative cursors", syncSchema, { hostId: "h", cursors: { t: -1 } }],
    ["a handshake that says batches in words", handshakeSchema, { v: 1, batches: "yes" }],
    ["an empty batch of events", storedEventsSchema, []],
    ["a batch with an event without its seq", storedEventsSchema, [{ hostId: "h", threadId: "t", box, at: 1 }]],
    ["an unknown call", rpcCallSchema, { type: "delete-everything", path: "" }],
    ["a read past the size cap", rpcCallSchema, { type: "read-file", path: "a", length: 10 ** 9 }],
    ["null", boxSchema, null],
    ["an array", syncSchema, []],
  ];
  for (const [what, schema, value] of junk) {
    it(`reject ${what}`, () => assert.equal(schema.safeParse(value).success, false));
  }
});

describe("pairing links", () => {
  it("round-trip through format and parse, and keep the secret in the fragment", () => {
    const link = { slotId: "Slot_1-x", hostKey: key, secret: "s".repeat(22) };
    const url = formatPairLink("https://relay.example/", link);
    assert.equal(new URL(url).hash.startsWith("#pair="), true);
    assert.equal(new URL(url).pathname, "/");
    assert.deepEqual(parsePairFragment(url), link);
  });

  it("return null for anything else", () => {
    assert.equal(parsePairFragment("https://relay.example/"), null);
    assert.equal(parsePairFragment("https://relay.example/#pair=a.b"), null);
    assert.equal(parsePairFragment(`https://r/#pair=slot.${key}.short`), null);
    assert.equal(parsePairFragment(`https://r/#pair=slot.notakey.${"s".repeat(22)}`), null);
  });
});
