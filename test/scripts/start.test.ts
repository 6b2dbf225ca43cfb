// `npm start` as a newcomer runs it: the real dist/start.js in a child process, with stand-in
// `tailscale` and `cloudflared` on PATH or without them. Needs `npm run build` first.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QUICK_TUNNEL, TAILNET_NAME, standIns, watch, type StandIns, type Watched } from "../support/standins";
import { quietFor } from "../support/wait";

const root = join(__dirname, "..", "..");
const startJs = join(root, "dist", "start.js");

function start(tools: StandIns, args: string[] = []): Watched {
  const dir = mkdtempSync(join(tmpdir(), "tether-start-"));
  const env = { ...tools.env, HOME: dir, INIT_CWD: dir, TETHER_PUSH: "off" };
  return watch(
    process.execPath,
    [startJs, "--port", "0", "--data-dir", join(dir, "relay"), "--state-dir", join(dir, "state"), ...args],
    {
      env,
      cwd: root,
    },
  );
}

/**
 * The pairing link and its block under the QR code, once the block has ended: with `note`, the
 * lines under "Valid until" up to the blank line that closes them. `since` is where the block
 * starts in the output, for windows in which nothing more may follow it.
 */
async function pairing(run: Watched, note: boolean): Promise<{ link: string; after: string; since: number }> {
  const block = note
    ? /^ {2}(https?:\/\/\S+#pair=\S+)\nValid until [^\n]*\n\n(?:[^\n]+\n)+\n/m
    : /^ {2}(https?:\/\/\S+#pair=\S+)\nValid until [^\n]*\n\n/m;
  const m = await run.waitFor(block);
  return { link: m[1]!, after: m[0], since: m.index };
}

/** Rejects if `re` shows up in the output from `since` within half a second from now. */
function nothingMatches(run: Watched, since: number, re: RegExp, what: string): Promise<void> {
  return quietFor(what, 500, () => re.test(run.output().slice(since)));
}

describe("npm start: reaching the phone", function () {
  this.timeout(60_000);
  before(function () {
    if (!existsSync(startJs)) throw new Error("dist/start.js is missing: run `npm run build` first");
  });

  it("says under the QR code that a 127.0.0.1 link opens only here, and lists the README's ways out when it finds no tunnel", async () => {
    const run = start(standIns([]));
    try {
      const { link, after, since } = await pairing(run, true);
      assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/#pair=/);
      assert.match(after, /This link opens only on this computer: 127\.0\.0\.1:\d+ is this computer's own address/);
      assert.match(after, /install Tailscale .*, then: npm start -- --tailscale/);
      assert.match(after, /install cloudflared .*, then: npm start -- --tunnel/);
      assert.match(after, /reverse proxy .*, then: npm start -- --public-url https:/);
      assert.match(after, /same Wi-Fi .*HTTPS/);
      // Nothing of the startup comes after the code and its note.
      assert.doesNotMatch(after, /connected to the relay|Relay on|Tether host/);
      await nothingMatches(run, since, /connected to the relay|Relay on|Tether host/, "startup output after the pairing code");
    } finally {
      assert.equal(await run.interrupt(), 0);
    }
  });

  it("offers --tailscale and --tunnel by name where both are installed, and says the relay is blind", async () => {
    const tools = standIns(["tailscale", "cloudflared"]);
    const run = start(tools);
    try {
      const { after } = await pairing(run, true);
      assert.match(after, /opens only on this computer/);
      assert.match(after, new RegExp(`npm start -- --tailscale .*https://${TAILNET_NAME.replace(/\./g, "\\.")}`));
      assert.match(after, /npm start -- --tunnel .*trycloudflare/);
      assert.match(after, /blind: a public address exposes only ciphertext/);
      assert.doesNotMatch(after, /same Wi-Fi/);
      assert.deepEqual(tools.calls(), ["tailscale status --json"], "nothing is served without being asked");
    } finally {
      await run.interrupt();
    }
  });

  it("--tailscale serves the relay's port, links to the tailnet name, lets its pages in, and turns serve off at exit", async () => {
    const tools = standIns(["tailscale"]);
    const run = start(tools, ["--tailscale"]);
    let port: string;
    try {
      port = (await run.waitFor(/Relay on http:\/\/127\.0\.0\.1:(\d+)/))[1]!;
      await run.waitFor(/through Tailscale Serve\.\nOnly devices on your tailnet can reach that address\./);
      const { link, since } = await pairing(run, false);
      assert.match(link, new RegExp(`^https://${TAILNET_NAME.replace(/\./g, "\\.")}/#pair=`));
      await nothingMatches(run, since, /opens only on this computer/, "a note that the tailnet link opens only here");
      assert.ok(tools.calls().includes(`tailscale serve --bg --https=443 http://127.0.0.1:${port}`), tools.calls().join("\n"));
      // The phone's page at the tailnet name may talk to the relay; another site's may not.
      const from = (origin: string) =>
        fetch(`http://127.0.0.1:${port}/healthz`, { headers: { Origin: origin } }).then((r) => r.status);
      assert.equal(await from(`https://${TAILNET_NAME}`), 200);
      assert.equal(await from("https://elsewhere.example"), 403);
    } finally {
      assert.equal(await run.interrupt(), 0);
    }
    assert.equal(tools.calls().at(-1), "tailscale serve --https=443 off");
  });

  it("--tunnel starts a quick tunnel to the relay's port, links to its address, and stops it at exit", async () => {
    const tools = standIns(["cloudflared"]);
    const run = start(tools, ["--tunnel"]);
    try {
      const port = (await run.waitFor(/Relay on http:\/\/127\.0\.0\.1:(\d+)/))[1]!;
      await run.waitFor(
        /through a cloudflared quick tunnel\.\nAnyone can reach that address, and that is safe: the relay is blind, so all it exposes is ciphertext\./,
      );
      const { link } = await pairing(run, false);
      assert.equal(link.split("#")[0], `${QUICK_TUNNEL}/`);
      assert.ok(tools.calls().some((c) => c.startsWith("cloudflared tunnel") && c.endsWith(` --url http://127.0.0.1:${port}`)));
      assert.ok(!tools.calls().includes("cloudflared stopped"));
      const status = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { Origin: QUICK_TUNNEL } }).then((r) => r.status);
      assert.equal(status, 200);
    } finally {
      assert.equal(await run.interrupt(), 0);
    }
    assert.equal(tools.calls().at(-1), "cloudflared stopped");
  });

  it("says what to install when --tunnel has no cloudflared, and starts nothing", async () => {
    const run = start(standIns([]), ["--tunnel"]);
    assert.equal(await new Promise((r) => run.child.once("exit", r)), 1);
    assert.match(run.output(), /--tunnel needs cloudflared on PATH/);
    assert.doesNotMatch(run.output(), /#pair=/);
  });
});

describe("npm start -- --help", () => {
  it("answers within a few seconds without building (npm is not even on PATH)", async () => {
    const began = Date.now();
    const run = watch(process.execPath, [join(root, "scripts", "launch.mjs"), "--help"], {
      env: { PATH: standIns([]).path.split(":").slice(1, 2).join(":"), HOME: tmpdir() },
      cwd: root,
    });
    const code = await new Promise((r) => run.child.once("exit", r));
    assert.equal(code, 0, run.output());
    assert.ok(Date.now() - began < 5_000, `took ${Date.now() - began} ms`);
    assert.match(run.output(), /^Usage: npm start -- \[options\]/);
    assert.match(run.output(), /--tailscale/);
    assert.match(run.output(), /--listen <addr>/);
    assert.doesNotMatch(run.output(), /Building/);
  });
});

describe("tether-relay --listen", () => {
  for (const [listen, said] of [
    ["127.0.0.1:0", /^Tether relay listening on http:\/\/127\.0\.0\.1:(\d+)$/m],
    [
      "0.0.0.0:0",
      /^Tether relay listening on http:\/\/0\.0\.0\.0:(\d+) \(every interface; on this computer http:\/\/127\.0\.0\.1:\1\)$/m,
    ],
  ] as const) {
    it(`says the address it is bound to for --listen ${listen}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "tether-relay-"));
      const run = watch(process.execPath, [join(root, "dist", "relay.js"), "--listen", listen, "--data-dir", dir, "--no-push"], {
        env: { PATH: process.env.PATH, HOME: dir },
      });
      try {
        const port = (await run.waitFor(said))[1]!;
        assert.notEqual(port, "0");
        assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      } finally {
        assert.equal(await run.interrupt(), 0);
      }
    });
  }
});
