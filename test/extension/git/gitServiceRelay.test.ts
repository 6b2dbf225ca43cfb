// Git from a phone end to end: a real relay, a host with the real thread manager and git
// service, and a paired phone whose calls and commands are sealed. A task runs in a worktree
// of its own; the phone reviews its Changes, drafts and commits, and merges it back.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, randomId, type GitStateResult, type RpcCall, type RpcResult } from "#protocol";
import { startAgentHost, type AgentHost } from "../../support/agentHost";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../../support/fakeModels";
import { pairPhone, type PairedPhone } from "../../support/phone";
import { startRelay, type TestRelay } from "../../support/relay";
import { until } from "../../support/wait";
import { gitFixture, type GitFixture } from "./gitFixture";
import { isolateGit } from "./shipRepo";

describe("git from a phone through a real relay", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  let fx: GitFixture;
  let restore: () => void;
  let host: AgentHost;
  let phone: PairedPhone;

  beforeEach(async () => {
    restore = isolateGit();
    fx = gitFixture({ "README.md": "hello\n", "src/limit.ts": "export const LIMIT = 10;\n" });
    relay = await startRelay();
    model = await startFakeOpenAI();
    host = await startAgentHost({ relay: relay.url, folder: fx.workspace, modelUrl: model.url, mode: "full-auto" });
    phone = await pairPhone((await host.host.openPairing()).url);
  });
  afterEach(async () => {
    phone.close();
    await host.stop();
    await model.close();
    await relay.stop();
    fx.dispose();
    restore();
  });

  const ask = async <T extends RpcResult["type"]>(call: RpcCall & { type: T }): Promise<Extract<RpcResult, { type: T }>> => {
    const reply = await phone.call(call);
    if (!reply.ok) throw Object.assign(new Error(reply.message), { code: reply.code });
    return reply.result as Extract<RpcResult, { type: T }>;
  };
  const settled = (threadId: string, opId: string): Promise<GitStateResult> =>
    until(`op ${opId} to end`, async () => {
      const state = await ask({ type: "git-state", threadId });
      return state.op?.opId === opId && state.op.state !== "running" ? state : undefined;
    });

  it("reviews, drafts, commits and merges a task's worktree, each step in the thread's history", async () => {
    model.push(
      {
        toolCalls: [
          { name: "write_file", args: { path: "src/limit.ts", content: "export const LIMIT = 5;\n", reason: "lower it" } },
          { name: "write_file", args: { path: "docs/limit.md", content: "Five a second.\n", reason: "document it" } },
        ],
      },
      { toolCalls: [{ name: "finish", args: { summary: "Lowered the limit" } }] },
      { text: "Lower the request limit to 5\n\nFive a second is what the API allows." },
    );
    const threadId = randomId(12);
    await phone.send({ type: "new-task", threadId, text: "Lower the limit", mode: "full-auto", worktree: true });
    await phone.waitFor(threadId, (e) => e.type === "status" && e.status === "done", 30_000);

    const state = await ask({ type: "git-state", threadId });
    assert.equal(state.repository, true);
    assert.equal(state.worktree?.state, "open");
    assert.equal(state.worktree?.baseBranch, "main");
    assert.equal(state.branch, state.worktree?.branch);
    const changes = await ask({ type: "git-changes", threadId });
    assert.deepEqual(
      changes.files.map((f) => `${f.path}:${f.kind}`),
      ["src/limit.ts:modified", "docs/limit.md:untracked"],
    );
    const diff = await ask({ type: "git-diff", threadId, path: "src/limit.ts", side: "unstaged" });
    assert.match(diff.diff, /^\+export const LIMIT = 5;$/m);
    const secret = await phone.call({ type: "git-diff", threadId, path: ".env", side: "unstaged" });
    assert.equal(secret.ok, false);
    assert.equal(!secret.ok && secret.code, ErrorCode.SecretFile);
    // The workspace itself is untouched while the task's work waits for review.
    assert.equal(readFileSync(join(fx.workspace, "src/limit.ts"), "utf8"), "export const LIMIT = 10;\n");

    await phone.send({ type: "git-stage", threadId, paths: ["src/limit.ts", "docs/limit.md"] });
    const draft = await ask({ type: "git-draft", threadId, kind: "commit" });
    assert.equal(draft.title, "Lower the request limit to 5");
    await phone.send({ type: "git-commit", threadId, opId: "commit-0001", message: `${draft.title}\n\n${draft.body}` });
    const committed = await settled(threadId, "commit-0001");
    assert.equal(committed.op?.state, "done", committed.op?.message);
    assert.equal(committed.worktree?.commits, 1);

    await phone.send({ type: "worktree", threadId, opId: "merge-0001", action: "merge" });
    const merged = await settled(threadId, "merge-0001");
    assert.equal(merged.op?.state, "done", merged.op?.message);
    assert.equal(merged.worktree?.state, "merged");
    assert.equal(readFileSync(join(fx.workspace, "src/limit.ts"), "utf8"), "export const LIMIT = 5;\n");
    assert.equal(existsSync(join(fx.workspace, "docs/limit.md")), true);

    const history = await phone.waitFor(threadId, (e) => e.type === "git" && e.action === "merge");
    assert.equal(history.type === "git" && history.by.name, "Test Phone");
    assert.match(history.type === "git" ? history.text : "", /^Merged tether\/.* into main \(fast-forward\)$/);
    const actions = phone
      .events(threadId)
      .map((o) => o.event)
      .flatMap((e) => (e.type === "git" ? [`${e.action}:${e.ok}`] : []));
    assert.deepEqual(actions.slice(-3), ["stage:true", "commit:true", "merge:true"]);
  });

  it("answers the workspace's state and refuses an unknown thread", async () => {
    const state = await ask({ type: "git-state" });
    assert.equal(state.branch, "main");
    assert.equal(state.upstream, "origin/main");
    const unknown = await phone.call({ type: "git-changes", threadId: "no-such-thread" });
    assert.equal(!unknown.ok && unknown.code, ErrorCode.NotFound);
  });
});
