// Commands through a relay that misbehaves on purpose (test/support/rogueRelay.ts): it sits
// between the real relay and every client and re-addresses, holds back, reorders and replays
// what the relay sends the host, and forwards for a phone the real relay has revoked. The host
// runs the agent with a scripted model, so a command that slipped through would show: a thread
// that should not exist, an approval decided, a steering message applied twice.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ErrorCode, PAIRWISE_EPOCH, randomId, seal, sealContext, type Box, type Command, type CommandForward } from "#protocol";
import { CLOCK_SKEW_MS, COMMAND_MAX_AGE_MS, REMEMBER_APPLIED_MS } from "../../extension/core/commands/commandServer";
import { startAgentHost, type AgentHost } from "../support/agentHost";
import { startFakeOpenAI, type FakeModelServer, type FakeTurn, type OpenAIBody } from "../support/fakeModels";
import { memoryLog, type LogEntry } from "../support/host";
import { pairPhone, type PairedPhone } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { startRogueRelay, type RogueRelay } from "../support/rogueRelay";
import { makeWorkspace } from "../support/workspace";
import { until } from "../support/wait";

const call = (name: string, args: object): FakeTurn => ({ toolCalls: [{ name, args }] });
const finish = (summary: string): FakeTurn => call("finish", { summary });

/** A command as a phone seals it, with any key: the phone's own, or one a forger holds. */
async function sealed(
  key: CryptoKey,
  epoch: number,
  hostId: string,
  from: string,
  id: string,
  command: Command,
  sentAt = Date.now(),
) {
  return seal(key, epoch, { sentAt, command }, sealContext.command(hostId, from, id));
}

describe("commands through a relay that misbehaves", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let rogue: RogueRelay;
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let host: AgentHost;
  let log: ReturnType<typeof memoryLog>;
  /** How far the host's clock runs ahead of the real one. */
  let ahead = 0;
  let pixel: PairedPhone;
  let ipad: PairedPhone;

  const refusals = (): LogEntry["fields"][] =>
    log.entries.filter((e) => e.level === "warn" && /^refused a (command|call)$/.test(e.message)).map((e) => e.fields);
  const pending = (threadId: string): number => host.threads.summary(host.threads.get(threadId)!).pending.length;
  const forward = (from: string, id: string, box: Box): CommandForward => ({ from, id, box, at: Date.now() });

  /** A task of Pixel's that waits for a decision on `echo hi`. */
  async function waitingApproval(): Promise<{ threadId: string; approvalId: string }> {
    model.push(call("run_command", { command: "echo hi", reason: "greet" }), finish("Said hi."));
    const threadId = randomId(12);
    await pixel.send({ type: "new-task", threadId, text: "Say hi", mode: "ask" });
    const asked = await pixel.waitFor(threadId, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested");
    return { threadId, approvalId: asked.approvalId };
  }

  beforeEach(async () => {
    ahead = 0;
    relay = await startRelay();
    rogue = await startRogueRelay(relay.url);
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "# api\n" });
    log = memoryLog();
    host = await startAgentHost({
      relay: rogue.url,
      folder: workspace,
      modelUrl: model.url,
      mode: "ask",
      log,
      now: () => Date.now() + ahead,
    });
    pixel = await pairPhone((await host.host.openPairing()).url, "Pixel 8");
    ipad = await pairPhone((await host.host.openPairing()).url, "iPad");
  });

  afterEach(async () => {
    pixel.close();
    ipad.close();
    await host.stop();
    await rogue.close();
    await model.close();
    await relay.stop();
    rmSync(host.stateDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("refuses a phone's command or call re-addressed as another phone's, and applies nothing", async () => {
    const { threadId, approvalId } = await waitingApproval();
    rogue.rewrite = (event, payload) =>
      event === "command" || event === "rpc" ? { ...(payload as CommandForward), from: ipad.deviceId } : payload;

    await assert.rejects(pixel.send({ type: "decide", threadId, approvalId, decision: "approve" }), (e: { code?: string }) => {
      return e.code === ErrorCode.BadSeal;
    });
    const stray = randomId(12);
    await assert.rejects(pixel.send({ type: "new-task", threadId: stray, text: "Delete the repo", mode: "ask" }));
    const listing = await pixel.call({ type: "list-dir", path: "" });
    assert.equal(listing.ok, false);

    assert.equal(pending(threadId), 1, "the approval is still waiting");
    assert.equal(host.threads.get(stray), undefined, "no thread was created");
    assert.deepEqual(
      refusals().map((f) => [f.phone, f.reason]),
      [
        [ipad.deviceId, "wrong-key"],
        [ipad.deviceId, "wrong-key"],
        [ipad.deviceId, "wrong-key"],
      ],
    );

    // Addressed honestly, the same phone's decision is applied, and by it.
    rogue.rewrite = undefined;
    await pixel.send({ type: "decide", threadId, approvalId, decision: "approve" });
    const resolved = await pixel.waitFor(threadId, (e) => e.type === "approval-resolved");
    assert.ok(resolved.type === "approval-resolved" && resolved.by.name === "Pixel 8");
  });

  it("applies reordered commands as their own senders', and refuses them once swapped between phones", async () => {
    // The rogue acknowledges each command to the relay itself (so the relay sends the next) and
    // keeps it; the phones hear a reply they cannot open.
    rogue.rewrite = (event, payload) => (event === "command" ? "hold" : payload);
    const first = randomId(12);
    const second = randomId(12);
    const sent = [
      pixel.send({ type: "new-task", threadId: first, text: "Tidy the README", mode: "read-only" }).catch(() => "no reply"),
      ipad.send({ type: "new-task", threadId: second, text: "Count the files", mode: "read-only" }).catch(() => "no reply"),
    ];
    await until("both commands held", () => (rogue.held === 2 ? true : undefined));
    const answers = await rogue.release((n) => [...Array(n).keys()].reverse());
    assert.deepEqual(
      answers.map((a) => (a as { ok: boolean }).ok),
      [true, true],
    );
    await Promise.all(sent);
    const byOf = (threadId: string) => {
      const task = host.threads
        .get(threadId)!
        .events.map((n) => n.event)
        .find((e) => e.type === "task");
      return task?.type === "task" ? task.by.name : undefined;
    };
    assert.equal(byOf(first), "Pixel 8");
    assert.equal(byOf(second), "iPad");

    // Swapped: each envelope now names the other phone.
    const third = randomId(12);
    const fourth = randomId(12);
    const more = [
      pixel.send({ type: "new-task", threadId: third, text: "Rename a file", mode: "read-only" }).catch(() => "no reply"),
      ipad.send({ type: "new-task", threadId: fourth, text: "Rename another", mode: "read-only" }).catch(() => "no reply"),
    ];
    await until("both commands held", () => (rogue.held === 2 ? true : undefined));
    const swapped = await rogue.release(undefined, (held) => {
      const from = held.map((h) => (h as CommandForward).from);
      return held.map((h, i) => ({ ...(h as CommandForward), from: from[from.length - 1 - i]! }));
    });
    await Promise.all(more);
    assert.deepEqual(
      swapped.map((a) => (a as { ok: boolean; code?: string }).code),
      [ErrorCode.BadSeal, ErrorCode.BadSeal],
    );
    assert.equal(host.threads.get(third), undefined);
    assert.equal(host.threads.get(fourth), undefined);
    assert.deepEqual(
      refusals().map((f) => f.reason),
      ["wrong-key", "wrong-key"],
    );
  });

  it("refuses what a revoked phone sealed, forwarded for it by the relay", async () => {
    const lost = await pairPhone((await host.host.openPairing()).url, "Lost phone");
    const { threadId, approvalId } = await waitingApproval();
    await host.host.revokePhone(lost.deviceId);
    await until("the rotation to commit", () => (host.identity.epoch === 2 ? true : undefined));
    const hostId = lost.hostId;

    // Its own command key, its own id: the real relay would refuse its token, the rogue forwards.
    const decideId = randomId();
    const decide: Command = { type: "decide", threadId, approvalId, decision: "approve" };
    const box = await sealed(lost.commandKey, PAIRWISE_EPOCH, hostId, lost.deviceId, decideId, decide);
    const answer = (await rogue.inject(hostId, "command", forward(lost.deviceId, decideId, box))) as {
      ok: boolean;
      code?: string;
    };
    assert.deepEqual([answer.ok, answer.code], [false, ErrorCode.Forbidden]);
    // The same box passed off as a phone still paired opens with nothing either.
    const asPixel = (await rogue.inject(hostId, "command", forward(pixel.deviceId, decideId, box))) as { ok: boolean };
    assert.equal(asPixel.ok, false);
    const taskId = randomId();
    const stray = randomId(12);
    const task: Command = { type: "new-task", threadId: stray, text: "Push to main", mode: "ask" };
    const taskBox = await sealed(lost.commandKey, PAIRWISE_EPOCH, hostId, lost.deviceId, taskId, task);
    assert.equal(((await rogue.inject(hostId, "command", forward(lost.deviceId, taskId, taskBox))) as { ok: boolean }).ok, false);

    assert.equal(pending(threadId), 1, "no decision was recorded");
    assert.equal(host.threads.get(stray), undefined, "no thread was created");
    assert.deepEqual(
      refusals().map((f) => [f.phone, f.reason]),
      [
        [lost.deviceId, "revoked"],
        [pixel.deviceId, "wrong-key"],
        [lost.deviceId, "revoked"],
      ],
    );
    lost.close();
  });

  it("refuses a command sealed under a content key, an old epoch's or the current one", async () => {
    const lost = await pairPhone((await host.host.openPairing()).url, "Lost phone");
    const { threadId, approvalId } = await waitingApproval();
    const oldEpoch = pixel.epoch;
    await host.host.revokePhone(lost.deviceId);
    await until("the rotation to commit", () => (host.identity.epoch === oldEpoch + 1 ? true : undefined));
    const hostId = pixel.hostId;
    const decide: Command = { type: "decide", threadId, approvalId, decision: "approve" };

    // A phone still paired, with the key of the epoch before the rotation, through the relay as usual.
    const oldId = randomId();
    const oldBox = await sealed(pixel.contentKey, oldEpoch, hostId, pixel.deviceId, oldId, decide);
    const old = await pixel.socket.timeout(10_000).emitWithAck("command", { hostId, id: oldId, box: oldBox });
    assert.ok(!old.ok && old.code === ErrorCode.BadSeal && /replaced/.test(old.message), JSON.stringify(old));
    // The revoked phone's copy of that key, passed off as the paired phone's by the rogue.
    const lostId = randomId();
    const lostBox = await sealed(lost.contentKey, oldEpoch, hostId, pixel.deviceId, lostId, decide);
    assert.equal(
      ((await rogue.inject(hostId, "command", forward(pixel.deviceId, lostId, lostBox))) as { ok: boolean }).ok,
      false,
    );
    // Even the current content key, which every paired phone holds, speaks for no one.
    const currentId = randomId();
    const currentBox = await sealed(host.identity.contentKey()!, host.identity.epoch, hostId, ipad.deviceId, currentId, decide);
    assert.equal(
      ((await rogue.inject(hostId, "command", forward(ipad.deviceId, currentId, currentBox))) as { ok: boolean }).ok,
      false,
    );

    assert.equal(pending(threadId), 1, "no decision was recorded");
    assert.deepEqual(
      refusals().map((f) => [f.phone, f.reason]),
      [
        [pixel.deviceId, "old-epoch"],
        [pixel.deviceId, "old-epoch"],
        [ipad.deviceId, "content-key"],
      ],
    );
    // Sealed with its own command key, which no rotation changes, the phone's decision counts
    // (this test phone never took the new content key, yet reads the host's reply).
    await pixel.send(decide);
    assert.equal(pending(threadId), 0);
    assert.equal(host.threads.get(threadId)!.decidedBy(approvalId)?.by, "Pixel 8");
    lost.close();
  });

  it("answers a replay it remembers without applying it, and refuses one whose id it has forgotten", async () => {
    model.push(finish("First."), finish("Second."), finish("Third."));
    const threadId = randomId(12);
    await pixel.send({ type: "new-task", threadId, text: "Warm up", mode: "read-only" });
    await pixel.waitFor(threadId, (e) => e.type === "status" && e.status === "done");
    const steerId = randomId();
    await pixel.send({ type: "message", threadId, text: "Once more" }, steerId);
    const recorded = rogue.toHosts.find((f) => f.event === "command" && (f.payload as CommandForward).id === steerId);
    assert.ok(recorded, "the rogue kept the envelope");
    const userMessages = () => host.threads.get(threadId)!.events.filter((n) => n.event.type === "user-message").length;
    await until("the steer applied", () => (userMessages() === 1 ? true : undefined));

    // At once: the id is remembered, the host answers as before and applies nothing.
    const again = (await rogue.inject(pixel.hostId, "command", recorded.payload)) as { ok: boolean };
    assert.equal(again.ok, true);
    assert.equal(userMessages(), 1);
    assert.deepEqual(refusals(), []);

    // Past the host's memory of ids: the envelope is the same, the time inside it too old.
    ahead = REMEMBER_APPLIED_MS + 60_000;
    const late = (await rogue.inject(pixel.hostId, "command", recorded.payload)) as {
      ok: boolean;
      code?: string;
      message?: string;
    };
    assert.deepEqual([late.ok, late.code], [false, ErrorCode.Forbidden]);
    assert.match(late.message ?? "", /too old/);
    assert.equal(userMessages(), 1, "the steer was not applied a second time");
    assert.deepEqual(
      refusals().map((f) => [f.phone, f.reason]),
      [[pixel.deviceId, "stale"]],
    );
  });

  it("remembers applied ids per phone: another phone reusing one is neither answered for it nor able to block it", async () => {
    const id = randomId();
    const first = randomId(12);
    const second = randomId(12);
    // The relay sees every id in the clear and could tell a second phone to reuse it.
    await ipad.send({ type: "new-task", threadId: first, text: "The iPad's task", mode: "read-only" }, id);
    await pixel.send({ type: "new-task", threadId: second, text: "The Pixel's task", mode: "read-only" }, id);
    const byOf = (threadId: string) => {
      const task = host.threads.get(threadId)?.events[0]?.event;
      return task?.type === "task" ? task.by.name : undefined;
    };
    assert.equal(byOf(first), "iPad");
    assert.equal(byOf(second), "Pixel 8");
  });

  it("takes a task that waited days for a sleeping host, and refuses one dated further ahead than clock skew", async () => {
    // The host's clock says six days and more have passed since the phone sealed the task.
    ahead = COMMAND_MAX_AGE_MS - 24 * 60 * 60 * 1000 + 60_000;
    const waited = randomId(12);
    await pixel.send({ type: "new-task", threadId: waited, text: "Sent on Monday at 7", mode: "read-only" });
    assert.ok(host.threads.get(waited), "applied");

    // A phone whose clock runs more than the allowed skew ahead of the host's.
    ahead = -(CLOCK_SKEW_MS + 60_000);
    const early = randomId(12);
    await assert.rejects(pixel.send({ type: "new-task", threadId: early, text: "From the future", mode: "read-only" }), /clock/);
    assert.equal(host.threads.get(early), undefined);
    assert.deepEqual(
      refusals().map((f) => [f.phone, f.reason]),
      [[pixel.deviceId, "clock-ahead"]],
    );
  });
});
