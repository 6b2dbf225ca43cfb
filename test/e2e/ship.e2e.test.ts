// Git from the phone, end to end in real Chromium at 360×740: real relay and host processes
// from dist/ on a real git workspace (a bare `origin` beside it, git's configuration kept
// away from this machine's, a stand-in `gh` on PATH that records what it is asked). A task
// runs in its own worktree and writes files; the person reviews the Changes, stages, has the
// agent draft the commit message, commits, pushes, opens the pull request and merges the
// worktree back, all from the phone. Screenshots of each screen in light and dark go to
// test-results/screenshots/ship-*.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { FakeTurn } from "../support/fakeModels";
import { gitWorkspace, STAND_IN_PR_URL, type GitWorkspace } from "../support/gitWorkspace";
import { openPairedPhone, startStack, themedShots, type Stack } from "../support/phoneStack";

const call = (name: string, args: object, text?: string): FakeTurn => ({
  ...(text ? { text } : {}),
  toolCalls: [{ name, args }],
});

const LIMIT_JS = "// 5 requests a minute per IP\nexport const LIMIT = 5;\n";

describe("end to end: review, commit, push, pull request and merge from the phone", function () {
  this.timeout(180_000);
  let stack: Stack;
  let repo: GitWorkspace;
  let page: Page;
  let pageErrors: string[];
  let branch = "";
  /** The task's commit, made from the phone. */
  let commit = "";

  const shot = (name: string): Promise<void> => themedShots(page, "ship", name);
  const git = (...args: string[]): string => repo.git(repo.workspace, ...args).trim();
  const runEnded = async (): Promise<string> => {
    const run = page.locator('[data-testid="git-run"]:not([data-state="running"])');
    await run.waitFor({ timeout: 60_000 });
    const state = (await run.getAttribute("data-state")) ?? "";
    const text = (await run.textContent()) ?? "";
    assert.equal(state, "done", text);
    return text;
  };

  before(async () => {
    const tmp = mkdtempSync(join(tmpdir(), "tether-ship-git-"));
    repo = gitWorkspace(tmp, {
      "README.md": "# api\n",
      "src/subscribe.js": "export function subscribe(req, res) {\n  res.json({ ok: true });\n}\n",
    });
    stack = await startStack({ name: "ship", workspace: () => repo.workspace, env: repo.env, mode: "full-auto" });
    stack.onStop(tmp, (dir) => rmSync(dir, { recursive: true, force: true }));
    ({ page, pageErrors } = await openPairedPhone(stack));
  });

  after(() => stack?.stop());

  it("shows the workspace's branch on the dashboard", async () => {
    const line = page.getByTestId("workspace-git");
    await line.waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId("workspace-branch").textContent(), "main");
    assert.match((await line.textContent()) ?? "", /No uncommitted changes/);
    await shot("dashboard");
  });

  it("runs a task in its own worktree, which leaves the workspace alone", async () => {
    stack.model.push(
      call("write_file", { path: "src/limit.js", content: LIMIT_JS, reason: "the limit" }, "Adding the limit."),
      call("edit_file", {
        path: "src/subscribe.js",
        old_text: "export function subscribe",
        new_text: 'import { LIMIT } from "./limit.js";\n\nexport function subscribe',
        reason: "use it",
      }),
      call("finish", { summary: "Added a rate limit of 5 requests a minute per IP." }),
    );
    await page.getByTestId("new-task-button").click();
    await page.getByTestId("task-text").fill("Add rate limiting to subscribe");
    await page.getByTestId("task-mode").locator('input[value="auto-edit"]').check();
    const toggle = page.getByTestId("task-worktree").locator("input");
    if (!(await toggle.isChecked())) await toggle.check();
    await shot("new-task");
    await page.getByTestId("task-submit").click();
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 60_000 });
    const shown = page.getByTestId("thread-branch");
    await shown.waitFor();
    branch = ((await shown.locator("code").textContent()) ?? "").trim();
    assert.match(branch, /^tether\//);
    assert.equal(await page.getByTestId("thread-worktree").textContent(), "own worktree");
    // The task's edits are in its worktree, not in the workspace.
    assert.equal(git("status", "--porcelain"), "");
    await shot("thread");
  });

  it("lists the task's changes, shows a file's diff and stages it", async () => {
    await page.getByTestId("open-changes").click();
    const list = page.getByTestId("changes-list");
    await list.waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="change-row"][data-side="unstaged"]').nth(1).waitFor();
    assert.equal(await page.locator('[data-testid="change-row"][data-side="unstaged"]').count(), 2);
    await shot("changes");

    await page.locator('[data-testid="change-row"][data-path="src/subscribe.js"] .open').click();
    await page.getByTestId("diff").first().waitFor();
    assert.match((await page.getByTestId("file-diff").textContent()) ?? "", /LIMIT/);
    await shot("diff");
    await page.getByTestId("stage-file").click();
    await page.locator('[data-testid="change-row"][data-side="staged"][data-path="src/subscribe.js"]').waitFor();
    await page.getByTestId("stage-all").click();
    await page.locator('[data-testid="change-row"][data-side="staged"][data-path="src/limit.js"]').waitFor();
    assert.equal(await page.locator('[data-testid="change-row"][data-side="unstaged"]').count(), 0);
    await shot("staged");
  });

  it("commits with a message the agent drafted", async () => {
    stack.model.push({ text: "Add a rate limit to subscribe\n\nFive requests a minute per IP, in src/limit.js." });
    await page.getByTestId("open-commit").click();
    await page.getByTestId("draft-commit").click();
    await page.getByTestId("drafted-by").waitFor({ timeout: 30_000 });
    const message = page.getByTestId("commit-message");
    assert.match(await message.inputValue(), /Add a rate limit to subscribe/);
    await message.fill(`${await message.inputValue()}\n\nReviewed on the phone.`);
    await shot("commit");
    await page.getByTestId("commit-submit").click();
    const text = await runEnded();
    assert.match(text, /[0-9a-f]{7}/);
    await shot("committed");
    const log = repo.git(repo.workspace, "log", "-1", "--format=%s%n%b", branch).trim();
    assert.match(log, /^Add a rate limit to subscribe/);
    assert.match(log, /Reviewed on the phone\./);
    await page.getByText("Dismiss").click();
  });

  it("pushes the branch to origin", async () => {
    await page.getByTestId("push").click();
    await runEnded();
    commit = git("rev-parse", branch);
    assert.equal(repo.git(repo.origin, "rev-parse", `refs/heads/${branch}`).trim(), commit);
    await shot("pushed");
    await page.getByText("Dismiss").click();
  });

  it("opens the pull request with the computer's gh", async () => {
    stack.model.push({ text: "Rate limit for subscribe\n\nAdds a limit of five requests a minute per IP." });
    await page.getByTestId("open-pr").click();
    await page.getByTestId("draft-pull-request").click();
    await page.getByTestId("drafted-by").waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId("pr-title").inputValue(), /Rate limit for subscribe/);
    await shot("pull-request");
    await page.getByTestId("pr-submit").click();
    await runEnded();
    assert.equal(await page.getByTestId("git-run-link").getAttribute("href"), STAND_IN_PR_URL);
    assert.equal(await page.getByTestId("git-run-link").getAttribute("target"), "_blank");
    const create = repo.ghCalls().find((args) => args[0] === "pr" && args[1] === "create");
    assert.ok(create, JSON.stringify(repo.ghCalls()));
    assert.ok(create.includes(`--head=${branch}`), create.join(" "));
    assert.ok(
      create.some((a) => /^--title=Rate limit for subscribe/.test(a)),
      create.join(" "),
    );
    await page.getByTestId("refresh-checks").click();
    await page.getByTestId("pr-check").nth(1).waitFor({ timeout: 20_000 });
    assert.deepEqual(
      (await page.getByTestId("pr-check").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim()),
      ["build passed", "test running"],
    );
    await shot("pull-request-opened");
    await page.getByText("Dismiss").click();
  });

  it("merges the worktree back into main", async () => {
    await page.getByTestId("worktree-end").waitFor({ timeout: 20_000 });
    await shot("worktree-end");
    await page.getByTestId("worktree-merge").click();
    await runEnded();
    assert.match((await page.getByTestId("worktree-state").textContent()) ?? "", /merged/);
    // Fast-forwarded: main is the task's commit (the branch itself is gone with the worktree).
    assert.equal(git("rev-parse", "main"), commit);
    assert.match(git("show", "main:src/limit.js"), /5 requests a minute/);
    await shot("merged");
  });

  it("has the history say who did what", async () => {
    await page.getByTestId("back-to-thread").click();
    const rows = page.getByTestId("git-row");
    await page.locator('[data-testid="git-row"][data-action="merge"]').waitFor({ timeout: 20_000 });
    const texts = await rows.allTextContents();
    assert.ok(
      texts.some((t) => /pushed/i.test(t)),
      texts.join("\n"),
    );
    assert.equal(
      await page.locator('[data-testid="git-row"][data-action="pull-request"] [data-testid="git-row-link"]').getAttribute("href"),
      STAND_IN_PR_URL,
    );
    await shot("history");
    assert.deepEqual(pageErrors, []);
  });
});
