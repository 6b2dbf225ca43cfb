// A retried task gets the files of the task it retries, where the host still has them, and its
// text says which it no longer has. The real thread manager, workspace and relay.

import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomId, toBase64Url } from "#protocol";
import { retryTask } from "../../../mobile-web/src/threads/retry";
import { taskCommands } from "../../../mobile-web/src/threads/taskCommands";
import { startAgentHost, type AgentHost } from "../../support/agentHost";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../../support/fakeModels";
import { startRelay, type TestRelay } from "../../support/relay";
import { makeWorkspace } from "../../support/workspace";

describe("retrying a task with attachments", function () {
  this.timeout(30_000);
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let host: AgentHost;
  const phone = { id: "phone", name: "Pixel 8" };

  beforeEach(async () => {
    relay = await startRelay();
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "hello\n" });
    host = await startAgentHost({ relay: relay.url, folder: workspace, modelUrl: model.url, mode: "full-auto" });
  });

  afterEach(async () => {
    await host?.stop();
    await relay?.stop();
    await model?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("copies the earlier task's files that are still there and names the missing ones", async () => {
    model.push({ status: 400, message: "Bad request." });
    const first = randomId(12);
    const log = new TextEncoder().encode("line 1\nline 2\n");
    await host.threads.handle(
      { type: "attach", threadId: first, name: "log.txt", mime: "text/plain", data: toBase64Url(log) },
      phone,
    );
    await host.threads.handle(
      { type: "attach", threadId: first, name: "shot.png", mime: "image/png", data: toBase64Url(log) },
      phone,
    );
    await host.threads.handle(
      { type: "new-task", threadId: first, text: "Why does this fail?", mode: "auto-edit", attachments: ["log.txt", "shot.png"] },
      phone,
    );
    await host.threads.whenIdle();
    assert.equal(host.threads.get(first)?.status, "failed");
    // Someone tidied up one of them since.
    rmSync(join(workspace, ".tether/attachments", first, "shot.png"));

    const retry = retryTask(host.threads.get(first)!.events)!;
    assert.deepEqual(retry.attachments, ["log.txt", "shot.png"]);
    const second = randomId(12);
    model.push({ toolCalls: [{ name: "finish", args: { summary: "Read the log." } }] });
    const form = {
      text: retry.text,
      mode: retry.mode,
      model: retry.model,
      attachments: [],
      retry: { of: first, attachments: retry.attachments },
    };
    for (const command of taskCommands(second, form)) await host.threads.handle(command, phone);
    await host.threads.whenIdle();

    const thread = host.threads.get(second)!;
    assert.equal(thread.status, "done");
    assert.equal(thread.mode, "auto-edit");
    assert.deepEqual(new Uint8Array(readFileSync(join(workspace, ".tether/attachments", second, "log.txt"))), log);
    assert.equal(existsSync(join(workspace, ".tether/attachments", second, "shot.png")), false);
    const task = thread.events[0]!.event;
    assert.ok(task.type === "task");
    assert.match(task.text, /^Why does this fail\?\n\nAttached files \(in the workspace\):\n/);
    assert.match(task.text, new RegExp(`- \\.tether/attachments/${second}/log\\.txt \\(14 B\\)`));
    assert.match(task.text, /- shot\.png: no longer on this computer/);
  });
});
