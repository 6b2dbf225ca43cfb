// The phone's git screens where things go wrong, in real Chromium at 360×740 against a host
// scripted on the wire (support/scriptedGitHost.ts): a failed push in the history, 200 changed
// files, staging one hunk, a rejected push (explained, never forced), a merge that conflicts,
// a discard confirmed with its count, a removal refused for uncommitted changes then forced,
// and a computer that went offline (nothing is sent). Screenshots: ship-*-light|dark.png.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { seal, sealContext, type ChangedFileInfo, type HostProfile, type ThreadEvent } from "#protocol";
import { Cleanup } from "../support/cleanup";
import { pwaFixture, type PwaFixture } from "../support/pwaFixture";
import { themedShots } from "../support/phoneStack";
import { scriptGit, type ScriptedGit } from "../support/scriptedGitHost";
import { until } from "../support/wait";

const DIST = join(__dirname, "..", "..", "dist");
const THREAD = "ship-thread-01";
const BRANCH = "tether/add-rate-limiting";
const dana = { id: "p", name: "Dana's phone" };

const profile: HostProfile = {
  name: "work-laptop",
  workspace: "api",
  platform: "linux",
  version: "1.0.0",
  models: ["openai:gpt-test"],
  maxMode: "full-auto",
  worktrees: { default: true },
};

const files: ChangedFileInfo[] = Array.from({ length: 200 }, (_, i) => ({
  path: `src/handlers/h${String(i).padStart(3, "0")}.ts`,
  kind: i % 10 === 5 ? "untracked" : "modified",
  staged: i < 3,
  unstaged: i >= 3,
  ...(i % 10 === 5 ? {} : { added: i % 7, removed: i % 3 }),
}));

const DIFF = [
  "diff --git a/src/handlers/h004.ts b/src/handlers/h004.ts",
  "--- a/src/handlers/h004.ts",
  "+++ b/src/handlers/h004.ts",
  "@@ -1,3 +1,3 @@",
  " export const a = 1;",
  "-export const b = 2;",
  "+export const b = 3;",
  "@@ -20,2 +20,3 @@",
  " export const y = 1;",
  "+export const z = 2;",
  "",
].join("\n");

const REJECTED = [
  "To github.com:ada/api.git",
  ` ! [rejected]        ${BRANCH} -> ${BRANCH} (fetch first)`,
  "error: failed to push some refs to 'github.com:ada/api.git'",
].join("\n");

describe("end to end: the phone's git screens when git says no", function () {
  this.timeout(180_000);
  const cleanup = new Cleanup();
  let fx: PwaFixture;
  let page: Page;
  let git: ScriptedGit;
  const pageErrors: string[] = [];
  const shot = (name: string): Promise<void> => themedShots(page, "ship", name);
  const sent = <T extends string>(type: T, n = 1) =>
    until(
      `${n} ${type} command(s)`,
      () => git.received.filter((c) => c.type === type).length >= n && git.received.filter((c) => c.type === type).at(-1),
      15_000,
    );

  before(async () => {
    if (!existsSync(join(DIST, "relay.js"))) throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    const tmp = mkdtempSync(join(tmpdir(), "tether-ship-screens-"));
    cleanup.add(tmp, (dir) => rmSync(dir, { recursive: true, force: true }));
    fx = await pwaFixture(tmp, cleanup);
    page = fx.page;
    page.on("pageerror", (e) => pageErrors.push(e.message));
    const { host } = fx;
    git = scriptGit(host, {
      state: {
        repository: true,
        branch: BRANCH,
        upstream: `origin/${BRANCH}`,
        ahead: 2,
        behind: 0,
        uncommitted: 200,
        worktree: { branch: BRANCH, baseBranch: "main", baseCommit: "1a2b3c4d", state: "open", commits: 2 },
        compareUrl: `https://github.com/ada/api/compare/main...${BRANCH}`,
        canCreatePullRequest: false,
      },
      files,
    });
    git.diffs["src/handlers/h004.ts"] = DIFF;
    assert.ok((await host.socket.timeout(10_000).emitWithAck("inbox:flush", {})).ok);
    const put = await host.socket.timeout(30_000).emitWithAck("record:put", {
      key: "profile",
      box: await seal(host.key, host.epoch, profile, sealContext.record(host.hostId, "profile")),
    });
    assert.ok(put.ok);
    const t0 = Date.now() - 120_000;
    const events: ThreadEvent[] = [
      {
        at: t0,
        type: "task",
        text: "Add rate limiting",
        title: "Add rate limiting",
        workspace: "api",
        mode: "auto-edit",
        model: "gpt-test",
        by: dana,
      },
      {
        at: t0 + 1000,
        type: "git",
        action: "worktree",
        ok: true,
        by: { id: "host", name: "work-laptop" },
        text: "",
        branch: BRANCH,
        baseBranch: "main",
      },
      {
        at: t0 + 1500,
        type: "file-change",
        path: "src/limit.js",
        change: "created",
        diff: "--- /dev/null\n+++ b/src/limit.js\n@@ -0,0 +1 @@\n+export const LIMIT = 5;\n",
        added: 1,
        removed: 0,
        truncated: false,
      },
      { at: t0 + 2000, type: "status", status: "done" },
      { at: t0 + 3000, type: "git", action: "push", ok: false, by: dana, text: REJECTED, branch: BRANCH },
    ];
    for (const [i, event] of events.entries()) await host.publish(THREAD, i + 1, await host.sealEvent(THREAD, i + 1, event));
    await host.putSummary({
      threadId: THREAD,
      title: "Add rate limiting",
      workspace: "api",
      status: "done",
      pending: [],
      lastSeq: events.length,
      createdAt: t0,
      updatedAt: t0 + 3000,
      model: "gpt-test",
      mode: "auto-edit",
      branch: BRANCH,
      worktree: "open",
    });
  });

  after(() => cleanup.run());

  it("shows the workspace's branch on the dashboard", async () => {
    await page.getByTestId("workspace-git").waitFor({ timeout: 20_000 });
    assert.match((await page.getByTestId("workspace-uncommitted").textContent()) ?? "", /200 files changed/);
    await shot("dashboard-scripted");
  });

  it("shows the branch and a failed push in the thread's history, in git's words", async () => {
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/t/${THREAD}`);
    const failed = page.locator('[data-testid="git-row"][data-ok="false"]');
    await failed.waitFor({ timeout: 20_000 });
    assert.match((await failed.textContent()) ?? "", /Dana's phone could not push/);
    assert.match((await failed.textContent()) ?? "", /\[rejected\]/);
    assert.match((await page.getByTestId("thread-branch").textContent()) ?? "", /tether\/add-rate-limiting\s*own worktree/);
    await shot("history-failed");
  });

  it("reads a worktree thread's files from its worktree", async () => {
    await page.getByTestId("show-changed").click();
    await until("a list-dir in the thread's worktree", () =>
      git.calls.some((c) => c.type === "list-dir" && c.threadId === THREAD),
    );
    await page.getByTestId("worktree-files").waitFor();
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/t/${THREAD}`);
    await page.getByTestId("open-changes").waitFor();
  });

  it("lists 200 changed files quickly and stages one hunk of a file", async () => {
    const started = Date.now();
    await page.getByTestId("open-changes").click();
    await page.locator('[data-testid="changes-list"] [data-testid="change-row"]').first().waitFor();
    const firstRows = Date.now() - started;
    // The bench measures the 300 ms goal on a quiet machine; this only catches a list that crawls.
    assert.ok(firstRows < 5_000, `first rows after ${firstRows} ms`);
    assert.equal(await page.getByTestId("change-row").count(), 200);
    assert.match((await page.getByTestId("changes-branch").textContent()) ?? "", /2 ahead.*from main, 2 commits/);
    await shot("changes-200");

    await page.locator('[data-testid="change-row"][data-path="src/handlers/h004.ts"] .open').click();
    await page.getByTestId("hunk").nth(1).waitFor();
    await shot("hunks");
    await page.getByTestId("stage-hunk").nth(1).click();
    const stage = await sent("git-stage");
    assert.deepEqual(stage, { type: "git-stage", threadId: THREAD, paths: ["src/handlers/h004.ts"], hunk: 1 });
  });

  it("explains a rejected push without any way to force it", async () => {
    await page.getByTestId("back-to-changes").click();
    git.outcome = (c) => (c.type === "git-push" ? { state: "failed", code: "rejected", message: REJECTED } : {});
    await page.getByTestId("push").click();
    await page.getByTestId("git-run-progress").waitFor();
    await page.locator('[data-testid="git-run"][data-state="failed"]').waitFor({ timeout: 15_000 });
    assert.match((await page.getByTestId("git-run-advice").textContent()) ?? "", /Update the branch on the computer/);
    assert.doesNotMatch((await page.locator("body").textContent()) ?? "", /force/i);
    assert.equal(await page.getByTestId("compare-link").getAttribute("target"), "_blank");
    await shot("push-rejected");
    await page.getByText("Dismiss").click();
  });

  it("keeps the worktree when the merge conflicts, and lists the files", async () => {
    git.outcome = (c) =>
      c.type === "worktree" && c.action === "merge"
        ? {
            state: "failed",
            code: "conflict",
            message: `Merging ${BRANCH} into main conflicts in 2 files; nothing was merged and the task's worktree is kept.`,
            files: ["src/handlers/h001.ts", "src/app.ts"],
          }
        : {};
    await page.getByTestId("worktree-merge").click();
    const refused = page.locator('[data-testid="worktree-refused"][data-code="conflict"]');
    await refused.waitFor({ timeout: 15_000 });
    assert.match((await refused.textContent()) ?? "", /worktree stays/i);
    assert.equal(await page.getByTestId("worktree-files").locator("li").count(), 2);
    const merge = await sent("worktree");
    assert.equal(merge.type === "worktree" && merge.strategy, "ff-only");
    await shot("merge-conflict");
  });

  it("asks before discarding, with the number of changed files, and sends that number", async () => {
    await page.getByTestId("worktree-discard").click();
    assert.equal(await page.getByTestId("discard-question").textContent(), `Discard 200 changed files and the branch ${BRANCH}?`);
    await shot("discard-confirm");
    git.outcome = () => ({
      state: "failed",
      code: "worktree-dirty",
      message: "The task has uncommitted changes in 2 files; they would be lost.",
      files: ["src/a.ts", "src/b.ts"],
    });
    await page.getByTestId("discard-confirm").click();
    const discard = await sent("worktree", 2);
    assert.deepEqual(
      {
        action: discard.type === "worktree" && discard.action,
        changedFiles: discard.type === "worktree" && discard.changedFiles,
      },
      { action: "discard", changedFiles: 200 },
    );
    await page.getByTestId("worktree-force").waitFor({ timeout: 15_000 });
    await shot("remove-anyway");
    git.outcome = () => ({ message: `Discarded the worktree and ${BRANCH}.` });
    await page.getByTestId("worktree-force").click();
    const forced = await sent("worktree", 3);
    assert.ok(forced.type === "worktree" && forced.force === true && forced.action === "discard");
    await page.getByTestId("worktree-done").waitFor({ timeout: 15_000 });
  });

  it("offers a worktree for a new task, on as the computer says", async () => {
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/new`);
    const toggle = page.getByTestId("task-worktree").locator("input");
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), true);
    await page.getByTestId("task-text").fill("Tidy the handlers");
    await shot("new-task-worktree");
    await page.getByTestId("task-submit").click();
    const task = await sent("new-task");
    assert.ok(task.type === "new-task" && task.worktree === true);
    // The app opens the new thread once the host took it: wait for that before going elsewhere.
    await page.getByText("Sent. Waiting for the computer to start it").waitFor();
  });

  it("sends nothing to a computer that is offline, and says so", async () => {
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/t/${THREAD}/g`);
    await page.getByTestId("push").waitFor();
    const before = git.received.length;
    fx.host.socket.disconnect();
    await page.getByTestId("changes-offline").waitFor({ timeout: 20_000 });
    await page.getByTestId("push").click();
    await page.locator('[data-testid="git-run"][data-state="error"]').waitFor();
    assert.match((await page.getByTestId("git-run").textContent()) ?? "", /offline.*nothing was sent/);
    assert.equal(git.received.length, before);
    await shot("offline");
    assert.deepEqual(pageErrors, []);
  });
});
