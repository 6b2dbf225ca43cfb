// A computer killed in the middle of a command, as the phone sees it in real Chromium at
// 360×740: the thread says the computer is offline and the run may have stopped, its clock
// stops, Stop says it goes when the computer is back; once the host starts again, the thread
// ends interrupted with the command stopped (not failed) and the command's process is gone.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { pairedPhonePage, screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { start, type Proc } from "../support/processes";
import { quietFor, until } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const DIST = join(__dirname, "..", "..", "dist");

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
  let tmp: string;
  let workspace: string;
  let relay: Proc;
  let host: Proc | undefined;
  let model: FakeModelServer<OpenAIBody>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let relayUrl = "";
  let commandPid = 0;
  const pageErrors: string[] = [];

  const startHost = (pair: boolean): Proc => {
    const args = [join(DIST, "host.js"), "--relay", relayUrl, "--folder", workspace, "--name", "mac-mini"];
    args.push("--state-dir", join(tmp, "host"), "--model", "openai:gpt-test", "--base-url", model.url);
    args.push("--mode", "full-auto", "--no-keep-awake");
    if (pair) args.push("--pair", "--accept-pairing");
    return start("node", args, { env: { OPENAI_API_KEY: "", TETHER_MODEL: "" } });
  };
  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: screenshotPath(`hostdeath-${name}-light`) });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: screenshotPath(`hostdeath-${name}-dark`) });
    await page.emulateMedia({ colorScheme: "light" });
  };

  before(async () => {
    if (!existsSync(join(DIST, "host.js"))) throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    tmp = mkdtempSync(join(tmpdir(), "tether-hostdeath-e2e-"));
    workspace = makeWorkspace({ "README.md": "# api-service\n" });
    model = await startFakeOpenAI();
    relay = start(
      "node",
      [join(DIST, "relay.js"), "--port", "0", "--data-dir", join(tmp, "relay")].concat(["--web-dir", join(DIST, "mobile-web")]),
    );
    relayUrl = (await relay.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    host = startHost(true);
    ({ browser, context, page } = await pairedPhonePage(host, pageErrors));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await host?.stop();
    await relay?.stop();
    await model?.close();
    if (commandPid && alive(commandPid)) process.kill(-commandPid, "SIGKILL");
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("says the computer is offline, stops the clock, and ends the run interrupted once it is back", async () => {
    model.push({ toolCalls: [{ name: "run_command", args: { command: "echo $$ > cmd.pid; echo testing; sleep 600" } }] });
    await page.getByTestId("tab-threads").click();
    await page.getByTestId("new-task-button").click();
    await page.getByTestId("task-text").fill("Run the slow suite");
    await page.getByTestId("task-mode").locator('input[value="full-auto"]').check();
    await page.getByTestId("task-submit").click();
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
    host = startHost(false);
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
