// End to end, all real: the relay and the headless host as processes from dist/, the PWA in
// headless Chromium at phone size. Pair through the link, compare the code, browse, open a
// file; then check that the relay stored and logged none of it in the clear.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { AxeAudit } from "../support/axe";
import { launchChromium, phoneContext, screenshotPath } from "../support/browser";
import { startRelay } from "../support/phoneStack";
import { startInTerminal, type Proc } from "../support/processes";
import { makeWorkspace } from "../support/workspace";

const DIST = join(__dirname, "..", "..", "dist");
const SECRET_TEXT = "kumquat-7f3e-ratelimit-marker";
const SECRET_NAME = "zebra-quartz-handler.ts";

describe("end to end: pair a phone and browse the workspace", function () {
  this.timeout(120_000);

  let tmp: string;
  let workspace: string;
  let relay: Proc;
  let relayUrl: string;
  let host: Proc | undefined;
  let browser: Browser;
  const axe = new AxeAudit();

  before(async () => {
    if (!existsSync(join(DIST, "relay.js")) || !existsSync(join(DIST, "mobile-web", "index.html"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    tmp = mkdtempSync(join(tmpdir(), "tether-e2e-"));
    workspace = makeWorkspace({
      "README.md": "# e2e workspace\n",
      [`src/api/${SECRET_NAME}`]: `export const marker = "${SECRET_TEXT}";\n`,
      "src/index.ts": "import './api';\n",
      ".env": "TOKEN=never-shown\n",
      ".gitignore": "node_modules/\n",
      "node_modules/x/index.js": "ignored\n",
    });
    ({ proc: relay, url: relayUrl } = await startRelay(join(tmp, "relay")));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await host?.stop();
    await relay?.stop();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  async function openEntry(page: Page, name: string): Promise<void> {
    await page.locator(`[data-testid="dir-entry"][data-name="${name}"]`).click();
  }

  it("pairs after the person confirms the same code, then browses into a folder and opens a file", async () => {
    host = startInTerminal("node", [
      join(DIST, "host.js"),
      "--relay",
      relayUrl,
      "--folder",
      workspace,
      "--name",
      "e2e-laptop",
      "--state-dir",
      join(tmp, "host"),
    ]);
    const link = (await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
    assert.match(host.output(), /Scan this code/);

    const context = await phoneContext(browser);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    // The start page of a phone that has paired with nothing yet.
    await page.goto(relayUrl);
    await page.getByRole("heading", { name: "Pair this phone with your computer" }).waitFor();
    await axe.check(page, "unpaired start page");
    await page.goto(link);

    // The host asks its person; the phone shows the code to compare.
    const prompt = await host.waitFor(/Pair "([^"]+)"\? Check that it shows code (\d{3}-\d{3})/);
    const code = page.getByTestId("pair-code");
    await code.waitFor();
    assert.equal((await code.textContent())?.trim(), prompt[2]);
    assert.equal(new URL(page.url()).hash.includes("pair="), false, "the secret leaves the address bar");
    await page.screenshot({ path: screenshotPath("e2e-pairing-code") });
    await axe.check(page, "pairing code");
    host.write("y\n");
    await host.waitFor(/Paired "/);

    await page.getByTestId("host-name").filter({ hasText: "e2e-laptop" }).first().waitFor();
    await page.getByTestId("host-status").filter({ hasText: "online" }).first().waitFor();
    await page.getByTestId("threads").waitFor();
    await page.getByTestId("tab-files").click();
    const root = page.locator('[data-testid="dir-entry"]');
    await root.first().waitFor();
    const names = await root.evaluateAll((els) => els.map((e) => e.getAttribute("data-name")));
    assert.deepEqual(names, ["src", ".gitignore", "README.md"]);
    await page.screenshot({ path: screenshotPath("e2e-files-root") });
    await axe.check(page, "files root");

    await openEntry(page, "src");
    await page.locator('[data-testid="dir-entry"][data-name="api"]').waitFor();
    await openEntry(page, "api");
    await openEntry(page, SECRET_NAME);
    const view = page.getByTestId("file-view");
    await view.waitFor();
    await page.waitForFunction((t) => document.querySelector('[data-testid="file-view"]')?.textContent?.includes(t), SECRET_TEXT);
    assert.equal(await view.getAttribute("data-path"), `src/api/${SECRET_NAME}`);
    await page.screenshot({ path: screenshotPath("e2e-file-view") });
    await axe.check(page, "file view");

    // Back goes back to the folder.
    await page.goBack();
    await page.locator(`[data-testid="dir-entry"][data-name="${SECRET_NAME}"]`).waitFor();

    // The host runs in its default mode, "ask": the new-task form offers nothing above it.
    await page.getByTestId("tab-threads").click();
    await page.getByTestId("new-task-button").click();
    await page.getByTestId("task-mode-ceiling").waitFor();
    assert.equal((await page.getByTestId("task-mode-ceiling").textContent())?.trim(), "This computer allows up to Ask.");
    const offered = await page
      .getByTestId("task-mode")
      .locator("input")
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    assert.deepEqual(offered, ["ask", "read-only"]);
    assert.equal(await page.getByTestId("task-mode").locator('input[value="ask"]').isChecked(), true);
    await axe.check(page, "new task (ask ceiling)");
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it("has no accessibility violations axe can find on these screens, light or dark", () => {
    assert.equal(axe.found.size, 0, `axe found violations:\n${axe.report()}`);
  });

  it("left nothing readable on the relay: no file text, no file name, no host or phone name", async () => {
    // Stop the relay so SQLite folds its WAL into the database file, then scan every file.
    await host?.stop();
    await relay.stop();
    const dir = join(tmp, "relay");
    const files = readdirSync(dir);
    assert.ok(files.includes("relay.sqlite"));
    const stored = files.map((f) => readFileSync(join(dir, f)).toString("latin1")).join("\n");
    const logged = relay.output();
    for (const needle of [SECRET_TEXT, SECRET_NAME, "e2e-laptop", "e2e workspace", "Chrom"]) {
      assert.equal(stored.includes(needle), false, `relay store contains "${needle}"`);
      assert.equal(logged.includes(needle), false, `relay log contains "${needle}"`);
    }
    // It did store something: the host's sealed profile record.
    assert.ok(stored.length > 0);
  });
});

describe("end to end: an insecure page", function () {
  this.timeout(60_000);

  it("explains that it needs HTTPS or localhost instead of showing a blank page", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "tether-e2e-"));
    const { proc: relay, url } = await startRelay(tmp);
    const browser = await launchChromium(["--host-resolver-rules=MAP tether-lan.test 127.0.0.1"]);
    try {
      const port = new URL(url).port;
      const context = await phoneContext(browser);
      const page = await context.newPage();
      await page.goto(`http://tether-lan.test:${port}/#pair=abc.def.ghi`);
      const notice = page.getByTestId("insecure");
      await notice.waitFor();
      assert.match((await notice.textContent()) ?? "", /HTTPS/);
      await page.screenshot({ path: screenshotPath("e2e-insecure") });
    } finally {
      await browser.close();
      await relay.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
