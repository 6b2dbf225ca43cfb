// A task in a worktree of its own, from a paired phone through a real relay: the host's profile
// offers worktrees, the summary names the task's branch, and the phone browses the worktree by
// the thread's id while the workspace stays as it was.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { randomId, type ListDirResult, type ReadFileResult, type ThreadSummary } from "#protocol";
import { startAgentHost, type AgentHost } from "../../support/agentHost";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../../support/fakeModels";
import { pairPhone, type PairedPhone } from "../../support/phone";
import { startRelay, type TestRelay } from "../../support/relay";
import { until } from "../../support/wait";
import { gitFixture, type GitFixture } from "../git/gitFixture";

describe("a worktree task from a phone, through a real relay", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  let fx: GitFixture;
  let host: AgentHost;
  let phone: PairedPhone;

  beforeEach(async () => {
    relay = await startRelay();
    model = await startFakeOpenAI();
    fx = gitFixture({ "README.md": "hello\n" });
    host = await startAgentHost({
      relay: relay.url,
      folder: fx.workspace,
      modelUrl: model.url,
      mode: "full-auto",
      stateDir: fx.stateDir,
      worktrees: true,
      gitEnv: fx.env,
    });
    phone = await pairPhone((await host.host.openPairing()).url, "Pixel 8");
  });

  afterEach(async () => {
    phone.close();
    await host.stop();
    await model.close();
    await relay.stop();
    fx.dispose();
  });

  it("runs it in its worktree and lets the phone browse that worktree by the thread's id", async () => {
    assert.deepEqual(phone.profile.worktrees, { default: true }, "the phone is told tasks get worktrees here");
    model.push(
      { toolCalls: [{ name: "write_file", args: { path: "PLAN.md", content: "# The plan\n" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "Planned." } }] },
    );
    const threadId = randomId(12);
    await phone.send({ type: "new-task", threadId, text: "Write the plan", mode: "full-auto" });
    const made = await phone.waitFor(threadId, (e) => e.type === "git");
    assert.ok(made.type === "git" && made.ok && made.branch?.startsWith("tether/"), JSON.stringify(made));
    await phone.waitFor(threadId, (e) => e.type === "status" && e.status === "done", 30_000);

    const listed = await phone.call({ type: "list-dir", path: "", threadId });
    assert.ok(listed.ok, JSON.stringify(listed));
    assert.deepEqual((listed.result as ListDirResult).entries.map((e) => e.name).sort(), ["PLAN.md", "README.md"]);
    const read = await phone.call({ type: "read-file", path: "PLAN.md", threadId });
    assert.ok(read.ok && JSON.stringify(read.result as ReadFileResult).includes("The plan"), JSON.stringify(read));
    const workspace = await phone.call({ type: "list-dir", path: "" });
    assert.ok(workspace.ok, JSON.stringify(workspace));
    assert.deepEqual(
      (workspace.result as ListDirResult).entries.map((e) => e.name),
      ["README.md"],
    );
    assert.equal(existsSync(join(fx.workspace, "PLAN.md")), false);

    // The summary record is published after the events it sums up: read it once it says done.
    const summary: ThreadSummary = await until("the thread's summary to say done", async () => {
      const found = (await phone.sync()).summaries.find((s) => s.threadId === threadId);
      return found?.status === "done" && found;
    });
    assert.equal(summary.branch, made.branch);
    assert.equal(summary.worktree, "open");
  });
});
