// A computer with no model, as the phone sees it in real Chromium at 360×740: the new-task
// form says so before anything is typed, with what to do on the computer, and still lets the
// person send. Restarted with a model server that is not running, the computer checks again
// and the form says it could not reach it, and why. Real relay and host processes from dist/.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { AxeAudit } from "../support/axe";
import { launchChromium, phoneContext } from "../support/browser";
import { DIST, requireBuiltHost, startRelay, themedShots } from "../support/phoneStack";
import { start, type Proc } from "../support/processes";
import { makeWorkspace } from "../support/workspace";

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("end to end: the new-task form when the computer's model is missing or unreachable", function () {
  this.timeout(120_000);
  let tmp: string;
  let workspace: string;
  let relay: Proc;
  let host: Proc | undefined;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let relayUrl = "";
  const audit = new AxeAudit();
  const pageErrors: string[] = [];

  const startHost = (modelArgs: string[], pair: boolean): Proc => {
    const args = [join(DIST, "host.js"), "--relay", relayUrl, "--folder", workspace, "--name", "studio"];
    args.push("--state-dir", join(tmp, "host"), "--no-keep-awake", ...modelArgs);
    if (pair) args.push("--pair", "--accept-pairing");
    // No model from the environment this test runs in.
    const env = { OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "", TETHER_MODEL: "", OPENAI_BASE_URL: "" };
    return start("node", args, { env });
  };
  const shot = (name: string): Promise<void> => themedShots(page, "modelcheck", name);

  before(async () => {
    requireBuiltHost();
    tmp = mkdtempSync(join(tmpdir(), "tether-modelcheck-e2e-"));
    workspace = makeWorkspace({ "README.md": "# site\n" });
    ({ proc: relay, url: relayUrl } = await startRelay(join(tmp, "relay")));
    browser = await launchChromium();
    context = await phoneContext(browser);
    page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await host?.stop();
    await relay?.stop();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("says there is no model before anything is typed, and says what to do on the computer", async () => {
    host = startHost([], true);
    await host.waitFor(/No model is configured, so tasks fail until one is set/);
    const link = (await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
    await page.goto(link);
    await page.getByTestId("threads").waitFor({ timeout: 20_000 });
    await page.getByTestId("tab-threads").click();
    await page.getByTestId("new-task-button").click();

    const notice = page.getByTestId("model-notice");
    await notice.waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId("task-text").inputValue(), "", "nothing typed yet");
    const text = ((await notice.textContent()) ?? "").replace(/\s+/g, " ").trim();
    assert.match(text, /^This computer has no model set up\./);
    assert.match(text, /On the computer: run tether-host --model … or set tether\.model\.\* in VS Code\./);
    // The notice sits above the form, and sending stays possible.
    const noticeBox = (await notice.boundingBox())!;
    const formBox = (await page.getByTestId("new-task").boundingBox())!;
    assert.ok(noticeBox.y + noticeBox.height <= formBox.y, "the notice is above the form");
    await page.getByTestId("task-text").fill("Fix the header");
    assert.equal(await page.getByTestId("task-submit").isEnabled(), true);
    await page.getByTestId("task-text").fill("");
    await audit.check(page, "new task, no model");
    await shot("missing");
  });

  it("after a restart with a model server that is not running, says it could not reach it and why", async () => {
    await host!.stop();
    const port = await closedPort();
    host = startHost(["--model", "openai:gpt-test", "--base-url", `http://127.0.0.1:${port}/v1`], false);
    const printed = await host.waitFor(/Model check: (.*)/, 30_000);
    assert.match(printed[1]!, new RegExp(`at 127\\.0\\.0\\.1:${port}: nothing is listening there \\(connection refused\\)`));

    const notice = page.getByTestId("model-notice");
    await page.waitForFunction(
      () => /could not reach/.test(document.querySelector('[data-testid="model-notice"]')?.textContent ?? ""),
      undefined,
      { timeout: 30_000 },
    );
    const text = ((await notice.textContent()) ?? "").replace(/\s+/g, " ").trim();
    assert.match(
      text,
      new RegExp(
        `^The computer could not reach its model server at 127\\.0\\.0\\.1:${port}: nothing is listening there \\(connection refused\\); start the model server\\.`,
      ),
    );
    await audit.check(page, "new task, model unreachable");
    await shot("unreachable");
    assert.equal(audit.report(), "", audit.report());
    assert.deepEqual(pageErrors, []);
  });
});
