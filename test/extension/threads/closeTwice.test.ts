// Closing the thread manager and the thread publisher twice, as a host that shuts down while it
// is already shutting down (a second signal, an editor reload during a close) does: the second
// close changes nothing, and nothing of the closed part keeps listening.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ErrorCode, TetherError } from "#protocol";
import { RelayLink } from "../../../extension/core/link/relayLink";
import { ThreadPublisher } from "../../../extension/core/threads/publisher";
import { runEnded, startAgentThreads, type AgentThreads } from "../../support/agentThreads";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../../support/fakeModels";
import { quietLog } from "../../support/host";
import { until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";

const phone = { id: "phone-1", name: "Pixel 8" };
const managerEvents = ["event", "summary", "live", "deleted"] as const;

describe("closing twice", function () {
  this.timeout(30_000);
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let threads: AgentThreads;

  beforeEach(async () => {
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "hello\n" });
    threads = await startAgentThreads({ folder: workspace, modelUrl: model.url, mode: "full-auto" });
  });

  afterEach(async () => {
    await threads.close();
    await model.close();
    rmSync(threads.stateDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("the thread manager stops a run once, and every close resolves when it has", async () => {
    model.push({ toolCalls: [{ name: "run_command", args: { command: "sleep 30" } }] });
    const thread = threads.manager.newTask({ threadId: "t-long", text: "wait a while" }, phone);
    await until("the command runs", () =>
      thread.events.some((n) => n.event.type === "tool-call" && JSON.stringify(n.event).includes("sleep 30")),
    );
    const ended = runEnded(threads.manager, thread.id);
    await Promise.all([threads.manager.close(), threads.manager.close()]);
    await threads.manager.close();
    assert.equal((await ended).type, "status");
    assert.equal(thread.status, "stopped");
    const stops = thread.events.filter((n) => n.event.type === "status" && n.event.status === "stopped");
    assert.equal(stops.length, 1, "one end for the run, however many closes");
    await assert.rejects(
      threads.manager.handle({ type: "new-task", threadId: "t-after-close", text: "too late" }, phone),
      (err: unknown) => err instanceof TetherError && err.code === ErrorCode.HostOffline,
    );
  });

  it("the publisher takes its listeners off the link and the threads once, however often it is closed", () => {
    const link = new RelayLink("http://127.0.0.1:9", threads.identity, quietLog);
    const before = managerEvents.map((e) => threads.manager.listenerCount(e));
    const publisher = new ThreadPublisher(link, threads.identity, threads.store, threads.manager, quietLog);
    assert.equal(link.listenerCount("hello"), 1);
    assert.deepEqual(
      managerEvents.map((e) => threads.manager.listenerCount(e)),
      before.map((n) => n + 1),
    );
    publisher.close();
    publisher.close();
    assert.equal(link.listenerCount("hello"), 0);
    assert.deepEqual(
      managerEvents.map((e) => threads.manager.listenerCount(e)),
      before,
      "a closed publisher hears nothing more of the threads",
    );
    link.dispose();
  });
});
