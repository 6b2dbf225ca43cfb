// A project's hooks on the phone, end to end in real Chromium at 360×740 with real relay and
// host processes from dist/. A workspace that carries `.tether/hooks.json` shows a trust card on
// the computer's dashboard with the hook's command; until Trust is pressed a task's command runs
// without the hook; after, the hook runs; a change of the file brings the card back and the hook
// stops running. Screenshots go to test-results/screenshots/hooks-*.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { AxeAudit } from "../support/axe";
import { openPairedPhone, startStack, startTask, themedShots, type Stack } from "../support/phoneStack";

describe("end to end: a project's hooks, trusted on the phone", function () {
  this.timeout(120_000);
  let stack: Stack;
  let page: Page;
  let pageErrors: string[];
  let marker: string;
  const axe = new AxeAudit();

  const writeHooks = (command: string): void => {
    mkdirSync(join(stack.workspace, ".tether"), { recursive: true });
    writeFileSync(
      join(stack.workspace, ".tether", "hooks.json"),
      JSON.stringify({ hooks: [{ event: "PreToolUse", matcher: "command", command }] }, null, 2),
    );
  };
  const hookCommand = (): string => `cat > /dev/null; touch '${marker}'`;

  /** Runs a task whose agent runs one command, back on the task list once it is done. */
  async function runCommandTask(text: string, onThread?: () => Promise<void>): Promise<void> {
    stack.model.push(
      { toolCalls: [{ name: "run_command", args: { command: "echo checked", reason: "check" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "checked" } }] },
    );
    await startTask(page, text, "full-auto");
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 30_000 });
    await onThread?.();
    await page.getByTestId("back-to-threads").click();
  }

  before(async () => {
    stack = await startStack({ name: "hooks", mode: "full-auto" });
    marker = join(stack.tmp, "hook-ran");
    writeHooks(hookCommand());
    ({ page, pageErrors } = await openPairedPhone(stack));
  });

  after(async () => {
    await stack?.stop();
    if (axe.found.size) assert.fail(`accessibility violations:\n${axe.report()}`);
  });

  it("shows the untrusted hooks' commands on the dashboard, and does not run them", async () => {
    const card = page.getByTestId("hooks-trust");
    await card.waitFor({ timeout: 30_000 });
    assert.match((await card.textContent()) ?? "", /This project has hooks/);
    assert.equal((await page.getByTestId("hook-command").textContent())?.trim(), hookCommand());
    await themedShots(page, "hooks", "trust-card", axe);
    await runCommandTask("Check it", async () => {
      const note = page.locator(".status-text", { hasText: "This project's hooks are not trusted yet" });
      assert.equal(await note.count(), 1, "the thread does not say once that the project's hooks did not run");
      await themedShots(page, "hooks", "untrusted-note", axe);
    });
    assert.equal(existsSync(marker), false, "an untrusted project hook ran");
  });

  it("Trust: the card goes, and the hook runs on the next command", async () => {
    await page.getByTestId("hooks-trust-button").click();
    await page.getByTestId("hooks-trust").waitFor({ state: "detached", timeout: 20_000 });
    await runCommandTask("Check it again");
    assert.equal(existsSync(marker), true, "the trusted hook did not run");
  });

  it("a change of the file brings the card back, and the changed hook does not run", async () => {
    rmSync(marker);
    writeHooks(`${hookCommand()}; echo changed`);
    const card = page.getByTestId("hooks-trust");
    await card.waitFor({ timeout: 30_000 });
    assert.match((await card.textContent()) ?? "", /This project's hooks changed/);
    await runCommandTask("Check once more");
    assert.equal(existsSync(marker), false, "a changed project hook ran without being trusted again");
    assert.deepEqual(pageErrors, []);
  });
});
