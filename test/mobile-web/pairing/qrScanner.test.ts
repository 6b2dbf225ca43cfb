import assert from "node:assert/strict";
import { exportPublicKey, formatPairLink, generateDeviceKeyPair, randomId, type PairLink } from "#protocol";
import {
  CameraError,
  cameraProblemMessage,
  cameraProblemOf,
  readScannedCode,
  scanForPairingLink,
} from "../../../mobile-web/src/pairing/qrScanner";

const here = "https://relay.example";
const noWait = () => Promise.resolve();

/** A camera that shows these frames in turn (null: no code in view), then nothing. */
function frames(...shown: (string | null | Error)[]): () => Promise<string | null> {
  let i = 0;
  return async () => {
    const frame = i < shown.length ? shown[i++]! : null;
    if (frame instanceof Error) throw frame;
    return frame;
  };
}

describe("QR code scanning", () => {
  let link: PairLink;
  let url: string;

  before(async () => {
    const host = await generateDeviceKeyPair(true);
    link = { slotId: randomId(), hostKey: await exportPublicKey(host.publicKey), secret: randomId(16) };
    url = formatPairLink(here, link);
  });

  it("stops at the first frame that holds a pairing link and hands over its text", async () => {
    const others: string[] = [];
    const found = await scanForPairingLink({
      decode: frames(null, new Error("video not ready"), null, url, "https://example.com"),
      origin: here,
      signal: new AbortController().signal,
      onOther: (text) => others.push(text),
      wait: noWait,
    });
    assert.equal(found, url);
    assert.deepEqual(others, []);
    assert.deepEqual(readScannedCode(found!, here), { kind: "here", link });
  });

  it("tells once about a code that is not a pairing link, and keeps looking", async () => {
    const others: string[] = [];
    const menu = "https://cafe.example/menu";
    const found = await scanForPairingLink({
      decode: frames(menu, menu, null, menu, "WIFI:S:home;;", url),
      origin: here,
      signal: new AbortController().signal,
      onOther: (text) => others.push(text),
      wait: noWait,
    });
    assert.equal(found, url);
    assert.deepEqual(others, [menu, "WIFI:S:home;;"]);
  });

  it("recognises a link for another relay, so the screen can send the phone there", () => {
    const other = formatPairLink("https://other.example", link);
    assert.deepEqual(readScannedCode(other, here), { kind: "elsewhere", origin: "https://other.example", href: other });
    assert.equal(readScannedCode("https://relay.example/#/hosts", here), null);
    assert.equal(readScannedCode("", here), null);
  });

  it("ends with nothing when cancelled", async () => {
    const controller = new AbortController();
    let decoded = 0;
    const found = await scanForPairingLink({
      decode: async () => {
        if (++decoded === 3) controller.abort();
        return null;
      },
      origin: here,
      signal: controller.signal,
      wait: noWait,
    });
    assert.equal(found, null);
    assert.equal(decoded, 3);
  });

  it("drops a pairing link decoded just as the scan was cancelled", async () => {
    const controller = new AbortController();
    const found = await scanForPairingLink({
      decode: async () => {
        controller.abort();
        return url;
      },
      origin: here,
      signal: controller.signal,
      wait: noWait,
    });
    assert.equal(found, null);
  });

  it("says why the camera did not start in words a person can act on", () => {
    const dom = (name: string) => Object.assign(new Error(name), { name });
    assert.equal(cameraProblemOf(dom("NotAllowedError")), "denied");
    assert.equal(cameraProblemOf(dom("NotFoundError")), "no-camera");
    assert.equal(cameraProblemOf(dom("OverconstrainedError")), "no-camera");
    assert.equal(cameraProblemOf(dom("NotReadableError")), "busy");
    assert.equal(cameraProblemOf(dom("SecurityError")), "insecure");
    assert.equal(cameraProblemOf(new CameraError("unsupported")), "unsupported");
    assert.equal(cameraProblemOf("weird"), "failed");
    assert.match(cameraProblemMessage("denied"), /not allowed.*settings/);
    assert.match(cameraProblemMessage("no-camera"), /No camera/);
    assert.match(cameraProblemMessage("insecure"), /secure \(https\)/);
    for (const problem of ["insecure", "unsupported", "denied", "no-camera", "busy", "failed"] as const) {
      assert.match(cameraProblemMessage(problem), /paste the link/i);
    }
  });
});
