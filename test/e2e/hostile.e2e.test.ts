// The phone app against hostile content, end to end in real Chromium at 360×740: real relay and
// host processes from dist/, a workspace whose folder, file names and contents carry script,
// a computer and a phone named with markup, and a scripted model whose words, tool arguments,
// diffs, terminal output (ANSI colours, OSC 8 links to `javascript:`) and question try to run
// script too (test/support/hostile.ts). Through the computers, the tasks, the live thread with
// every row open, and the Files tab, nothing may run, nothing may fetch "pwned", no CSP
// violation may be reported, and the payloads must read as text.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium, phoneContext, screenshotPath } from "../support/browser";
import {
  anythingHappened,
  assertClean,
  EXPECTED_COLOURS,
  HOSTILE_FILE,
  HOSTILE_NAME,
  HOSTILE_SVG_NAME,
  HOSTILE_WRITTEN,
  hostileFiles,
  hostileScript,
  type HostileWatch,
  JS,
  liveColours,
  watchHostile,
} from "../support/hostile";
import { quietFor, until } from "../support/wait";
import { startStack, type Stack } from "../support/phoneStack";
import type { Proc } from "../support/processes";

const FOLDER = `<svg onload="${JS}">ws`;
const TASK = `${HOSTILE_NAME} fix [it](javascript:${JS})`;
const ANSWER = `<script>${JS}</script> the first`;
/** The model's name, shown in each task's by-line. */
const MODEL = `gpt<svg onload="${JS}">`;

describe("end to end: hostile content in the phone app runs no script", function () {
  this.timeout(120_000);
  let stack: Stack;
  let relayUrl: string;
  let host: Proc;
  let context: BrowserContext;
  let page: Page;
  let watch: HostileWatch;

  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: screenshotPath(`hostile-${name}`) });
  /** Nothing ran, nothing tried to, and nothing in the DOM could. */
  const clean = (where: string): Promise<void> => assertClean(page, watch, where);
  const text = async (testid: string): Promise<string> => (await page.getByTestId(testid).first().textContent()) ?? "";

  before(async () => {
    stack = await startStack({
      name: "hostile",
      // A folder whose name carries a payload, in a repository whose commit message does too;
      // the Files tab marks what changed.
      workspace: (tmp) => {
        const workspace = join(tmp, FOLDER);
        for (const [rel, content] of Object.entries(hostileFiles())) {
          mkdirSync(dirname(join(workspace, rel)), { recursive: true });
          writeFileSync(join(workspace, rel), content);
        }
        const git = (...args: string[]) =>
          execFileSync("git", ["-c", "user.name=x", "-c", "user.email=x@x", ...args], { cwd: workspace });
        git("init", "-q");
        git("add", "page.html", HOSTILE_FILE);
        git("commit", "-qm", HOSTILE_NAME);
        return workspace;
      },
      script: hostileScript(),
      hostName: HOSTILE_NAME,
      model: MODEL,
      mode: "auto-edit",
    });
    ({ relayUrl, host } = stack);
    const link = (await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
    const browser = stack.onStop(await launchChromium(), (b) => b.close());
    context = stack.onStop(await phoneContext(browser), (c) => c.close());
    watch = await watchHostile(context);
    page = await context.newPage();
    // The phone's name is the one it offers when it pairs: named with markup before pairing.
    await page.goto(`${relayUrl}/#/settings`);
    await page.locator("#device-name").fill(HOSTILE_NAME);
    await page.locator("#device-name").press("Enter");
    await page.getByText("Saved.").waitFor();
    await page.goto("about:blank");
    await page.goto(link);
    await page.getByTestId("threads").waitFor({ timeout: 20_000 });
  });

  after(() => stack?.stop());

  it("serves the app with a strict Content-Security-Policy", async () => {
    const res = await fetch(`${relayUrl}/`);
    const csp = res.headers.get("content-security-policy") ?? "";
    const directives = new Map(
      csp.split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values] as const;
      }),
    );
    assert.deepEqual(directives.get("script-src"), ["'self'"], csp);
    assert.deepEqual(directives.get("style-src"), ["'self'"], csp);
    assert.deepEqual(directives.get("object-src"), ["'none'"], csp);
    assert.deepEqual(directives.get("base-uri"), ["'none'"], csp);
    assert.deepEqual(directives.get("frame-ancestors"), ["'none'"], csp);
    assert.deepEqual(directives.get("frame-src"), ["'none'"], csp);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  });

  it("runs the hostile task with every row open and shows the payloads as text", async () => {
    await page.getByTestId("new-task-button").click();
    await page.getByTestId("task-text").fill(TASK);
    await page.getByTestId("task-mode").locator('input[value="auto-edit"]').check();
    await page.getByTestId("task-submit").click();

    const card = page.getByTestId("approval-card");
    await card.waitFor({ timeout: 30_000 });
    assert.ok((await card.textContent())?.includes('sh show.sh # <img src=x onerror="'), "the command reads as typed");
    await shot("approval");
    await card.getByTestId("approve").click();
    // While the command runs, its colours are drawn, through classes and the CSSOM only.
    const colours = await liveColours(page);
    assert.deepEqual(colours, EXPECTED_COLOURS);
    await page.locator('[data-testid="terminal"][data-live="true"]').scrollIntoViewIfNeeded();
    // Its first lines, where the colours are (it follows the newest while it runs).
    await page.getByTestId("terminal-lines").evaluate((el) => el.scrollTo(0, 0));
    await shot("terminal-live");

    await page.getByTestId("question-card").waitFor({ timeout: 30_000 });
    assert.ok((await text("question-card")).includes(`<img src=x onerror="${JS}">`));
    await page.getByTestId("answer-input").fill(ANSWER);
    await page.getByTestId("answer-send").click();
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 30_000 });

    // Every tool row open, and every diff drawn.
    const closed = page.locator('[data-testid="tool-row"] > button[aria-expanded="false"]');
    while ((await closed.count()) > 0) await closed.first().click();
    const collapsed = page.getByTestId("diff-show");
    while ((await collapsed.count()) > 0) await collapsed.first().click();
    await page.waitForFunction(() => document.querySelector(".d2h-diff-table") !== null);
    await page.getByTestId("terminal").filter({ hasText: "END-OF-TERMINAL" }).first().waitFor();

    const thread = await text("thread");
    for (const shown of [
      "END-OF-HOSTILE-MARKDOWN",
      "END-OF-SUMMARY",
      `<script>${JS}</script>`,
      `[js-link](javascript:${JS})`,
      `<iframe srcdoc="<script>${JS}</script>"></iframe>`,
      ANSWER,
      HOSTILE_WRITTEN,
    ])
      assert.ok(thread.includes(shown), `the thread does not show ${shown}`);
    assert.ok((await text("thread-title")).includes(HOSTILE_NAME), "the title reads as typed");
    assert.ok((await text("item-task")).includes(`${HOSTILE_NAME} · auto-edit · openai:${MODEL}`), await text("item-task"));
    // Who decided: the phone's name, as text.
    assert.ok((await text("decided")).includes(HOSTILE_NAME), await text("decided"));
    const terminal = await page.getByTestId("terminal").filter({ hasText: "END-OF-TERMINAL" }).first().innerText();
    for (const shown of [
      "red-text",
      "orange-256",
      "true-colour",
      "osc8-js-link",
      "osc8-data-link",
      "osc8-https-link",
      "after-title",
    ])
      assert.ok(terminal.includes(shown), `the terminal does not show ${shown}`);
    assert.ok(terminal.includes(`<img src=x onerror="${JS}">`), "the output's HTML reads as text");
    assert.doesNotMatch(terminal, /\[3\dm|\]8;;/, "escape sequences leaked as text");
    const diff = (await page.locator(".d2h-diff-table").first().textContent()) ?? "";
    assert.ok(diff.includes(`<details open ontoggle="${JS}">`), "the diff's HTML reads as text");

    // Click what looks like links: the words are text, so nothing happens.
    const url = page.url();
    for (const label of ["js-link", "data-link", "vb-link", "html-js-link", "osc8-js-link", "form-submit"]) {
      await page.getByText(label).first().click();
    }
    await quietFor("a clicked label ran, fetched or navigated", 300, () => anythingHappened(page, watch, url));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("thread-top");
    await page.getByTestId("terminal").filter({ hasText: "END-OF-TERMINAL" }).first().scrollIntoViewIfNeeded();
    await shot("thread-terminal");
    await page.locator(".d2h-diff-table").first().scrollIntoViewIfNeeded();
    await shot("thread-diff");
    await clean("the thread");
  });

  it("shows the computer's and the task's names as text in the lists", async () => {
    await page.getByTestId("back-to-threads").click();
    await page.getByTestId("thread-row").first().waitFor();
    assert.ok((await text("thread-row")).includes(HOSTILE_NAME));
    await shot("threads");
    await page.goto(`${relayUrl}/#/hosts`);
    await page.getByTestId("host-row").first().waitFor();
    assert.ok((await text("host-row")).includes(HOSTILE_NAME), await text("host-row"));
    await shot("hosts");
    await page.goto(`${relayUrl}/#/settings`);
    await page.getByText("Paired computers").waitFor();
    assert.ok(((await page.locator("body").textContent()) ?? "").includes(HOSTILE_NAME));
    await shot("settings");
    await page.goto(`${relayUrl}/#/add`);
    await page.getByTestId("scan-qr").waitFor();
    await clean("the lists");
  });

  it("lists and opens the hostile files as text and images", async () => {
    await page.goto(`${relayUrl}/#/hosts`);
    await page.getByTestId("host-row").first().click();
    await page.getByTestId("tab-files").click();
    const entry = (name: string) => page.getByTestId("dir-entry").filter({ hasText: name }).first();
    await entry(HOSTILE_FILE).waitFor();
    // Marks from git with these names: the file the task edited, one it wrote, one it left alone.
    await page.locator('[data-testid="dir-entry"][data-name="page.html"][data-git="M"]').waitFor();
    assert.equal(await entry(HOSTILE_WRITTEN).getAttribute("data-git"), "?");
    assert.equal(await entry(HOSTILE_FILE).getAttribute("data-git"), null);
    assert.ok(((await page.locator("body").textContent()) ?? "").includes(FOLDER), "the folder's name reads as text");
    await shot("files");
    for (const name of [HOSTILE_FILE, "page.html", "notes.md", HOSTILE_WRITTEN, "show.sh", "evil.svg", HOSTILE_SVG_NAME]) {
      await entry(name).click();
      const view = page.getByTestId("file-view");
      await view.waitFor();
      if (name.endsWith(".svg")) {
        // An image: drawn, and its script stays inside the image.
        await page.waitForFunction(() => (document.querySelector('[data-testid="file-view"] img') as HTMLImageElement)?.complete);
        const drawn = await view.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth);
        assert.equal(drawn, 120, `${name} is not drawn`);
      } else {
        await page.waitForFunction(() => document.querySelector('[data-testid="file-view"] .hl')?.textContent?.includes("<"));
        const shown = (await view.textContent()) ?? "";
        const expected = name === "show.sh" ? "javascript:top.__pwned=1" : `onerror="${JS}"`;
        assert.ok(shown.includes(expected), `${name} does not show its text`);
      }
      if (name === HOSTILE_FILE) await shot("file-markdown");
      if (name === "page.html") await shot("file-html");
      if (name === HOSTILE_SVG_NAME) await shot("file-svg");
      await clean(`the file ${name}`);
      await page.goBack();
      await entry(name).waitFor();
    }
  });

  it("ran nothing, and the watch would have seen it if it had", async () => {
    await clean("the end");
    assert.deepEqual(watch.pageErrors, []);
    // Markup put in the page on purpose is reported: the watch is awake.
    await page.evaluate((js) => document.body.insertAdjacentHTML("beforeend", `<img src=x onerror="${js}">`), JS);
    await until("the CSP report of the inline handler", () => watch.violations.length > 0, 5_000).catch(() => undefined);
    assert.ok(watch.violations.length > 0, "an inline handler was not reported");
    assert.equal((await watch.sentinel(page)).pwned, undefined, "the CSP let an inline handler run");
  });
});
