// Claude Code, the real published ACP adapter, driven from a phone in Chromium at 360×740 through
// a real relay and `node dist/host.js --agent claude=…`, with the model behind the scripted
// Anthropic server (no network, no login). The person chooses Claude Code on the new-task form;
// the agent reads a file, asks to run a command; the phone's card shows the command with Claude
// Code's own choices; the person allows it once; the command runs and the task finishes.
// Screenshots light and dark go to test-results/screenshots/claude-*.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { claudeAgent } from "../support/acpAgentLaunch";
import { installOrSkip } from "../support/acpClient";
import { AxeAudit } from "../support/axe";
import { screenshotPath } from "../support/browser";
import { startFakeAnthropic, type AnthropicBody, type FakeModelServer } from "../support/fakeModels";
import { openPairedPhone, startStack, themedShots, type Stack } from "../support/phoneStack";

const COMMAND = "echo checked > checked.txt";

describe("end to end: Claude Code from the phone (the real ACP adapter, offline)", function () {
  this.timeout(180_000);
  let stack: Stack | undefined;
  let anthropic: FakeModelServer<AnthropicBody>;
  let home: string;
  let page: Page;
  let pageErrors: string[];
  const axe = new AxeAudit();

  before(async function () {
    await installOrSkip(this, "claude");
    home = mkdtempSync(join(tmpdir(), "tether-claude-e2e-home-"));
    anthropic = await startFakeAnthropic();
    const launch = await claudeAgent({ modelUrl: anthropic.url, home });
    const commandLine = [launch.command, ...launch.args].map((w) => `'${w}'`).join(" ");
    stack = await startStack({
      name: "claude",
      hostName: "mac-mini",
      mode: "ask",
      files: { "notes.txt": "The deploy check is: write checked.txt.\n" },
      hostArgs: ["--agent", `claude=${commandLine}`],
      // The adapter would start Claude with permissions skipped when it runs as root in a "sandbox",
      // which Claude then refuses; nothing of the test runner's own environment is meant for it.
      env: { ...launch.env, IS_SANDBOX: "" },
    });
    anthropic.push(
      { toolCalls: [{ id: "toolu_read", name: "Read", args: { file_path: join(stack.workspace, "notes.txt") } }] },
      { toolCalls: [{ id: "toolu_bash", name: "Bash", args: { command: COMMAND, description: "Run the deploy check" } }] },
      { text: "The deploy check passed: checked.txt is written." },
    );
    ({ page, pageErrors } = await openPairedPhone(stack));
  });

  after(async () => {
    await stack?.stop();
    await anthropic?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("chooses Claude Code, approves its command on the phone's card, and sees the task finish", async () => {
    await page.getByTestId("new-task-button").click();
    await page.getByTestId("task-text").fill("Run the deploy check from notes.txt");
    const agents = page.getByTestId("task-agent");
    await agents.waitFor();
    assert.match(await agents.locator("option[value=claude]").innerText(), /Claude Code/);
    await agents.selectOption("claude");
    await page.getByTestId("task-mode").locator('input[value="ask"]').check();
    await themedShots(page, "claude", "new-task", axe, "new task, Claude Code chosen");
    await page.getByTestId("task-submit").click();
    await page.getByTestId("thread").waitFor();

    // The card: the command Claude Code asked to run, with its own choices by kind.
    const options = page.getByTestId("agent-options");
    await options.waitFor({ timeout: 60_000 }).catch(async (err: unknown) => {
      // What the host said (an agent that failed to start says why there) and what the phone showed.
      await page.screenshot({ path: screenshotPath("claude-failed") });
      console.log(stack!.host.output().slice(-4000));
      throw err;
    });
    await page.getByText(COMMAND).first().waitFor();
    const kinds = await page.getByTestId("agent-option").evaluateAll((els) => els.map((el) => el.getAttribute("data-kind")));
    assert.deepEqual(kinds.slice().sort(), ["allow_always", "allow_once", "reject_once"]);
    assert.equal(existsSync(join(stack!.workspace, "checked.txt")), false, "nothing ran before the person said so");
    assert.match(await page.getByTestId("agent-name").innerText(), /Claude Code/);
    assert.match(await page.locator(".reason").first().innerText(), /The agent says\s+Run the deploy check$/);
    await themedShots(page, "claude", "approval", axe, "Claude Code asks to run a command");
    await page.locator('[data-testid="agent-option"][data-kind="allow_once"]').click();

    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 60_000 });
    assert.equal(readFileSync(join(stack!.workspace, "checked.txt"), "utf8"), "checked\n");
    await page.getByText("The deploy check passed").first().waitFor();
    const rows = await page.getByTestId("tool-row").evaluateAll((els) => els.map((el) => el.getAttribute("data-kind")));
    assert.ok(rows.includes("read") && rows.includes("execute"), `tool rows: ${rows.join(", ")}`);
    await themedShots(page, "claude", "done", axe, "Claude Code's task finished");
    // The model was asked through the adapter: Read's result went back to it with the file's words.
    const asked = JSON.stringify(anthropic.requests.map((r) => r.body.messages));
    assert.ok(asked.includes("The deploy check is: write checked.txt."), "the file Claude Code read went to the model");
    assert.deepEqual(pageErrors, []);
    assert.equal(axe.report(), "", "axe finds nothing on the screens of a Claude Code task");
  });
});
