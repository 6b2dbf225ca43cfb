// A self-signed certificate for tests that speak real TLS (the fake push service, a relay
// with --tls-cert). The DER is built by hand: node:crypto signs but cannot issue certificates.

import { isIPv4 } from "node:net";
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  let n = body.length;
  const len: number[] = [];
  for (; n > 0; n >>= 8) len.unshift(n & 0xff);
  const head = body.length < 128 ? [body.length] : [0x80 | len.length, ...len];
  return Buffer.concat([Buffer.from([tag, ...head]), body]);
}
const seq = (...p: Buffer[]): Buffer => der(0x30, ...p);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let v = arc; groups.length === 0 || v > 0; v = Math.floor(v / 128)) groups.unshift(v % 128);
    bytes.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return der(0x06, Buffer.from(bytes));
}
const utcTime = (d: Date): Buffer => der(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z"));
/** A subjectAltName entry: an iPAddress for an IPv4 address, a dNSName otherwise. */
const altName = (n: string): Buffer => (isIPv4(n) ? der(0x87, Buffer.from(n.split(".").map(Number))) : der(0x82, Buffer.from(n)));

/** A P-256 certificate for `names` (host names or IPv4 addresses), valid for a day, signed by its own key. */
export function selfSignedCert(names: string[], commonName = "tether test"): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ecdsaWithSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const name = seq(der(0x31, seq(oid("2.5.4.3"), der(0x0c, Buffer.from(commonName)))));
  const san = seq(...names.map(altName));
  const serial = randomBytes(16);
  // Positive and minimal: a leading 0x00 before a byte under 0x80 is illegal DER.
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ecdsaWithSha256,
    name,
    seq(utcTime(new Date(Date.now() - 60_000)), utcTime(new Date(Date.now() + 86_400_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    der(0xa3, seq(seq(oid("2.5.29.17"), der(0x04, san)))),
  );
  const certificate = seq(tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), sign("sha256", tbs, privateKey)));
  const pem = certificate.toString("base64").replace(/.{1,64}/g, "$&\n");
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    cert: `-----BEGIN CERTIFICATE-----\n${pem}-----END CERTIFICATE-----\n`,
  };
}
