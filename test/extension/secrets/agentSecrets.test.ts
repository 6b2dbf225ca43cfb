// Secret scanning on Tether's own agent, end to end in this process: the real host core and
// policy, a real relay, a phone client, the model behind a scripted local server. Each planted
// kind of secret makes a write ask even in full-auto, shows on the approval, and is not written
// before the person decides; a command carrying one asks; a file that holds one reaches the
// model redacted, and the thread says so. Clean work is not asked about.

import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomId, type ThreadEvent } from "#protocol";
import { startAgentHost, type AgentHost } from "../../support/agentHost";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../../support/fakeModels";
import { pairPhone, type PairedPhone } from "../../support/phone";
import { GITHUB_TOKEN, PLANTED } from "../../support/plantedSecrets";
import { startRelay, type TestRelay } from "../../support/relay";
import { makeWorkspace } from "../../support/workspace";

type Requested = Extract<ThreadEvent, { type: "approval-requested" }>;

describe("secret scanning: Tether's own agent", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let host: AgentHost;
  let phone: PairedPhone;

  beforeEach(async () => {
    relay = await startRelay();
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "# test\n", ...Object.fromEntries(PLANTED.map((p) => [`read/${p.path}`, p.text])) });
    host = await startAgentHost({ relay: relay.url, folder: workspace, modelUrl: model.url, mode: "full-auto" });
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

  const task = async (text: string): Promise<string> => {
    const threadId = randomId(12);
    await phone.send({ type: "new-task", threadId, text });
    return threadId;
  };
  const asked = async (threadId: string): Promise<Requested> =>
    (await phone.waitFor(threadId, (e) => e.type === "approval-requested", 30_000)) as Requested;
  const done = (threadId: string): Promise<ThreadEvent> =>
    phone.waitFor(threadId, (e) => e.type === "status" && (e.status === "done" || e.status === "failed"), 30_000);
  /** Everything the model was sent, as one string. */
  const sentToModel = (): string => JSON.stringify(model.requests.map((r) => r.body.messages));

  for (const planted of PLANTED) {
    it(`asks before writing ${planted.name}, in full-auto, with the finding on the approval`, async () => {
      model.push(
        { toolCalls: [{ name: "write_file", args: { path: planted.path, content: planted.text, reason: "config" } }] },
        { toolCalls: [{ name: "finish", args: { summary: "wrote it" } }] },
      );
      const threadId = await task("Add the config");
      const request = await asked(threadId);
      assert.equal(request.rule, "secret scan");
      assert.match(request.why ?? "", new RegExp(`this edit would write .*line ${planted.line}.* to ${planted.path}`));
      assert.ok(!(request.why ?? "").includes(planted.hidden), "the approval does not show the secret");
      assert.equal(existsSync(join(workspace, planted.path)), false, "nothing is written before the person decides");
      await phone.send({ type: "decide", threadId, approvalId: request.approvalId, decision: "deny" });
      await done(threadId);
      assert.equal(existsSync(join(workspace, planted.path)), false, "a denied secret is not written");
    });

    it(`sends the model a file holding ${planted.name} redacted, and says so on the thread`, async () => {
      model.push(
        { toolCalls: [{ name: "read_file", args: { path: `read/${planted.path}` } }] },
        { toolCalls: [{ name: "finish", args: { summary: "read it" } }] },
      );
      const threadId = await task("Read the config");
      await done(threadId);
      const sent = sentToModel();
      assert.ok(!sent.includes(planted.hidden), "the secret reached the model");
      assert.match(sent, /\[secret redacted: [^\]]+\]/);
      const result = phone.events(threadId).find((o) => o.event.type === "tool-result")?.event;
      assert.ok(result?.type === "tool-result");
      assert.match(
        result.truncated ?? "",
        new RegExp(`^secret scan: .* in read/${planted.path} line ${planted.line}.*, redacted before it was sent to the model$`),
      );
    });
  }

  it("redacts a token a search or a command's output would give the model, naming the file it is in", async () => {
    model.push(
      { toolCalls: [{ name: "search", args: { query: "token" } }] },
      { toolCalls: [{ name: "run_command", args: { command: "cat read/src/deploy.ts" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "found it" } }] },
    );
    const threadId = await task("Find the token");
    await done(threadId);
    assert.ok(!sentToModel().includes(GITHUB_TOKEN), "the token reached the model");
    const notes = phone
      .events(threadId)
      .flatMap((o) => (o.event.type === "tool-result" && o.event.truncated ? [o.event.truncated] : []));
    assert.deepEqual(notes, [
      "secret scan: GitHub token in read/src/deploy.ts line 2, redacted before it was sent to the model",
      "secret scan: GitHub token in the output of cat read/src/deploy.ts line 2, redacted before it was sent to the model",
    ]);
  });

  it("asks before a command that carries a token, and runs it only once approved", async () => {
    model.push(
      {
        toolCalls: [{ name: "run_command", args: { command: `echo "token=${GITHUB_TOKEN}" > token.txt`, reason: "save it" } }],
      },
      { toolCalls: [{ name: "finish", args: { summary: "saved" } }] },
    );
    const threadId = await task("Save the token");
    const request = await asked(threadId);
    assert.equal(request.rule, "secret scan");
    assert.match(request.why ?? "", /^Secret scan: this command contains a GitHub token on line 1 \(ghp_…, 40 characters\)\.$/);
    assert.equal(request.computerRule, undefined, "no rule for this computer is offered for a secret");
    assert.equal(existsSync(join(workspace, "token.txt")), false);
    await phone.send({ type: "decide", threadId, approvalId: request.approvalId, decision: "approve" });
    await done(threadId);
    assert.match(readFileSync(join(workspace, "token.txt"), "utf8"), /ghp_/);
  });

  it("writes, runs and reads clean content without asking or redacting", async () => {
    model.push(
      { toolCalls: [{ name: "write_file", args: { path: "src/app.ts", content: "export const answer = 42;\n" } }] },
      { toolCalls: [{ name: "run_command", args: { command: "cat src/app.ts" } }] },
      { toolCalls: [{ name: "read_file", args: { path: "src/app.ts" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "done" } }] },
    );
    const threadId = await task("Add the answer");
    await done(threadId);
    const types = phone.events(threadId).map((o) => o.event.type);
    assert.ok(!types.includes("approval-requested"), types.join(", "));
    assert.equal(readFileSync(join(workspace, "src/app.ts"), "utf8"), "export const answer = 42;\n");
    assert.doesNotMatch(sentToModel(), /secret redacted/);
  });

  it("does not ask again about a key the file already had when the agent edits elsewhere in it", async () => {
    const planted = PLANTED[1];
    model.push(
      {
        toolCalls: [
          {
            name: "edit_file",
            args: { path: `read/${planted.path}`, old_text: "// deploys the site", new_text: "// deploys it" },
          },
        ],
      },
      { toolCalls: [{ name: "finish", args: { summary: "edited" } }] },
    );
    const threadId = await task("Reword the comment");
    await done(threadId);
    assert.ok(!phone.events(threadId).some((o) => o.event.type === "approval-requested"));
    assert.match(readFileSync(join(workspace, `read/${planted.path}`), "utf8"), /^\/\/ deploys it\n/);
  });
});
