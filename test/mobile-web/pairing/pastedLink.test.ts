import assert from "node:assert/strict";
import { exportPublicKey, formatPairLink, generateDeviceKeyPair, randomId, type PairLink } from "#protocol";
import { readPastedLink } from "../../../mobile-web/src/pairing/pastedLink";

describe("pasted pairing link", () => {
  const here = "https://relay.example";
  let link: PairLink;

  before(async () => {
    const host = await generateDeviceKeyPair(true);
    link = { slotId: randomId(), hostKey: await exportPublicKey(host.publicKey), secret: randomId(16) };
  });

  it("pairs here with the link the computer shows for this relay, even with spaces around it", () => {
    assert.deepEqual(readPastedLink(`  ${formatPairLink(here, link)}\n`, here), { kind: "here", link });
    assert.deepEqual(readPastedLink(formatPairLink("https://relay.example:443/", link), here), { kind: "here", link });
  });

  it("pairs here with just the #pair= part", () => {
    const fragment = `#pair=${link.slotId}.${link.hostKey}.${link.secret}`;
    assert.deepEqual(readPastedLink(fragment, here), { kind: "here", link });
  });

  it("sends a link for another relay to that relay's own page", () => {
    const url = formatPairLink("https://other.example:8443", link);
    assert.deepEqual(readPastedLink(url, here), { kind: "elsewhere", origin: "https://other.example:8443", href: url });
    assert.equal(readPastedLink(formatPairLink("http://relay.example", link), here).kind, "elsewhere");
  });

  it("refuses text that is not a whole pairing link", () => {
    const full = formatPairLink(here, link);
    for (const text of ["", "hello", here, full.slice(0, -3), full.replace(link.hostKey, "short"), `${full}.extra`]) {
      assert.deepEqual(readPastedLink(text, here), { kind: "invalid" }, text);
    }
  });
});
