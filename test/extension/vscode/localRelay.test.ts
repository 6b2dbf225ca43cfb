// The relay "Tether: Start a Local Relay" runs for a window: the real dist/relay.js as a child
// process, its data in the folder it is given; a port another program holds is said in words
// the notification can show, and stopping it frees the port.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalRelay, LocalRelayError, loopbackPort, relayAnswers, relayScript } from "../../../extension/vscode/localRelay";

const REPO = join(__dirname, "..", "..", "..");
const SCRIPT = relayScript(REPO);

describe("a local relay for the editor's window", function () {
  this.timeout(40_000);
  let dataDir: string;
  let relay: LocalRelay | undefined;
  let squatter: Server | undefined;

  before(function () {
    if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run \`npm run build\` first`);
  });
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), "tether-local-relay-"))));
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    await new Promise<void>((resolve) => (squatter ? squatter.close(() => resolve()) : resolve()));
    squatter = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts on a free port, serves the phone app and its health, keeps its data where it is told, and stops", async () => {
    relay = await LocalRelay.start({ script: SCRIPT, dataDir, port: 0 });
    assert.match(relay.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(relay.port > 0);
    assert.equal(await relayAnswers(relay.url), true);
    const page = await fetch(relay.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    assert.ok(
      readdirSync(dataDir).some((f) => /\.(db|sqlite)/.test(f)),
      `no SQLite file in ${readdirSync(dataDir).join(", ")}`,
    );
    const url = relay.url;
    await relay.stop();
    assert.equal(relay.running, false);
    assert.equal(await relayAnswers(url), false);
  });

  it("says when the port is held by another program", async () => {
    squatter = createServer((_, res) => res.end("not a relay"));
    await new Promise<void>((resolve) => squatter!.listen(0, "127.0.0.1", resolve));
    const port = (squatter.address() as AddressInfo).port;
    // What answers there is not a Tether relay.
    assert.equal(await relayAnswers(`http://127.0.0.1:${port}`), false);
    await assert.rejects(LocalRelay.start({ script: SCRIPT, dataDir, port }), (err: unknown) => {
      assert.ok(err instanceof LocalRelayError);
      assert.equal(err.portInUse, true);
      assert.equal(err.message, `port ${port} is in use by another program`);
      return true;
    });
  });

  it("says when this build has no relay", async () => {
    await assert.rejects(
      LocalRelay.start({ script: join(dataDir, "relay.js"), dataDir, port: 0 }),
      /this build of Tether has no relay/,
    );
  });

  it("takes the configured port only for an address on this computer", () => {
    assert.equal(loopbackPort("http://127.0.0.1:8787"), 8787);
    assert.equal(loopbackPort("http://localhost:9000/"), 9000);
    assert.equal(loopbackPort("https://relay.example.com"), undefined);
    assert.equal(loopbackPort("http://192.168.1.4:8787"), undefined);
    assert.equal(loopbackPort("not a url"), undefined);
  });
});
