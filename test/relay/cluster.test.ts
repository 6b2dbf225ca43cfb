// Two relays in this process sharing one real Redis (`--redis`): a phone connected to one and
// its host to the other work as they would on one relay. Pairing, calls, commands, events,
// records, live output, presence and revocation all cross from one relay to the other; a
// host's inbox flushed by both at once still reaches the host in order, each command applied
// once. (test/e2e/relayCluster.e2e.test.ts does the same with processes, and kills one.)

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ErrorCode, randomId, seal, sealContext, type CommandForward, type StoredEvent } from "#protocol";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, once, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { startRedis, type TestRedis } from "../support/redisServer";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";
import { until } from "../support/wait";

const raw = (n: number) => ({ e: 1, iv: "A".repeat(16), ct: `C${n}`.padEnd(40, "x") });

describe("relays sharing Redis", function () {
  this.timeout(30_000);
  let redis: TestRedis;
  let a: TestRelay;
  let b: TestRelay;
  let workspace: string;
  let host: TestHost;
  let phone: PairedPhone;
  const sockets: PhoneSocket[] = [];

  const rawSocket = async (url: string, token: string): Promise<PhoneSocket> => {
    const socket = connect(url, { token });
    sockets.push(socket);
    await connected(socket);
    return socket;
  };
  /** The host's own token on a raw socket, so a test plays the host by hand. */
  const hostSocket = (url: string) => rawSocket(url, host.identity.credentials(a.url)!.token);

  before(async () => (redis = await startRedis()));
  after(() => redis?.stop());

  beforeEach(async () => {
    const redisPrefix = `t${randomId(6)}:`;
    const config = { redis: redis.url };
    a = await startRelay({ config, redisPrefix, commandAckTimeoutMs: 2000 });
    b = await startRelay({ config, redisPrefix, commandAckTimeoutMs: 2000 });
    workspace = makeWorkspace({ "README.md": "hello\n" });
    host = await startHost(a.url, workspace);
    // The link names relay A; the phone opens it on relay B.
    const link = (await host.host.openPairing()).url.replace(a.url, b.url);
    phone = await pairPhone(link, "Pixel 8");
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    phone.close();
    await host.stop();
    await a.stop();
    await b.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("pairs a phone on one relay with a host on the other, and carries calls, events and records between them", async () => {
    assert.equal(host.host.phones[0]?.name, "Pixel 8");
    assert.deepEqual(
      phone.hello.hosts.map((h) => [h.hostId, h.online]),
      [[phone.hostId, true]],
    );
    const root = await phone.call({ type: "list-dir", path: "" });
    assert.ok(root.ok && root.result.type === "list-dir");
    assert.deepEqual(root.ok && root.result.type === "list-dir" && root.result.entries.map((e) => e.name), ["README.md"]);

    // Published on A, in the order sent: events, with live output and records in between. (A
    // raw socket watches: these are not thread events the phone's own socket could open.)
    phone.close();
    const watcher = await rawSocket(b.url, phone.token);
    const seen: string[] = [];
    watcher.on("event", (e) => seen.push(`event ${e.seq}`));
    watcher.on("record", (r) => seen.push(`record ${r.key}`));
    watcher.on("live", (l) => seen.push(`live ${l.n}`));
    const key = host.identity.contentKey()!;
    const hostId = phone.hostId;
    const sent: Promise<unknown>[] = [];
    const expected: string[] = [];
    for (let seq = 1; seq <= 20; seq++) {
      const box = await seal(key, host.identity.epoch, { seq }, sealContext.event(hostId, "t1", seq));
      sent.push(host.host.link.request("event:publish", { threadId: "t1", seq, box }));
      expected.push(`event ${seq}`);
      if (seq % 5 === 0) {
        sent.push(host.host.link.request("live:publish", { threadId: "t1", n: seq, box }));
        expected.push(`live ${seq}`);
        sent.push(host.host.link.request("record:put", { key: `t-x${seq}`, box }));
        expected.push(`record t-x${seq}`);
      }
    }
    await Promise.all(sent);
    await until("everything forwarded", () => seen.length === expected.length);
    assert.deepEqual(seen, expected, "B forwards what the host sent to A, in the order sent");
    const page = await watcher.timeout(5000).emitWithAck("sync", { hostId, cursors: { t1: 15 } });
    assert.deepEqual(page.ok && page.events.map((e: StoredEvent) => e.seq), [16, 17, 18, 19, 20]);
  });

  it("delivers a phone's command through the other relay with the host's reply, or keeps it while the host is away", async () => {
    host.host.close();
    await until(
      "the host offline",
      async () => !(await phone.socket.timeout(5000).emitWithAck("rpc", { hostId: phone.hostId, id: "x", box: raw(0) })).ok,
    );
    const command = (id: string) =>
      phone.socket.timeout(20_000).emitWithAck("command", { hostId: phone.hostId, id, box: raw(1) });
    assert.deepEqual(await command("queued-1"), { ok: true, queued: true });
    assert.equal(await a.store.inboxDepth(phone.hostId), 1, "one inbox, whichever relay reads it");

    const socket = await hostSocket(a.url);
    const received: string[] = [];
    socket.on("command", (req: CommandForward, reply) => {
      received.push(req.id);
      reply(req.id === "refused" ? { ok: false, code: ErrorCode.BadSeal, message: "no" } : { ok: true, box: raw(9) });
    });
    assert.deepEqual(await socket.timeout(5000).emitWithAck("inbox:flush", {}), { ok: true });
    assert.deepEqual(await command("live-1"), { ok: true, queued: false, box: raw(9) });
    const refused = await command("refused");
    assert.equal(!refused.ok && refused.code, ErrorCode.BadSeal);
    assert.deepEqual(received, ["queued-1", "live-1", "refused"]);
    assert.equal(await b.store.inboxDepth(phone.hostId), 0);
  });

  it("hands a host its inbox in order, each command applied once, when both relays flush it at once", async () => {
    host.host.close();
    const ids = Array.from({ length: 8 }, (_, i) => `c${i}`);
    for (const id of ids.slice(0, 6)) {
      await phone.socket.timeout(20_000).emitWithAck("command", { hostId: phone.hostId, id, box: raw(1) });
    }
    // The host comes back on A while the phone, on B, sends two more: A and B both flush.
    const socket = await hostSocket(a.url);
    const arrivals: string[] = [];
    const applied: string[] = [];
    socket.on("command", (req: CommandForward, reply) => {
      arrivals.push(req.id);
      // What the host does: apply an id once, answer a repeat as the first time.
      if (!applied.includes(req.id)) applied.push(req.id);
      setTimeout(() => reply({ ok: true, box: raw(applied.indexOf(req.id)) }), 5);
    });
    const late = ids
      .slice(6)
      .map((id) => phone.socket.timeout(20_000).emitWithAck("command", { hostId: phone.hostId, id, box: raw(1) }));
    await socket.timeout(10_000).emitWithAck("inbox:flush", {});
    const answers = await Promise.all(late);
    await until("the inbox empty", async () => (await a.store.inboxDepth(phone.hostId)) === 0);
    assert.deepEqual(applied, ids, "first arrivals in the order the relay took them");
    for (const [i, answer] of answers.entries()) {
      assert.ok(answer.ok);
      if (answer.ok && !answer.queued) assert.deepEqual(answer.box, raw(6 + i), "the reply of the one application");
    }
    console.log(`      ${arrivals.length} deliveries for ${ids.length} commands (${arrivals.length - ids.length} repeated)`);
  });

  it("sends a command through one relay to the host's newer socket on the other at once, while its older one there has not timed out", async () => {
    host.host.close();
    // The host's old connection on A: still open, as one whose network went away before it
    // could close, and never answering.
    const old = await hostSocket(a.url);
    const toOld: string[] = [];
    old.on("command", (req: CommandForward) => toOld.push(req.id));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const moved = await hostSocket(b.url);
    const toMoved: string[] = [];
    moved.on("command", (req: CommandForward, reply) => {
      toMoved.push(req.id);
      reply({ ok: true, box: raw(9) });
    });
    const phoneOnA = await rawSocket(a.url, phone.token);
    const started = Date.now();
    const answer = await phoneOnA.timeout(10_000).emitWithAck("command", { hostId: phone.hostId, id: "moved-1", box: raw(1) });
    const tookMs = Date.now() - started;
    assert.deepEqual(answer, { ok: true, queued: false, box: raw(9) }, "the host's reply, not queued behind the old socket");
    assert.ok(tookMs < 1000, `answered in ${tookMs} ms; the acknowledgement timeout is 2000 ms`);
    assert.deepEqual(toMoved, ["moved-1"]);
    assert.deepEqual(toOld, []);
    console.log(`      answered through the other relay in ${tookMs} ms`);
  });

  it("tells each side when the other comes and goes", async () => {
    const hostSide = await hostSocket(a.url);
    const phonePresence: boolean[] = [];
    hostSide.on("phone:presence", (p) => p.deviceId === phone.deviceId && phonePresence.push(p.online));
    const second = connect(b.url, { token: phone.token });
    sockets.push(second);
    const greeted = once(second, "hello");
    await connected(second);
    await greeted;
    second.close();
    phone.close();
    await until("the phone offline on A", () => phonePresence.at(-1) === false);
    assert.deepEqual(phonePresence, [true, false], "online while either socket is; offline once both are gone");

    const watcher = await rawSocket(b.url, phone.token);
    const gone = once(watcher, "presence");
    host.host.close();
    hostSide.close();
    assert.equal((await gone).online, false);
    const back = once(watcher, "presence");
    await hostSocket(a.url);
    assert.equal((await back).online, true);
    const listed = await (await hostSocket(a.url)).timeout(5000).emitWithAck("phones:list", {});
    assert.deepEqual(listed.ok && listed.phones.map((p: { deviceId: string; online: boolean }) => [p.deviceId, p.online]), [
      [phone.deviceId, true],
    ]);
  });

  it("tells the other relay who is connected without a device's token", async () => {
    // Relay A asks Redis for the phone's sockets, which are on B: B answers with their handshakes.
    const [remote, ...more] = await a.io.in(`device:${phone.deviceId}`).fetchSockets();
    assert.ok(remote && more.length === 0, "the phone's one socket, found on the other relay");
    assert.equal(remote.data.device?.id, phone.deviceId);
    assert.ok(remote.handshake.address, "where it came from is still told");
    const told = JSON.stringify({ handshake: remote.handshake, data: remote.data, rooms: [...remote.rooms] });
    assert.ok(!told.includes(phone.token), "the bearer token went over Redis");
    assert.deepEqual(remote.handshake.auth, {});
  });

  it("cuts a phone on one relay off at once when its host on the other revokes it", async () => {
    const unpaired = once(phone.socket, "unpaired");
    const closed = new Promise<void>((resolve) => phone.socket.once("disconnect", () => resolve()));
    await host.host.revokePhone(phone.deviceId);
    assert.deepEqual(await unpaired, { hostId: phone.hostId, by: "host" });
    await closed;
    for (const url of [a.url, b.url]) {
      const again = connect(url, { token: phone.token });
      await assert.rejects(connected(again), (err: { data?: { code: string } }) => err.data?.code === ErrorCode.Unauthorized);
      again.close();
    }
  });

  it("gives one token when two relays take the same pairing decision at once", async () => {
    host.host.close(); // its two sockets are played by hand, one on each relay
    const onA = await hostSocket(a.url);
    const onB = await hostSocket(b.url);
    const slot = await onA.timeout(5000).emitWithAck("pair:open", {});
    assert.ok(slot.ok);
    const slotId = slot.ok ? slot.slotId : "";
    const joiner = connect(b.url);
    sockets.push(joiner);
    await connected(joiner);
    const requested = once(onA, "pair:request");
    const result = once(joiner, "pair:result");
    const join = { slotId, phoneKey: phone.publicKey, hello: raw(1), proof: "p".repeat(43) };
    assert.deepEqual(await joiner.timeout(5000).emitWithAck("pair:join", join), { ok: true });
    await requested;
    const decide = { slotId, accept: true as const, grant: raw(2) };
    const decisions = await Promise.all([
      onA.timeout(5000).emitWithAck("pair:decide", decide),
      onB.timeout(5000).emitWithAck("pair:decide", decide),
    ]);
    assert.deepEqual(decisions.map((d) => (d.ok ? "ok" : d.code)).sort(), ["ok", ErrorCode.SlotUsed]);
    const outcome = await result;
    assert.ok(outcome.ok && outcome.token, "the phone on B gets its token from whichever relay decided");
  });
});
