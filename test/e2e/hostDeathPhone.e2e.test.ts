// A computer killed in the middle of a command, as the phone sees it in real Chromium at
// 360×740: the thread says the computer is offline and the run may have stopped, its clock
// stops, Stop says it goes when the computer is back; once the host starts again, the thread
// ends interrupted with the command stopped (not failed) and the command's process is gone.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { FakeModelServer, OpenAIBody } from "../support/fakeModels";
import { openPairedPhone, startStack, startTask, themedShots, type Stack } from "../support/phoneStack";
import type { Proc } from "../support/processes";
import { quietFor, until } from "../support/wait";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("end to end: the phone when its computer dies mid-command", function () {
  this.timeout(120_000);
  let stack: Stack;
  let workspace: string;
  let host: Proc | undefined;
  let model: FakeModelServer<OpenAIBody>;
  let page: Page;
  let pageErrors: string[];
  let commandPid = 0;

  const shot = (name: string): Promise<void> => themedShots(page, "hostdeath", name);

  before(async () => {
    stack = await startStack({ name: "hostdeath", files: { "README.md": "# api-service\n" }, hostArgs: ["--no-keep-awake"] });
    ({ workspace, host, model } = stack);
    ({ page, pageErrors } = await openPairedPhone(stack));
  });

  after(async () => {
    await stack?.stop();
    if (commandPid && alive(commandPid)) process.kill(-commandPid, "SIGKILL");
  });

  it("says the computer is offline, stops the clock, and ends the run interrupted once it is back", async () => {
    model.push({ toolCalls: [{ name: "run_command", args: { command: "echo $$ > cmd.pid; echo testing; sleep 600" } }] });
    await page.getByTestId("tab-threads").click();
    await startTask(page, "Run the slow suite", "full-auto");
    await page.getByTestId("running-bar").waitFor({ timeout: 30_000 });
    const pidFile = join(workspace, "cmd.pid");
    // The pid file is complete once its line has ended.
    commandPid = await until("the command's pid on disk", () => {
      const text = existsSync(pidFile) ? readFileSync(pidFile, "utf8") : "";
      return /^\d+\n$/.test(text) && Number(text);
    });
    await page
      .getByTestId("thread-offline")
      .waitFor({ state: "detached", timeout: 1000 })
      .catch(() => {});
    assert.equal(await page.getByTestId("thread-offline").count(), 0, "no offline note while the computer is there");

    const proc = host!;
    const exited = new Promise((resolve) => proc.child.once("exit", resolve));
    process.kill(-proc.child.pid!, "SIGKILL");
    await exited;

    const note = page.getByTestId("thread-offline");
    await note.waitFor({ timeout: 30_000 });
    assert.match((await note.textContent()) ?? "", /^Computer offline since \d\d:\d\d; this run may have stopped\.$/);
    const clock = page.getByTestId("running-bar").getByRole("timer");
    const before = await clock.textContent();
    // The clock shows whole seconds: a window over two of them would see it tick.
    await quietFor("a tick of the clock while the computer is offline", 2500, async () => (await clock.textContent()) !== before);
    assert.equal(await page.getByTestId("stop").getAttribute("aria-label"), "Stop the run when the computer is back");
    await page.getByText("Stop and messages are sent when it is back").waitFor();
    await shot("offline");

    assert.ok(alive(commandPid), "the command outlived its host");
    host = stack.startHost({ pair: false });
    await page.locator('[data-testid="thread"][data-status="stopped"]').waitFor({ timeout: 30_000 });
    await note.waitFor({ state: "detached", timeout: 10_000 });
    await page.getByText("the command `echo $$ > cmd.pid; echo testing; sleep 600` that was running was stopped").waitFor();
    assert.equal(await page.getByTestId("tool-row").first().getAttribute("data-state"), "stopped");
    await until("the command's process to be gone", () => !alive(commandPid), 5_000);
    await shot("interrupted");
  });

  it("raised no errors in the page", () => {
    assert.deepEqual(pageErrors, []);
  });
});
