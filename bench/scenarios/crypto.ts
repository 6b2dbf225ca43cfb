// 6. Crypto: sealing and opening JSON payloads of 256 B, 4 KB and 64 KB with the protocol's
// own seal/open (WebCrypto AES-256-GCM, base64url, JSON, the routing context as associated
// data), one after the other as a phone opens its events. The floor is the same AES-256-GCM
// through node:crypto, synchronously, on raw bytes. Then the share of an approval round trip
// that its three seal/open pairs take.

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { fromBase64Url, generateContentKey, open, seal, sealContext, toBase64Url } from "#protocol";
import { figure } from "../lib/results";
import type { Scenario } from "../lib/scenario";
import { now, round } from "../lib/stats";

const SIZES = [
  { label: "256 B", bytes: 256 },
  { label: "4 KB", bytes: 4096 },
  { label: "64 KB", bytes: 65_536 },
];

/** Sealed boxes on an approval's critical path: the decision, the host's reply, approval-resolved. */
const PAIRS_PER_ROUND_TRIP = 3;

export const cryptoScenario: Scenario = {
  id: "crypto",
  title: "Crypto",
  async run(ctx, out) {
    const budgetMs = ctx.quick ? 150 : 1500;
    out.params = { msPerSize: budgetMs };
    const key = await generateContentKey();
    let perEventMs = NaN;
    for (const size of SIZES) {
      // A JSON event of this size once serialised: `{"type":"x","text":"…"}`.
      const value = { type: "x", text: "a".repeat(size.bytes - 23) };
      const context = sealContext.event("host-id-of-22-chars-xx", "thread-id-12", 42);
      const pair = async (): Promise<void> => {
        await open(key, await seal(key, 1, value, context), context);
      };
      const tether = await rate(pair, budgetMs);
      const floor = await rate(nodeAesPair(size.bytes), budgetMs);
      if (size.bytes === 256) perEventMs = 1000 / tether;
      out.figures.push(
        figure({
          id: `pairs-${size.bytes}`,
          label: `seal + open, ${size.label}`,
          value: round(tether),
          unit: "/s",
          floor: round(floor),
        }),
        figure({
          id: `mbps-${size.bytes}`,
          label: `seal + open, ${size.label}, payload`,
          value: round((tether * size.bytes) / 2 ** 20),
          unit: "MB/s",
          floor: round((floor * size.bytes) / 2 ** 20),
        }),
      );
    }
    out.figures.push(
      figure({ id: "per-event", label: "seal + open of one 256 B event", value: round(perEventMs * 1000), unit: "µs" }),
    );

    // Base64url (protocol/encoding.ts) carries every box; the floor is Node's Buffer codec.
    const bytes = new Uint8Array(randomBytes(65_536));
    const text = toBase64Url(bytes);
    const mb = 65_536 / 2 ** 20;
    const encode = (await rate(() => void toBase64Url(bytes), budgetMs / 2)) * mb;
    const decode = (await rate(() => void fromBase64Url(text), budgetMs / 2)) * mb;
    const bufferEncode = (await rate(() => void Buffer.from(bytes).toString("base64url"), budgetMs / 2)) * mb;
    const bufferDecode = (await rate(() => void Buffer.from(text, "base64url"), budgetMs / 2)) * mb;
    out.figures.push(
      figure({
        id: "base64-encode",
        label: "base64url encode (protocol/encoding.ts), 64 KB",
        value: round(encode),
        unit: "MB/s",
        floor: round(bufferEncode),
      }),
      figure({
        id: "base64-decode",
        label: "base64url decode, 64 KB",
        value: round(decode),
        unit: "MB/s",
        floor: round(bufferDecode),
      }),
    );
    const approvalP50 = ctx.results.get("approval")?.figures.find((f) => f.id === "p50")?.value ?? null;
    out.figures.push(
      figure({
        id: "share",
        label: `share of the approval round trip (p50) spent sealing and opening (${PAIRS_PER_ROUND_TRIP} pairs)`,
        value: approvalP50 ? round((PAIRS_PER_ROUND_TRIP * perEventMs * 100) / approvalP50) : null,
        unit: "%",
      }),
    );
    out.notes.push(
      "One pair = seal (JSON, UTF-8, AES-256-GCM with a fresh IV and the context as associated data, base64url) and open " +
        "(the reverse, with JSON.parse), awaited one after the other. Floor: node:crypto's aes-256-gcm on the same number of " +
        "raw bytes, synchronous, with no encoding. Base64url: the protocol's toBase64Url / fromBase64Url against Node's " +
        "Buffer codec on the same 64 KB. The protocol's codec uses Uint8Array.toBase64/fromBase64 where the engine has " +
        "them (browsers), Buffer where it is a global (Node), and fromCharCode.apply on 8 KB chunks otherwise; decoding " +
        "also checks that the input is canonical base64url, which Buffer alone does not.",
      approvalP50
        ? `Share: ${PAIRS_PER_ROUND_TRIP} × the 256 B pair against the approval p50 of ${approvalP50} ms (approval scenario, latest run).`
        : "Share: needs an approval result (run the approval scenario).",
    );
  },
};

/** Operations per second of `op`, run back to back for about `budgetMs` after as long a warm-up. */
async function rate(op: () => Promise<void> | void, budgetMs: number): Promise<number> {
  // The JIT needs a while before WebCrypto's async round trips settle to their speed.
  const warm = now();
  while (now() - warm < budgetMs) for (let i = 0; i < 20; i++) await op();
  let n = 0;
  const t0 = now();
  while (now() - t0 < budgetMs) {
    for (let i = 0; i < 20; i++) await op();
    n += 20;
  }
  return n / ((now() - t0) / 1000);
}

function nodeAesPair(bytes: number): () => void {
  const key = randomBytes(32);
  const data = randomBytes(bytes);
  const aad = Buffer.from('["tether/1","event","host","thread",42,1]');
  return () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(aad);
    const ct = Buffer.concat([cipher.update(data), cipher.final()]);
    const tag = cipher.getAuthTag();
    const decipher = createDecipheriv("aes-256-gcm", key, iv).setAAD(aad).setAuthTag(tag);
    Buffer.concat([decipher.update(ct), decipher.final()]);
  };
}
