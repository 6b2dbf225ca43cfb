// The host's side of an approval round trip, through a real relay in this process: the decision
// goes out to the phones before the approved command starts, and a command is acknowledged only
// once what applying it saved is on disk.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { randomId } from "#protocol";
import type { ProcessRunner } from "../../../extension/core/agent/tools/ports";
import { nodeProcessRunner } from "../../../extension/node/processRunner";
import { startAgentHost, type AgentHost } from "../../support/agentHost";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../../support/fakeModels";
import { pairPhone, type PairedPhone } from "../../support/phone";
import { startRelay, type TestRelay } from "../../support/relay";
import { quietFor, until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";

describe("the host's side of an approval round trip", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let host: AgentHost;
  let phone: PairedPhone;
  /** What the host did, in order: events handed to the relay link, commands started. */
  const log: string[] = [];

  beforeEach(async () => {
    log.length = 0;
    relay = await startRelay();
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "# test\n" });
    const runner: ProcessRunner = {
      run(request) {
        log.push(`start ${request.command}`);
        return nodeProcessRunner.run(request);
      },
    };
    host = await startAgentHost({ relay: relay.url, folder: workspace, modelUrl: model.url, runner });
    host.host.link.socket.onAnyOutgoing((event: string, payload: { seq?: number }) => {
      if (event === "event:publish") log.push(`publish ${payload.seq}`);
    });
    phone = await pairPhone((await host.host.openPairing()).url, "Pixel 8");
  });

  afterEach(async () => {
    phone.close();
    await host.stop();
    rmSync(host.stateDir, { recursive: true, force: true });
    await model.close();
    await relay.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  const approvedCommand = async (): Promise<{ threadId: string; resolvedSeq: number }> => {
    model.push(
      { toolCalls: [{ name: "run_command", args: { command: "echo approved-1", reason: "test" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "ran it" } }] },
    );
    const threadId = randomId(12);
    await phone.send({ type: "new-task", threadId, text: "Run echo" });
    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested", 30_000);
    assert.ok(asked.type === "approval-requested");
    await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve" });
    await phone.waitFor(threadId, (e) => e.type === "status" && e.status === "done", 30_000);
    const resolved = phone.events(threadId).find((o) => o.event.type === "approval-resolved");
    assert.ok(resolved, "the phone saw approval-resolved");
    return { threadId, resolvedSeq: resolved.seq };
  };

  it("sends approval-resolved to the relay before the approved command starts", async () => {
    const { threadId, resolvedSeq } = await approvedCommand();
    const published = log.indexOf(`publish ${resolvedSeq}`);
    const started = log.indexOf("start echo approved-1");
    assert.ok(published >= 0 && started >= 0, log.join(", "));
    assert.ok(published < started, `approval-resolved went out after the command started: ${log.join(", ")}`);
    // And the phone sees the decision before anything the command caused.
    const types = phone.events(threadId).map((o) => o.event.type);
    assert.ok(types.indexOf("approval-resolved") < types.indexOf("tool-result"), types.join(", "));
  });

  it("acknowledges a command only once what applying it saved is on disk", async () => {
    const store = host.store;
    const real = store.flushed.bind(store);
    let release!: () => void;
    const written = new Promise<void>((resolve) => (release = resolve));
    let waiting = false;
    store.flushed = () => {
      waiting = true;
      return written.then(real);
    };
    try {
      model.push({ toolCalls: [{ name: "finish", args: { summary: "done" } }] });
      let acknowledged = false;
      const sent = phone
        .send({ type: "new-task", threadId: randomId(12), text: "Nothing to do" })
        .then(() => (acknowledged = true));
      await until("the host to wait for its state on disk", () => waiting);
      await quietFor("the host's answer before its state was written", 400, () => acknowledged);
      release();
      await sent;
      assert.equal(acknowledged, true);
    } finally {
      store.flushed = real;
      release();
    }
  });
});
