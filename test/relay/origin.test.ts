import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { ErrorCode, HTTP_COMMAND_PATH, PROTOCOL_VERSION } from "#protocol";
import { startRelay, type TestRelay } from "../support/relay";

const PUBLIC_URL = "https://tether.example";
const EXTRA = "https://console.example:8443";

describe("relay: only its own web pages may connect", () => {
  let relay: TestRelay;

  /** Connects as a page of `origin` would (no Origin: as Node does); resolves whether the relay let it in. */
  const opens = (origin: string | undefined, transport: "websocket" | "polling" = "websocket"): Promise<boolean> => {
    const socket = io(relay.url, {
      auth: { v: PROTOCOL_VERSION },
      transports: [transport],
      reconnection: false,
      forceNew: true,
      extraHeaders: origin === undefined ? {} : { Origin: origin },
    });
    return new Promise<boolean>((resolve) => {
      socket.once("connect", () => resolve(true));
      socket.once("connect_error", () => resolve(false));
    }).finally(() => socket.close());
  };

  const post = (origin: string | undefined) =>
    fetch(relay.url + HTTP_COMMAND_PATH, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(origin === undefined ? {} : { Origin: origin }) },
      body: "{}",
    });

  beforeEach(async () => {
    relay = await startRelay({ config: { publicUrl: PUBLIC_URL, allowOrigins: [EXTRA] } });
  });

  afterEach(() => relay.stop());

  it("refuses a socket from another site's page, over WebSocket and long-polling", async () => {
    assert.equal(await opens("https://evil.example"), false);
    assert.equal(await opens("https://evil.example", "polling"), false);
    assert.equal(await opens("null"), false, "a sandboxed frame or a file");
    assert.equal(await opens("https://tether.example.evil.example"), false);
    assert.ok(relay.logs.some((l) => l.includes("refused a page of another origin") && l.includes("evil.example")));
  });

  it("lets in the relay's own pages, the origins it was told to allow, and Node clients without an Origin", async () => {
    assert.equal(await opens(undefined), true, "a host in Node");
    assert.equal(await opens(relay.url), true, "the app as served at the address it was reached at");
    assert.equal(await opens(relay.url, "polling"), true);
    assert.equal(await opens(PUBLIC_URL), true, "the app behind its proxy at --public-url");
    assert.equal(await opens(EXTRA), true, "--allow-origin");
  });

  it("refuses POST /api/command and /healthz from another site's page, before looking at anything else", async () => {
    const foreign = await post("https://evil.example");
    assert.equal(foreign.status, 403);
    assert.deepEqual(((await foreign.json()) as { code: string }).code, ErrorCode.Forbidden);
    assert.equal(foreign.headers.get("access-control-allow-origin"), null);
    assert.equal((await fetch(relay.url + "/healthz", { headers: { Origin: "https://evil.example" } })).status, 403);

    // The relay's own pages and Node get as far as the token check.
    for (const origin of [relay.url, PUBLIC_URL, undefined]) {
      assert.equal((await post(origin)).status, 401, String(origin));
    }
    // The app's files are anyone's to load (this relay serves none: 404, not 403).
    assert.equal((await fetch(relay.url + "/", { headers: { Origin: "https://evil.example" } })).status, 404);
  });
});
