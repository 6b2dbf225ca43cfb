// Every event a client sends goes through one table and one listener shared by all sockets:
// each gets the typed answer its role and name call for, and a connection holds no handler
// of its own.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ErrorCode } from "#protocol";
import type { TetherSocket } from "../../relay/socket/types";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";

type Answer = { ok: boolean; code?: string; message?: string };

/** Emits any event name with any arguments, as a hostile client could. */
function ask(socket: PhoneSocket, event: string, ...args: unknown[]): Promise<Answer> {
  const raw = socket as unknown as { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<Answer> } };
  return raw.timeout(5_000).emitWithAck(event, ...args);
}

describe("relay: one event table for every socket", () => {
  let relay: TestRelay;
  let workspace: string;
  let host: TestHost;
  let phone: PairedPhone;
  const sockets: PhoneSocket[] = [];

  const open = async (auth: { token?: string } = {}): Promise<PhoneSocket> => {
    const socket = connect(relay.url, auth);
    sockets.push(socket);
    await connected(socket);
    return socket;
  };
  /** The relay's side of every connected socket of a device. */
  const serverSockets = (deviceId: string): TetherSocket[] =>
    [...relay.io.of("/").sockets.values()].filter((s) => s.data.device?.id === deviceId);

  before(async () => {
    relay = await startRelay();
    workspace = makeWorkspace({ "README.md": "hello\n" });
    host = await startHost(relay.url, workspace);
    phone = await pairPhone((await host.host.openPairing()).url);
  });

  after(async () => {
    for (const s of sockets.splice(0)) s.close();
    phone?.close();
    await host?.stop();
    await relay?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("answers an event a role may not send, and an unknown one, with typed failures", async () => {
    const anonymous = await open();
    assert.equal((await ask(anonymous, "sync", { hostId: phone.hostId, cursors: {} })).code, ErrorCode.Unauthorized);
    assert.equal((await ask(anonymous, "no:such-event", {})).code, ErrorCode.BadRequest);

    assert.equal((await ask(phone.socket, "event:publish", { threadId: "t1", seq: 1, box: {} })).code, ErrorCode.Forbidden);
    assert.equal((await ask(phone.socket, "push:send", {})).code, ErrorCode.Forbidden);
    assert.equal((await ask(phone.socket, "host:register", {})).code, ErrorCode.Forbidden);
    for (const name of ["no:such-event", "__proto__", "constructor", "hasOwnProperty", "error"]) {
      const answer = await ask(phone.socket, name, {});
      assert.equal(answer.code, ErrorCode.BadRequest, `${name}: ${JSON.stringify(answer)}`);
    }
    // One payload and the acknowledgement, no more and no less.
    assert.equal((await ask(phone.socket, "sync")).code, ErrorCode.BadRequest);
    assert.equal((await ask(phone.socket, "sync", { hostId: phone.hostId, cursors: {} }, 2)).code, ErrorCode.BadRequest);

    // A phone signed in by token still joins pairings, as an anonymous socket does.
    const join = await ask(phone.socket, "pair:join", { slotId: "nope" });
    assert.equal(join.code, ErrorCode.BadRequest, JSON.stringify(join));
    assert.ok(!/not allowed/.test(join.message ?? ""), join.message);

    // And what it may send still works.
    const page = await ask(phone.socket, "sync", { hostId: phone.hostId, cursors: {} });
    assert.equal(page.ok, true, JSON.stringify(page));
  });

  it("stays up when a client sends an `error` event of its own", async () => {
    const anonymous = await open();
    (anonymous as unknown as { emit(e: string, p: unknown): void }).emit("error", null);
    (phone.socket as unknown as { emit(e: string, p: unknown): void }).emit("error", { message: "not from the relay" });
    assert.equal((await ask(anonymous, "no:such-event", {})).code, ErrorCode.BadRequest);
    assert.equal((await fetch(`${relay.url}/healthz`)).status, 200);
    assert.ok(!relay.logs.some((l) => l.includes("not from the relay")), "a client's words reached the log");
  });

  it("gives every phone socket the same listeners, none made for it", async () => {
    const second = connect(relay.url, { token: phone.token });
    sockets.push(second);
    // Its rooms are joined after it connected.
    await Promise.all([connected(second), new Promise<void>((resolve) => second.once("hello", () => resolve()))]);
    const [a, b] = serverSockets(phone.deviceId);
    assert.ok(a && b, "two sockets of the phone");
    for (const s of [a, b]) {
      assert.equal(s.listenersAny().length, 1, "one listener for every event the phone sends");
      assert.deepEqual(
        s.eventNames().filter((e) => typeof e === "string"),
        ["error", "disconnect"],
      );
      // Socket.IO's own no-op for `error`, and the relay's one for `disconnect`.
      assert.equal(s.listenerCount("error"), 1);
      assert.equal(s.listenerCount("disconnect"), 1);
    }
    assert.equal(a.listenersAny(), b.listenersAny(), "the sockets share one array of any-listeners");
    // Shared, it is frozen: a listener added to one socket would have reached every other.
    assert.throws(() => a.onAny(() => undefined), TypeError);
    assert.equal(b.listenersAny().length, 1);
    assert.deepEqual(a.listeners("disconnect"), b.listeners("disconnect"), "the disconnect listeners are shared");
    // A host's socket gets the same event listener, and no handler of its own either.
    const [hostSide] = serverSockets(phone.hostId);
    assert.equal(hostSide?.listenersAny()[0], a.listenersAny()[0]);
    assert.equal(hostSide?.listenerCount("disconnect"), 1);
  });
});
