// An outside agent on a task in a worktree of its own: its session starts there, its relative
// writes and its terminals land there, and the workspace stays as it was.

import assert from "node:assert/strict";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { readRecords } from "../../support/acpAgent/launch";
import { step } from "../../support/acpAgent/script";
import { ended, phone, scriptedDefinition, startAcpHost, threadId } from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";
import { gitFixture } from "../git/gitFixture";

describe("an outside agent in a task's worktree", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it("opens its session in the worktree, and writes and runs commands there, not in the workspace", async () => {
    const fx = gitFixture();
    cleanup.add(undefined, async () => fx.dispose());
    const { definition, agent } = scriptedDefinition(
      { turns: [[step.write("made.txt", "by the agent\n"), step.terminal("pwd")]] },
      cleanup,
    );
    const host = await startAcpHost({
      cleanup,
      definitions: [definition],
      folder: fx.workspace,
      stateDir: fx.stateDir,
      mode: "full-auto",
      gitEnv: fx.env,
    });
    const id = threadId();
    await host.manager.handle({ type: "new-task", threadId: id, text: "make a file", agent: "scripted", worktree: true }, phone);
    assert.equal(await ended(host, id), "done");
    const worktree = realpathSync(host.manager.worktreeOf(id)!.worktree.path);

    const opened = readRecords(agent.recordPath).find((r) => r.kind === "request" && r.method === "session/new");
    assert.ok(opened?.kind === "request");
    assert.equal((opened.params as { cwd: string }).cwd, worktree, "the session works in the worktree");
    assert.equal(readFileSync(join(worktree, "made.txt"), "utf8"), "by the agent\n");
    assert.equal(existsSync(join(fx.workspace, "made.txt")), false);
    assert.equal(fx.git(fx.workspace, "status", "--porcelain"), "");
    const output = readRecords(agent.recordPath).find((r) => r.kind === "answer" && r.method === "terminal/output");
    assert.ok(output?.kind === "answer");
    assert.equal((output.result as { output: string }).output.trim(), worktree, "its terminal ran in the worktree");
  });
});
