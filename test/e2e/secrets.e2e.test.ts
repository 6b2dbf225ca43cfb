// Secret scanning on the phone, end to end in real Chromium at 360×740 with real relay and host
// processes from dist/ on a real git workspace. An agent's write of a token in full-auto waits on
// an approval card that shows the finding, redacted. A commit that would add one is refused, the
// sheet comes back with the finding shown redacted, and "Commit anyway" commits it. Screenshots
// go to test-results/screenshots/secrets-*.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { gitWorkspace, type GitWorkspace } from "../support/gitWorkspace";
import { openPairedPhone, startStack, startTask, themedShots, type Stack } from "../support/phoneStack";
import { GITHUB_TOKEN } from "../support/plantedSecrets";

describe("end to end: secret scanning on the phone", function () {
  this.timeout(120_000);
  let stack: Stack;
  let repo: GitWorkspace;
  let page: Page;
  let pageErrors: string[];

  const git = (...args: string[]): string => repo.git(repo.workspace, ...args).trim();

  before(async () => {
    const tmp = mkdtempSync(join(tmpdir(), "tether-commit-secrets-git-"));
    repo = gitWorkspace(tmp, { "README.md": "# api\n" });
    writeFileSync(join(repo.workspace, "deploy.ts"), `// deploys the site\nexport const token = "${GITHUB_TOKEN}";\n`);
    repo.git(repo.workspace, "add", "deploy.ts");
    stack = await startStack({ name: "secrets", workspace: () => repo.workspace, env: repo.env, mode: "full-auto" });
    stack.onStop(tmp, (dir) => rmSync(dir, { recursive: true, force: true }));
    ({ page, pageErrors } = await openPairedPhone(stack));
  });

  after(() => stack?.stop());

  it("asks before an agent in full-auto writes a token, with the finding on the approval card", async () => {
    stack.model.push(
      { toolCalls: [{ name: "write_file", args: { path: "ci.ts", content: `export const ci = "${GITHUB_TOKEN}";\n` } }] },
      { toolCalls: [{ name: "finish", args: { summary: "not written" } }] },
    );
    await startTask(page, "Put the CI token in ci.ts", "full-auto");
    const card = page.getByTestId("approval-card");
    await card.waitFor({ timeout: 30_000 });
    const why = (await page.getByTestId("approval-why").textContent()) ?? "";
    assert.equal(why.trim(), "Secret scan: this edit would write a GitHub token on line 1 (ghp_…, 40 characters) to ci.ts.");
    assert.match((await card.textContent()) ?? "", /Rule: secret scan/);
    await themedShots(page, "secrets", "approval");
    await page.getByTestId("stop-run").click();
    await page.locator('[data-testid="thread"][data-status="stopped"]').waitFor({ timeout: 30_000 });
    assert.equal(existsSync(join(repo.workspace, "ci.ts")), false);
  });

  it("refuses the commit and shows the finding, redacted, on the commit sheet", async () => {
    const before = git("rev-parse", "HEAD");
    await page.getByTestId("back-to-threads").click();
    await page.getByTestId("workspace-git").click({ timeout: 20_000 });
    await page.locator('[data-testid="change-row"][data-side="staged"][data-path="deploy.ts"]').waitFor({ timeout: 20_000 });
    await page.getByTestId("open-commit").click();
    await page.getByTestId("commit-message").fill("Deploy from CI");
    await page.getByTestId("commit-submit").click();
    const findings = page.getByTestId("commit-secrets");
    await findings.waitFor({ timeout: 30_000 });
    const text = (await findings.textContent()) ?? "";
    assert.match(text, /GitHub token in deploy\.ts line 2: ghp_…, 40 characters/);
    assert.ok(!text.includes(GITHUB_TOKEN.slice(4)), "the phone is shown the token");
    assert.equal(await page.getByTestId("commit-message").inputValue(), "Deploy from CI", "the message is kept");
    assert.equal(await page.getByTestId("commit-anyway").textContent(), "Commit anyway");
    assert.equal(git("rev-parse", "HEAD"), before, "nothing was committed");
    await themedShots(page, "secrets", "commit-refused");
  });

  it("commits once the person chooses Commit anyway", async () => {
    await page.getByTestId("commit-anyway").click();
    const run = page.locator('[data-testid="git-run"][data-state="done"]');
    await run.waitFor({ timeout: 30_000 });
    assert.equal(git("log", "-1", "--format=%s"), "Deploy from CI");
    assert.equal(git("show", "--name-only", "--format=", "HEAD"), "deploy.ts");
    assert.deepEqual(pageErrors, []);
  });
});
