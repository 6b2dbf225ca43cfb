import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ErrorCode, type CommandForward, type LiveForward } from "#protocol";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, once, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";
import { until } from "../support/wait";

const box = (n: number): { e: number; iv: string; ct: string } => ({ e: 1, iv: "A".repeat(16), ct: `C${n}`.padEnd(40, "x") });

describe("relay: command inbox and live events", () => {
  let relay: TestRelay;
  let workspace: string;
  let host: TestHost;
  let phone: PairedPhone;
  const sockets: PhoneSocket[] = [];

  /** The host's own credentials on a raw socket, so a test plays the host's side by hand. */
  const hostSocket = async (): Promise<PhoneSocket> => {
    const credentials = host.identity.credentials(relay.url)!;
    const socket = connect(relay.url, { token: credentials.token });
    sockets.push(socket);
    await connected(socket);
    return socket;
  };
  const command = (id: string, n = 1) =>
    phone.socket.timeout(20_000).emitWithAck("command", { hostId: phone.hostId, id, box: box(n) });

  beforeEach(async () => {
    relay = await startRelay({ commandAckTimeoutMs: 1000 });
    workspace = makeWorkspace({ "README.md": "hello\n" });
    host = await startHost(relay.url, workspace);
    phone = await pairPhone((await host.host.openPairing()).url);
    host.host.close(); // the tests speak for the host on raw sockets
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    phone.close();
    await host.stop();
    await relay.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("keeps commands for an offline host and hands them over in order when it asks", async () => {
    for (const [i, id] of ["c-one", "c-two", "c-three"].entries()) {
      assert.deepEqual(await command(id, i), { ok: true, queued: true });
    }
    assert.equal(await relay.store.inboxDepth(phone.hostId), 3);

    const socket = await hostSocket();
    const received: CommandForward[] = [];
    socket.on("command", (req, reply) => {
      received.push(req);
      reply({ ok: true, box: box(9) });
    });
    const flushed = await socket.timeout(5000).emitWithAck("inbox:flush", {});
    assert.deepEqual(flushed, { ok: true });
    assert.deepEqual(
      received.map((r) => [r.id, r.from, r.box.ct]),
      [
        ["c-one", phone.deviceId, box(0).ct],
        ["c-two", phone.deviceId, box(1).ct],
        ["c-three", phone.deviceId, box(2).ct],
      ],
    );
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0, "acknowledged commands leave the inbox");
  });

  it("answers with the host's sealed reply when the host is online, and passes on a refusal", async () => {
    const socket = await hostSocket();
    socket.on("command", (req, reply) => {
      if (req.id === "refused") reply({ ok: false, code: ErrorCode.BadSeal, message: "the command could not be opened" });
      else reply({ ok: true, box: box(7) });
    });
    assert.deepEqual(await command("applied"), { ok: true, queued: false, box: box(7) });
    const refused = await command("refused");
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.code, ErrorCode.BadSeal);
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0, "a refused command is not delivered again");
  });

  it("checks a host's answer once, the same way for commands and calls: malformed is internal, an unknown code is kept as internal", async () => {
    const socket = await hostSocket();
    const answers: Record<string, unknown> = {
      garbage: { ok: true, box: "not a box" },
      strange: { ok: false, code: "made-up-code", message: "the host's words" },
      missing: { ok: true },
    };
    socket.on("command", (req, reply) => (reply as (a: unknown) => void)(answers[req.id]));
    socket.on("rpc", (req, reply) => (reply as (a: unknown) => void)(answers[req.id]));
    for (const id of Object.keys(answers)) {
      const viaCommand = await command(id);
      const viaCall = await phone.socket.timeout(5000).emitWithAck("rpc", { hostId: phone.hostId, id, box: box(1) });
      for (const answer of [viaCommand, viaCall]) {
        assert.equal(answer.ok, false, id);
        assert.equal(!answer.ok && answer.code, ErrorCode.Internal, id);
      }
      const message = !viaCall.ok ? viaCall.message : "";
      assert.equal(message, id === "strange" ? "the host's words" : "The computer sent a malformed answer.");
    }
  });

  it("sends commands and calls to the host's newest connection only, so a silent older one holds nothing up", async () => {
    const stale = await hostSocket();
    const staleSaw: string[] = [];
    stale.on("command", (req) => staleSaw.push(req.id)); // never answers, like a half-dead link
    stale.on("rpc", (req) => staleSaw.push(req.id));
    // A clock gap: the relay orders a host's sockets by the millisecond they connected.
    await new Promise((r) => setTimeout(r, 5));
    const fresh = await hostSocket();
    fresh.on("command", (_req, reply) => reply({ ok: true, box: box(5) }));
    fresh.on("rpc", (_req, reply) => reply({ ok: true, box: box(6) }));

    assert.deepEqual(await command("to-newest"), { ok: true, queued: false, box: box(5) });
    const call = await phone.socket.timeout(5000).emitWithAck("rpc", { hostId: phone.hostId, id: "call-1", box: box(1) });
    assert.deepEqual(call, { ok: true, box: box(6) });
    assert.deepEqual(staleSaw, [], "the older connection is not asked");
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0);

    // Once the newest is gone, the one left takes over.
    const freshId = fresh.id!;
    fresh.close();
    stale.removeAllListeners("command");
    stale.on("command", (_req, reply) => reply({ ok: true, box: box(8) }));
    await until("the relay to see the newest connection gone", () => !relay.io.of("/").sockets.has(freshId));
    assert.deepEqual(await command("to-remaining"), { ok: true, queued: false, box: box(8) });
  });

  it("stores a repeated id once while it waits", async () => {
    await command("same", 1);
    await command("same", 1);
    assert.equal(await relay.store.inboxDepth(phone.hostId), 1);
  });

  it("keeps a command whose delivery the host did not acknowledge", async () => {
    const socket = await hostSocket();
    socket.on("command", () => socket.disconnect()); // gone before answering
    assert.deepEqual(await command("lost"), { ok: true, queued: true });
    assert.equal(await relay.store.inboxDepth(phone.hostId), 1);
  });

  it("refuses commands for hosts the phone is not paired with, and host-only events from phones", async () => {
    const other = await phone.socket.timeout(5000).emitWithAck("command", { hostId: "someone-else", id: "x", box: box(1) });
    assert.equal(!other.ok && other.code, ErrorCode.Forbidden);
    const flush = await phone.socket.timeout(5000).emitWithAck("inbox:flush", {});
    assert.equal(!flush.ok && flush.code, ErrorCode.Forbidden);
    const live = await phone.socket.timeout(5000).emitWithAck("live:publish", { threadId: "t", n: 1, box: box(1) });
    assert.equal(!live.ok && live.code, ErrorCode.Forbidden);
    const junk = await phone.socket.timeout(5000).emitWithAck("command", { hostId: phone.hostId } as never);
    assert.equal(!junk.ok && junk.code, ErrorCode.BadRequest);
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0);
  });

  it("fans live events out to the host's phones without storing them", async () => {
    const socket = await hostSocket();
    const arrived = once(phone.socket, "live");
    assert.deepEqual(await socket.timeout(5000).emitWithAck("live:publish", { threadId: "thread-1", n: 42, box: box(3) }), {
      ok: true,
    });
    const live: LiveForward = await arrived;
    assert.deepEqual(live, { hostId: phone.hostId, threadId: "thread-1", n: 42, box: box(3) });
    const page = await phone.socket.timeout(5000).emitWithAck("sync", { hostId: phone.hostId, cursors: {} });
    assert.equal(page.ok && page.events.length, 0);
  });
});
