// Two relay processes from dist/ sharing one real redis-server (`--redis`), each behind a TCP
// proxy that fails over to the other, as a load balancer would: the host connects through one
// (relay A first), the phone through the other (relay B first). A phone paired through B with
// a host on A runs a task with an approval; then relays are killed with SIGKILL in the middle
// of runs, and the clients move to the relay that lives and finish with exactly the host's
// events; last, a relay dies under a host that cannot come back, and the phone on the other
// relay is told the host is offline.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomId, type HostPresence } from "#protocol";
import { startFailoverProxy, type FailoverProxy } from "../support/failoverProxy";
import { startFakeOpenAI, type FakeModelServer, type FakeStep, type OpenAIBody } from "../support/fakeModels";
import { connect, connected, once, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { freePort, start, type Proc } from "../support/processes";
import { startRedis, type TestRedis } from "../support/redisServer";
import { assertSameAsHost, catchUp, catchUpTo, hostEvents, hostEventsDone, merge } from "../support/threadSync";
import { makeWorkspace } from "../support/workspace";
import { until as untilTrue } from "../support/wait";

const DIST = join(__dirname, "..", "..", "dist");
const TICKS = "for i in 1 2 3 4 5 6; do echo tick-$i; sleep 0.5; done\n";

/** A task that runs a three-second command, writes a file, runs it again and finishes. */
function ticking(tag: string): FakeStep<OpenAIBody>[] {
  return [
    { text: `Ticking for ${tag}.`, toolCalls: [{ name: "run_command", args: { command: "sh tick.sh" } }] },
    { toolCalls: [{ name: "write_file", args: { path: `out-${tag}.txt`, content: `${tag}\n` } }] },
    { toolCalls: [{ name: "run_command", args: { command: "sh tick.sh" } }] },
    { toolCalls: [{ name: "finish", args: { summary: `Wrote out-${tag}.txt.` } }] },
  ];
}

const count = (text: string, pattern: RegExp): number => text.match(new RegExp(pattern.source, "g"))?.length ?? 0;

/** Waits for `check`, and says when it first held (ms), for the figures this suite reports. */
async function until(what: string, check: () => boolean, ms = 30_000): Promise<number> {
  await untilTrue(what, check, ms);
  return Date.now();
}

describe("relays sharing Redis (processes)", function () {
  this.timeout(120_000);
  let redis: TestRedis;
  let tmp: string;
  let workspace: string;
  let model: FakeModelServer<OpenAIBody>;
  const ports = { a: 0, b: 0 };
  const relays: { a?: Proc; b?: Proc } = {};
  let toA: FailoverProxy;
  let toB: FailoverProxy;
  let host: Proc;
  let phone: PairedPhone;
  const sockets: PhoneSocket[] = [];

  const startRelayProc = (name: "a" | "b"): Promise<RegExpMatchArray> => {
    const proc = start("node", [
      join(DIST, "relay.js"),
      "--port",
      String(ports[name]),
      "--redis",
      redis.url,
      "--data-dir",
      join(tmp, `relay-${name}`),
      "--log-format",
      "json",
    ]);
    relays[name] = proc;
    return proc.waitFor(/listening on (http:\/\/\S+)/);
  };
  const kill = async (name: "a" | "b"): Promise<number> => {
    const proc = relays[name]!;
    const exited = new Promise((r) => proc.child.once("exit", r));
    const at = Date.now();
    process.kill(-proc.child.pid!, "SIGKILL");
    await exited;
    return at;
  };
  const hostConnects = (): number => count(host.output(), /connected to the relay/);
  /** A phone socket as the app opens one after its connection dropped: through its proxy. */
  const reconnectPhone = async (): Promise<PhoneSocket> => {
    const socket = connect(toB.url, { token: phone.token });
    sockets.push(socket);
    const hello = once(socket, "hello");
    await connected(socket);
    await hello;
    return socket;
  };
  const hostStore = (threadId: string) => hostEvents(join(tmp, "host"), workspace, threadId);
  /** A catch-up that goes on until the phone has all the host wrote (its last events may still be on their way). */
  const catchUpAll = async (socket: PhoneSocket, threadId: string, held: Map<number, string>): Promise<number> => {
    const hostSide = await hostEventsDone(join(tmp, "host"), workspace, threadId);
    return catchUpTo(socket, phone, threadId, held, hostSide.at(-1)!.seq);
  };

  before(async () => {
    if (!existsSync(join(DIST, "host.js")) || !existsSync(join(DIST, "relay.js"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    redis = await startRedis();
    tmp = mkdtempSync(join(tmpdir(), "tether-cluster-"));
    workspace = realpathSync(makeWorkspace({ "tick.sh": TICKS, "src/limits.js": "export const perMinute = 10;\n" }));
    ports.a = await freePort();
    ports.b = await freePort();
    await Promise.all([startRelayProc("a"), startRelayProc("b")]);
    toA = await startFailoverProxy([ports.a, ports.b]);
    toB = await startFailoverProxy([ports.b, ports.a]);
    model = await startFakeOpenAI([
      { text: "Reading the limits.", toolCalls: [{ name: "read_file", args: { path: "src/limits.js" } }] },
      { toolCalls: [{ name: "edit_file", args: { path: "src/limits.js", old_text: "= 10", new_text: "= 5" } }] },
      { toolCalls: [{ name: "run_command", args: { command: "echo across-relays", reason: "prove it runs" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "Lowered the limit." } }] },
      ...ticking("kill-a"),
      ...ticking("kill-b"),
    ]);
    host = start(
      "node",
      [
        join(DIST, "host.js"),
        ...["--relay", toA.url, "--folder", workspace, "--name", "cluster", "--state-dir", join(tmp, "host")],
        ...["--model", "openai:cluster-model", "--base-url", model.url, "--mode", "auto-edit", "--allow", "sh tick.sh"],
        ...["--pair", "--accept-pairing", "--no-keep-awake"],
      ],
      { env: { OPENAI_API_KEY: "", TETHER_MODEL: "" } },
    );
    const link = (await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
    // The host's link names its own way in; the phone comes in through the other.
    phone = await pairPhone(link.replace(toA.url, toB.url), "cluster phone");
  });

  after(async () => {
    for (const s of sockets.splice(0)) s.close();
    phone?.close();
    if (host) {
      try {
        process.kill(-host.child.pid!, "SIGCONT");
      } catch {
        // not running
      }
      await host.stop();
    }
    await relays.a?.stop();
    await relays.b?.stop();
    await toA?.close();
    await toB?.close();
    await model?.close();
    await redis?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("pairs a phone on relay B with a host on relay A, and runs a task with an approval across them", async () => {
    assert.match(relays.a!.output(), /"msg":"host connected"/);
    assert.doesNotMatch(relays.b!.output(), /"msg":"host connected"/, "the host is on A only");
    assert.match(relays.b!.output(), /"msg":"phone connected"/);
    assert.doesNotMatch(relays.a!.output(), /"msg":"phone connected"/, "the phone is on B only");
    assert.deepEqual(
      phone.hello.hosts.map((h) => h.online),
      [true],
    );
    const listing = await phone.call({ type: "list-dir", path: "src" });
    assert.ok(listing.ok && listing.result.type === "list-dir");

    const started = Date.now();
    const threadId = randomId(12);
    const sent = await phone.send({ type: "new-task", threadId, text: "Lower the limit" });
    assert.equal(sent.queued, false, "delivered to the host on the other relay at once");
    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested", 30_000);
    assert.ok(asked.type === "approval-requested" && asked.command === "echo across-relays");
    await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve" });
    const end = await phone.waitFor(threadId, (e) => e.type === "status" && ["done", "failed"].includes(e.status), 30_000);
    assert.ok(end.type === "status" && end.status === "done", JSON.stringify(end));
    assert.equal(readFileSync(join(workspace, "src", "limits.js"), "utf8"), "export const perMinute = 5;\n");
    await host.waitFor(/"Lower the limit" done/);

    const held = new Map<number, string>();
    merge(held, phone.events(threadId));
    const pushed = held.size;
    await catchUpAll(phone.socket, threadId, held);
    assertSameAsHost(held, hostStore(threadId));
    console.log(`      ${held.size} events (${pushed} pushed live from A through B) in ${Date.now() - started} ms`);

    // Blind relays: Redis holds none of the task, the file, the command or its output.
    const stored = (await redis.dump()).toString("latin1");
    assert.ok(stored.includes(phone.hostId), "the dump is readable (it names the host)");
    for (const marker of ["Lower the limit", "limits.js", "perMinute", "across-relays", "cluster phone"]) {
      assert.ok(!stored.includes(marker), `Redis holds "${marker}"`);
      for (const relay of [relays.a!, relays.b!]) assert.ok(!relay.output().includes(marker), `a relay logged "${marker}"`);
    }
  });

  it("SIGKILL on the host's relay mid-run: the host moves to B through its proxy and the run goes on", async () => {
    const threadId = randomId(12);
    await phone.send({ type: "new-task", threadId, text: "Tick while A dies" });
    await phone.waitFor(threadId, (e) => e.type === "tool-call" && e.tool === "run_command", 30_000);
    const before = hostConnects();
    const pushedBefore = phone.events(threadId).length;
    const liveBefore = phone.live.length;
    const killedAt = await kill("a");
    const hostBackAt = await until("the host on relay B", () => hostConnects() > before);
    const nextLiveAt = await until("live output after the kill", () => phone.live.length > liveBefore);
    const nextEventAt = await until("an event after the kill", () => phone.events(threadId).length > pushedBefore);
    await host.waitFor(/"Tick while A dies" done/, 60_000);
    await phone.waitFor(threadId, (e) => e.type === "status" && e.status === "done", 30_000);
    assert.match(relays.b!.output(), /"msg":"host connected"/, "the host is on B now");

    const held = new Map<number, string>();
    merge(held, phone.events(threadId));
    const pushed = held.size;
    const caughtUp = await catchUpAll(phone.socket, threadId, held);
    const hostSide = hostStore(threadId);
    assertSameAsHost(held, hostSide);
    console.log(
      `      SIGKILL A at +0 ms; host connected to B at +${hostBackAt - killedAt} ms; on the phone, live output again at ` +
        `+${nextLiveAt - killedAt} ms, the next stored event at +${nextEventAt - killedAt} ms; ` +
        `${hostSide.length} events on the host, ${pushed} pushed live, ${caughtUp} caught up, identical`,
    );
  });

  it("SIGKILL on the relay both are on: host and phone move to A, and the phone catches up", async () => {
    await startRelayProc("a"); // A is back; both clients are still on B
    const threadId = randomId(12);
    await phone.send({ type: "new-task", threadId, text: "Tick while B dies" });
    await phone.waitFor(threadId, (e) => e.type === "tool-call" && e.tool === "run_command", 30_000);
    const before = hostConnects();
    const held = new Map<number, string>();
    const dropped = new Promise<void>((resolve) => phone.socket.once("disconnect", () => resolve()));
    const killedAt = await kill("b");
    await dropped;
    merge(held, phone.events(threadId));
    const pushed = held.size;
    const socket = await reconnectPhone();
    const phoneBackAt = Date.now();
    await catchUp(socket, phone, threadId, held);
    const hostBackAt = await until("the host on relay A", () => hostConnects() > before);
    await host.waitFor(/"Tick while B dies" done/, 60_000);
    const caughtUp = await catchUpAll(socket, threadId, held);
    const hostSide = hostStore(threadId);
    assertSameAsHost(held, hostSide);
    const last = JSON.parse(held.get(Math.max(...held.keys()))!) as { type: string; status?: string };
    assert.deepEqual([last.type, last.status], ["status", "done"]);
    console.log(
      `      SIGKILL B at +0 ms; phone connected to A at +${phoneBackAt - killedAt} ms, host at +${hostBackAt - killedAt} ms; ` +
        `${hostSide.length} events on the host, ${pushed} pushed live before, the rest caught up (${caughtUp} in the last catch-up), identical`,
    );
  });

  it("tells the phone its host went offline when the host's relay dies and the host cannot come back", async () => {
    await startRelayProc("b");
    const socket = await reconnectPhone(); // through its proxy: to B again
    const presence: (HostPresence & { at: number })[] = [];
    socket.on("presence", (p) => presence.push({ ...p, at: Date.now() }));
    // The host, on A, is frozen (a laptop lid closed), and A dies: nobody runs a disconnect for it.
    process.kill(-host.child.pid!, "SIGSTOP");
    const killedAt = await kill("a");
    const offlineAt = await until("the host offline", () => presence.some((p) => !p.online), 20_000);
    const before = hostConnects();
    const wokeAt = Date.now();
    process.kill(-host.child.pid!, "SIGCONT");
    await until("the host back", () => hostConnects() > before);
    const onlineAt = await until("the host online", () => presence.at(-1)?.online === true, 20_000);
    const offline = presence.find((p) => !p.online)!;
    assert.ok(offline.lastSeen <= killedAt, "last seen: the dead relay's last heartbeat");
    console.log(
      `      relay A killed under a frozen host: the phone on B heard "offline" after ${offlineAt - killedAt} ms, ` +
        `"online" ${onlineAt - wokeAt} ms after the host woke`,
    );
  });
});
