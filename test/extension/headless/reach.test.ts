// tether-host on a relay at 127.0.0.1: what it says under the QR code, and --tunnel/--tailscale
// through stand-in programs on PATH. Runs the real dist/host.js; needs `npm run build` first.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localOnlyNote, localOnlyReason } from "../../../extension/headless/reach";
import { parseRelayConfig } from "../../../relay/config";
import { memoryLogger } from "../../../relay/log";
import { createRelay, type Relay } from "../../../relay/server";
import { QUICK_TUNNEL, TAILNET_NAME, standIns, watch, type StandIns, type Watched } from "../../support/standins";
import { quietFor } from "../../support/wait";

const hostJs = join(__dirname, "..", "..", "..", "dist", "host.js");

describe("tether-host: reaching the phone", function () {
  this.timeout(60_000);
  let relay: Relay;
  before(async function () {
    if (!existsSync(hostJs)) throw new Error("dist/host.js is missing: run `npm run build` first");
    const dir = mkdtempSync(join(tmpdir(), "tether-relay-"));
    const config = parseRelayConfig(["--port", "0", "--data-dir", dir, "--no-push"], {}, { webDir: null })!;
    relay = await createRelay(config, { log: memoryLogger() });
  });
  after(() => relay.close());

  function host(tools: StandIns, args: string[] = [], relayUrl = relay.url): Watched {
    const dir = mkdtempSync(join(tmpdir(), "tether-host-"));
    return watch(process.execPath, [hostJs, "--relay", relayUrl, "--state-dir", join(dir, "state"), "--pair", ...args], {
      env: { ...tools.env, HOME: dir },
      cwd: dir,
    });
  }
  const link = async (run: Watched): Promise<string> => (await run.waitFor(/^ {2}(https?:\/\/\S+#pair=\S+)$/m))[1]!;
  /** The block under the QR code has ended: the note's lines, up to the blank line that closes them. */
  const noted = (run: Watched): Promise<RegExpExecArray> => run.waitFor(/^Valid until [^\n]*\n\n(?:[^\n]+\n)+\n/m);

  it("says a 127.0.0.1 link opens only on this computer and lists the README's ways when there is no tunnel", async () => {
    const run = host(standIns([]));
    try {
      assert.match(await link(run), /^http:\/\/127\.0\.0\.1:\d+\/#pair=/);
      await noted(run);
      assert.match(run.output(), /Valid until [^\n]*\n\nThis link opens only on this computer/);
      assert.match(run.output(), /- install cloudflared .*, then: tether-host --tunnel/);
      assert.match(run.output(), /reverse proxy .*, then: tether-relay --public-url/);
    } finally {
      assert.equal(await run.interrupt(), 0);
    }
  });

  it("names tether-host --tailscale and --tunnel when both programs are there", async () => {
    const run = host(standIns(["tailscale", "cloudflared"]));
    try {
      await link(run);
      await noted(run);
      assert.match(run.output(), new RegExp(`tether-host --tailscale +serves it at https://${TAILNET_NAME}`));
      assert.match(run.output(), /tether-host --tunnel +a public https:/);
      assert.match(run.output(), /only ciphertext/);
    } finally {
      await run.interrupt();
    }
  });

  it("--tunnel points cloudflared at the relay's port, links to the tunnel, and stops it at exit", async () => {
    const tools = standIns(["cloudflared"]);
    const run = host(tools, ["--tunnel"]);
    try {
      assert.equal((await link(run)).split("#")[0], `${QUICK_TUNNEL}/`);
      await run.waitFor(/^Valid until [^\n]*\n\n/m);
      await quietFor("a note that the tunnel's link opens only here", 500, () =>
        /opens only on this computer/.test(run.output()),
      );
      const port = new URL(relay.url).port;
      assert.ok(
        tools.calls().some((c) => c.endsWith(`--url http://127.0.0.1:${port}`)),
        tools.calls().join("\n"),
      );
    } finally {
      assert.equal(await run.interrupt(), 0);
    }
    assert.equal(tools.calls().at(-1), "cloudflared stopped");
  });

  it("--tailscale refuses a relay on another computer, and runs nothing", async () => {
    const tools = standIns(["tailscale"]);
    const run = host(tools, ["--tailscale"], "https://relay.example");
    assert.equal(await new Promise((r) => run.child.once("exit", r)), 1);
    assert.match(run.output(), /--tailscale serves a relay on this computer; https:\/\/relay\.example is not one/);
    assert.deepEqual(tools.calls(), []);
  });
});

describe("which pairing links open only on this computer", () => {
  const only = (url: string): boolean => localOnlyReason(url) !== undefined;
  it("plain HTTP to loopback, private, CGNAT, unique-local, link-local and .local addresses", () => {
    for (const url of [
      "http://127.0.0.1:8787",
      "http://127.9.9.9",
      "http://localhost:8787",
      "http://[::1]:8787",
      "http://10.1.2.3",
      "http://172.16.0.1",
      "http://172.31.255.255",
      "http://192.168.1.20:8787",
      "http://100.64.0.1",
      "http://100.127.1.1",
      "http://[fd12:3456::1]",
      "http://[fe80::1]",
      "http://laptop.local:8787",
    ]) {
      assert.ok(only(url), url);
    }
  });
  it("not HTTPS, wherever it points", () => {
    for (const url of ["https://192.168.1.20", "https://laptop.tail1234.ts.net", "https://x.trycloudflare.com"]) {
      assert.ok(!only(url), url);
    }
  });
  it("plain HTTP to a public name is still refused by a phone's browser, and says why", () => {
    assert.match(localOnlyReason("http://172.32.0.1")!, /plain HTTP, and a phone's browser needs HTTPS/);
    assert.doesNotMatch(localOnlyReason("http://172.32.0.1")!, /private|own address/);
    assert.match(localOnlyNote("http://relay.example/#pair=x", {}, "tether-host")![0]!, /^A phone cannot pair with this link/);
    assert.match(localOnlyNote("http://10.0.0.2/#pair=x", {}, "tether-host")![0]!, /^This link opens only on this computer/);
    assert.equal(localOnlyNote("https://relay.example/#pair=x", {}, "tether-host"), undefined);
    assert.match(localOnlyReason("http://192.168.1.20")!, /private address/);
  });
});
