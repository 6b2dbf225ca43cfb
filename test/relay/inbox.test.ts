// The inbox's common case: a command for a host connected to this relay, with nothing waiting
// before it, goes to the host as it was stored, without reading the inbox back. Whatever
// waits before it keeps its place.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandForward } from "#protocol";
import { memoryLogger } from "../../relay/log";
import { createRelay, type Relay } from "../../relay/server";
import { SqliteStore } from "../../relay/store/sqlite";
import type { RelayStore } from "../../relay/store/store";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { makeWorkspace } from "../support/workspace";

const box = (n: number): { e: number; iv: string; ct: string } => ({ e: 1, iv: "A".repeat(16), ct: `C${n}`.padEnd(40, "x") });

/** The store, with the name of every method called on it. */
function spied(store: RelayStore, calls: string[]): RelayStore {
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe("relay: a command for a host connected here", () => {
  let dataDir: string;
  let workspace: string;
  let sqlite: SqliteStore;
  let relay: Relay;
  let host: TestHost;
  let phone: PairedPhone;
  const calls: string[] = [];
  const sockets: PhoneSocket[] = [];

  const hostSocket = async (): Promise<PhoneSocket> => {
    const socket = connect(relay.url, { token: host.identity.credentials(relay.url)!.token });
    sockets.push(socket);
    await connected(socket);
    return socket;
  };
  const command = (id: string, n = 1) =>
    phone.socket.timeout(10_000).emitWithAck("command", { hostId: phone.hostId, id, box: box(n) });
  const reads = (): number => calls.filter((c) => c === "pendingCommands").length;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "tether-relay-"));
    workspace = makeWorkspace({ "README.md": "hello\n" });
    sqlite = new SqliteStore(join(dataDir, "relay.sqlite"));
    relay = await createRelay(
      { host: "127.0.0.1", port: 0, dataDir, webDir: null, publicUrl: undefined, logFormat: "json" },
      { log: memoryLogger(), store: spied(sqlite, calls), commandAckTimeoutMs: 1000 },
    );
    host = await startHost(relay.url, workspace);
    phone = await pairPhone((await host.host.openPairing()).url);
    host.host.close(); // the tests speak for the host on raw sockets
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    phone.close();
    await host.stop();
    await relay.close();
    await sqlite.close();
    calls.length = 0;
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("is sent as it was stored, without reading the inbox back, and deleted once acknowledged", async () => {
    const socket = await hostSocket();
    socket.on("command", (_req, reply) => reply({ ok: true, box: box(7) }));
    calls.length = 0;
    assert.deepEqual(await command("direct"), { ok: true, queued: false, box: box(7) });
    assert.deepEqual(await command("direct-again"), { ok: true, queued: false, box: box(7) });
    assert.equal(reads(), 0, "the inbox was read back");
    assert.deepEqual(
      calls.filter((c) => c !== "touchDevice"),
      ["enqueueCommand", "deleteCommand", "enqueueCommand", "deleteCommand"],
    );
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0);
  });

  it("goes after what waited for the host before it", async () => {
    for (const id of ["old-1", "old-2"]) assert.deepEqual(await command(id), { ok: true, queued: true });
    // Connected, but it has not asked for its inbox yet: the next command must not overtake it.
    const socket = await hostSocket();
    const received: string[] = [];
    socket.on("command", (req, reply) => {
      received.push(req.id);
      reply({ ok: true, box: box(1) });
    });
    calls.length = 0;
    assert.deepEqual(await command("new"), { ok: true, queued: false, box: box(1) });
    assert.deepEqual(received, ["old-1", "old-2", "new"]);
    assert.ok(reads() > 0, "what waited is read from the inbox");
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0);
  });

  it("keeps the order of commands sent at once, while the host takes its time", async () => {
    const socket = await hostSocket();
    const received: CommandForward[] = [];
    socket.on("command", (req, reply) => {
      received.push(req);
      setTimeout(() => reply({ ok: true, box: box(2) }), 20);
    });
    const ids = Array.from({ length: 6 }, (_, i) => `burst-${i}`);
    const answers = await Promise.all(ids.map((id, i) => command(id, i)));
    assert.deepEqual(
      received.map((r) => r.id),
      ids,
    );
    for (const answer of answers) assert.deepEqual(answer, { ok: true, queued: false, box: box(2) });
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0);
  });

  it("stays in the inbox when the host does not acknowledge it", async () => {
    const socket = await hostSocket();
    socket.on("command", () => undefined); // a half-dead link
    assert.deepEqual(await command("unanswered"), { ok: true, queued: true });
    assert.equal(await relay.store.inboxDepth(phone.hostId), 1);
    // The host comes back and asks: it gets it then.
    socket.close();
    const back = await hostSocket();
    const received: string[] = [];
    back.on("command", (req, reply) => {
      received.push(req.id);
      reply({ ok: true, box: box(3) });
    });
    assert.deepEqual(await back.timeout(5000).emitWithAck("inbox:flush", {}), { ok: true });
    assert.deepEqual(received, ["unanswered"]);
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0);
  });
});
