// A real host shares a thread through a real relay; a viewer in Node (the app's own viewer code,
// socket.io-client) reads it. The share outlives a rotation of the content key (a phone revoked):
// the host re-issues the thread's key of the new epoch before anything is sealed with it. The
// host seals each thread with its own key, so the share's keys open no other thread.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { io } from "socket.io-client";
import { open, randomId, sealContext, type StoredEvent } from "#protocol";
import { parseShareFragment } from "#protocol/share";
import { ShareSession, type Connect, type ShareState } from "../../mobile-web/src/share/shareSession";
import { startAgentHost, type AgentHost } from "../support/agentHost";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { pairPhone, type PairedPhone } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { until } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const editor = { id: "editor", name: "VS Code" };
const finish = (summary: string) => ({ toolCalls: [{ name: "finish", args: { summary } }] });

describe("host: threads shared read-only", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  let host: AgentHost;
  let workspace: string;
  const phones: PairedPhone[] = [];
  const sessions: ShareSession[] = [];

  beforeEach(async () => {
    relay = await startRelay();
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "# shares\n" });
    host = await startAgentHost({ relay: relay.url, folder: workspace, modelUrl: model.url, name: "Desk" });
  });

  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    for (const p of phones.splice(0)) p.close();
    await host.stop();
    await relay.stop();
    await model.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  async function task(text: string, done: string): Promise<string> {
    model.push(finish(done));
    const threadId = randomId(12);
    host.threads.newTask({ threadId, text }, editor);
    await host.threads.whenIdle();
    return threadId;
  }

  function view(linkText: string): { state: () => ShareState | undefined } {
    const link = parseShareFragment(linkText)!;
    let state: ShareState | undefined;
    const session = new ShareSession(link, relay.url, io as unknown as Connect, (s) => (state = s));
    sessions.push(session);
    void session.start();
    return { state: () => state };
  }

  const texts = (state: ShareState | undefined): string[] =>
    (state?.events ?? []).flatMap((e) =>
      "text" in e.event ? [e.event.text] : "summary" in e.event ? [String(e.event.summary)] : [],
    );

  it("a share keeps opening its thread after the content key is rotated, and opens no other thread", async () => {
    const shared = await task("Shared task", "Done: shared");
    const other = await task("Other task", "Done: other");
    const stays = await pairPhone((await host.host.openPairing()).url, "Stays");
    const leaves = await pairPhone((await host.host.openPairing()).url, "Leaves");
    phones.push(stays, leaves);
    const made = await host.host.shares!.create(shared);
    assert.deepEqual(
      host.host.shares!.list(shared).map((s) => s.shareId),
      [made.shareId],
    );
    const viewer = view(made.link);
    await until("the viewer to show the shared task", () => texts(viewer.state()).includes("Shared task"));
    assert.equal(viewer.state()?.host, "Desk");
    assert.equal(viewer.state()?.summary?.title, "Shared task");
    assert.ok(!texts(viewer.state()).includes("Other task"));

    const before = host.identity.epoch;
    await host.host.revokePhone(leaves.deviceId);
    await until("the content key to rotate", () => host.identity.epoch > before);
    model.push(finish("Done: after the rotation"));
    host.threads.message(shared, "Words after the rotation", editor);
    await host.threads.whenIdle();
    await until("the viewer to open what was sealed in the new epoch", () =>
      texts(viewer.state()).includes("Words after the rotation"),
    );
    assert.equal(viewer.state()?.unreadable, 0);

    // The phone that stays reads both threads; an event of the other thread does not open with
    // the shared thread's key of the same epoch (each thread has its own).
    const page = await stays.socket.timeout(5000).emitWithAck("sync", { hostId: stays.hostId, cursors: {} });
    if (!page.ok) throw new Error(page.message);
    const otherEvent = page.events.find((e: StoredEvent) => e.threadId === other)!;
    const sharedKey = await host.identity.threadKey(shared, otherEvent.box.e);
    await assert.rejects(open(sharedKey!, otherEvent.box, sealContext.event(stays.hostId, other, otherEvent.seq)));
    const otherKey = await host.identity.threadKey(other, otherEvent.box.e);
    assert.ok(await open(otherKey!, otherEvent.box, sealContext.event(stays.hostId, other, otherEvent.seq)));
  });

  it("a revoked share is refused, and the host re-issues its keys no more", async () => {
    const shared = await task("Shared task", "Done: shared");
    const made = await host.host.shares!.create(shared);
    const viewer = view(made.link);
    await until("the viewer to show the shared task", () => texts(viewer.state()).includes("Shared task"));
    await host.host.shares!.revoke(made.shareId);
    await until("the viewer to say the link was revoked", () => viewer.state()?.status === "revoked");
    assert.deepEqual(host.host.shares!.list(shared), []);
    model.push(finish("Done: later"));
    host.threads.message(shared, "Words after the revocation", editor);
    await host.threads.whenIdle();
    const late = view(made.link);
    await until("a new viewer to be refused", () => late.state()?.status === "revoked");
    assert.ok(!texts(viewer.state()).includes("Words after the revocation"));
    await assert.rejects(host.host.shares!.create("no-such-thread"), /no such thread/);
  });
});
