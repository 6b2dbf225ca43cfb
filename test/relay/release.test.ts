// What a connection lets go of once it is open (relay/socket/release.ts): the HTTP request it
// began with is collected while the connection stays, and its handshake keeps no bearer token.

import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, once, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";
import { rmSync } from "node:fs";

/** A full garbage collection, without starting Node with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

describe("relay: what a connection lets go of", () => {
  let relay: TestRelay;
  let workspace: string;
  let host: TestHost;
  let phone: PairedPhone;
  const sockets: PhoneSocket[] = [];

  before(async () => {
    relay = await startRelay();
    workspace = makeWorkspace({ "README.md": "hello\n" });
    host = await startHost(relay.url, workspace);
    phone = await pairPhone((await host.host.openPairing()).url);
  });

  after(async () => {
    for (const s of sockets) s.close();
    phone?.close();
    await host?.stop();
    await relay?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("lets the upgrade request and its response go while the WebSocket stays open", async () => {
    const requests: WeakRef<object>[] = [];
    const responses: WeakRef<object>[] = [];
    let watching = true;
    // After the relay's own: engine.io runs its middlewares in the order they were added.
    relay.io.engine.use((_req: unknown, res: object, next: () => void) => {
      if (watching) responses.push(new WeakRef(res));
      next();
    });
    const seen = (_headers: unknown, req: object): void => void requests.push(new WeakRef(req));
    relay.io.engine.on("initial_headers", seen);
    const socket = connect(relay.url, { token: phone.token });
    sockets.push(socket);
    const hello = once(socket, "hello");
    await connected(socket);
    await hello;
    relay.io.engine.off("initial_headers", seen);
    watching = false;
    assert.equal(requests.length, 1, "one upgrade request, a WebSocket from the start");
    assert.equal(responses.length, 1);
    // Collected only once nothing the connection keeps refers to them; a WeakRef's target stays
    // for the rest of the turn it was read in, so each try starts a new one.
    const kept = (): boolean => requests[0]!.deref() !== undefined || responses[0]!.deref() !== undefined;
    for (let i = 0; i < 20 && kept(); i++) {
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
    }
    assert.equal(requests[0]!.deref(), undefined, "the request and its headers are kept alive by the connection");
    assert.equal(responses[0]!.deref(), undefined, "the upgrade's response is kept alive by the connection");
    assert.ok(socket.connected);
    // And the connection still works both ways.
    const page = await socket.timeout(5_000).emitWithAck("sync", { hostId: phone.hostId, cursors: {} });
    assert.equal(page.ok, true, JSON.stringify(page));
  });

  it("keeps where a socket came from, and not its token", async () => {
    const socket = connect(relay.url, { token: phone.token });
    sockets.push(socket);
    await connected(socket);
    const theirs = [...relay.io.of("/").sockets.values()].filter((s) => s.data.device?.id === phone.deviceId);
    assert.ok(theirs.length >= 2);
    for (const s of theirs) {
      assert.ok(!JSON.stringify(s.handshake).includes(phone.token), "the bearer token stays in the handshake");
      assert.equal(s.handshake.address, s.data.ip);
      assert.ok(s.handshake.issued > 0);
    }
  });
});
