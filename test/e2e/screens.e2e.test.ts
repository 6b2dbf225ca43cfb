// Screen economy at 360x740, end to end in real Chromium against the real relay and host from
// dist/: the computer sits in the top bar of the thread and file screens, the new-task form keeps
// Start task above the keyboard, every touch target on these screens is 44x44 or more, and the
// file browser searches the workspace through the computer (never its secrets or ignored files)
// and opens a match at its line. Screens are shot light and dark and audited by axe.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { AxeAudit } from "../support/axe";
import type { FakeModelServer, OpenAIBody } from "../support/fakeModels";
import { openPairedPhone, startStack, themedShots, type Stack } from "../support/phoneStack";
import type { Proc } from "../support/processes";
import { smallTouchTargets } from "../support/touchTargets";
import { until } from "../support/wait";

const WORD = "quokka";
/** The line of `src/quokkaFinder.ts` that holds the word: far enough down to need a scroll. */
const MATCH_LINE = 48;
const PHONE = { width: 360, height: 740 };
/** The phone with its on-screen keyboard up: what is left of the screen above it. */
const KEYBOARD_UP = { width: 360, height: 420 };

const finder = [
  ...Array.from({ length: MATCH_LINE - 1 }, (_, i) => `export const step${i + 1} = ${i + 1};`),
  `// the ${WORD} is found here`,
  ...Array.from({ length: 40 }, (_, i) => `export const after${i + 1} = ${i + 1};`),
].join("\n");

describe("end to end: screens that fit a phone, and search in the workspace", function () {
  this.timeout(120_000);
  let stack: Stack;
  let host: Proc;
  let model: FakeModelServer<OpenAIBody>;
  let page: Page;
  let pageErrors: string[];
  const axe = new AxeAudit();

  const shot = (name: string): Promise<void> => themedShots(page, "screens", name, axe);

  /**
   * The element's box lies wholly inside the viewport and, unless it lets taps through (a mark),
   * nothing covers its middle.
   */
  const inView = (selector: string, tappable = true): Promise<boolean> =>
    page.evaluate(
      ([selector, tappable]) => {
        const el = document.querySelector(selector as string);
        if (!el) return false;
        const box = el.getBoundingClientRect();
        if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) return false;
        if (!tappable) return true;
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return hit !== null && (hit === el || el.contains(hit));
      },
      [selector, tappable] as const,
    );

  before(async () => {
    stack = await startStack({
      name: "screens",
      files: {
        [`src/${WORD}Finder.ts`]: `${finder}\n`,
        "src/a/index.ts": "export {};\n",
        "README.md": `# Field notes\n\nWhere is the ${WORD}?\n`,
        ".env": `API_TOKEN=${WORD}-secret\n`,
        [`build/${WORD}.js`]: `${WORD} in a build folder\n`,
        ".gitignore": "build/\n",
      },
      hostName: "mac-mini-in-the-upstairs-study",
    });
    ({ host, model } = stack);
    ({ page, pageErrors } = await openPairedPhone(stack));
  });

  after(() => stack?.stop());

  it("keeps Start task above the keyboard, with the mode a one-row choice that says what it means", async () => {
    await page.getByTestId("new-task-button").click();
    const text = page.getByTestId("task-text");
    await text.fill(`Find the ${WORD} and write down where it is`);
    const explain = page.getByTestId("task-mode-explain");
    assert.match((await explain.textContent()) ?? "", /asks before each edit/);
    // A tap on the segment's word chooses it.
    await page.getByTestId("task-mode").locator("label", { hasText: "Read-only" }).click();
    assert.ok(await page.getByTestId("task-mode").locator('input[value="read-only"]').isChecked());
    assert.match((await explain.textContent()) ?? "", /changes nothing/);
    const segments = await page
      .getByTestId("task-mode")
      .locator("label")
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    assert.equal(new Set(segments).size, 1, `the modes sit on one row: ${segments.join(", ")}`);

    // The draft, mode included, survives a reload.
    await page.reload();
    await text.waitFor();
    assert.equal(await text.inputValue(), `Find the ${WORD} and write down where it is`);
    assert.ok(await page.getByTestId("task-mode").locator('input[value="read-only"]').isChecked());

    await text.focus();
    await page.setViewportSize(KEYBOARD_UP);
    await until("Start task above the keyboard", () => inView('[data-testid="task-submit"]'), 5_000).catch(() => undefined);
    assert.ok(await inView('[data-testid="task-submit"]'), "Start task is hidden by the keyboard");
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 on the new task form");
    await shot("new-task-keyboard");
    await page.setViewportSize(PHONE);
    await page.getByTestId("task-mode").locator("label", { hasText: "Ask" }).click();
    await shot("new-task");
  });

  it("names the computer and its state in the top bar of a thread, not in a block above it", async () => {
    model.push({ toolCalls: [{ name: "finish", args: { summary: `The ${WORD} is in src/${WORD}Finder.ts.` } }] });
    await page.getByTestId("task-submit").click();
    await page.getByTestId("thread").waitFor();
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 30_000 });

    const bar = page.getByTestId("bar-host");
    assert.equal(await page.getByTestId("bar-host-name").textContent(), "mac-mini-in-the-upstairs-study");
    assert.equal(await page.getByTestId("bar-host-state").textContent(), "online");
    const barBox = (await bar.boundingBox())!;
    assert.ok(barBox.height <= 52, `the computer takes one line of the bar (${barBox.height} px)`);
    // The long name is cut, the state never is.
    assert.ok(await inView('[data-testid="bar-host-state"]'), "the computer's state is visible");
    const cut = await page
      .getByTestId("bar-host-name")
      .evaluate((el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow === "ellipsis");
    assert.ok(cut, "the long name ends in an ellipsis");
    const titleTop = (await page.getByTestId("thread-title").boundingBox())!.y;
    assert.ok(titleTop < 140, `the thread's title starts ${titleTop} px down`);

    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 on the thread screen");
    await shot("thread");
  });

  it("finds files and lines on the computer, never its secrets, and opens a match at its line", async () => {
    await page.getByTestId("bar-host").click();
    await page.getByTestId("tab-files").click();
    await page.locator('[data-testid="dir-entry"][data-name="src"]').waitFor();
    // The file screen keeps the computer in the bar too; no block above the files.
    assert.equal(await page.getByTestId("bar-host-state").textContent(), "online");
    const searchTop = (await page.getByTestId("search-input").boundingBox())!.y;
    assert.ok(searchTop < 150, `the search box starts ${searchTop} px down`);
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 on the file list");

    const input = page.getByTestId("search-input");
    await input.fill("zz-no-such-word-zz");
    await page.getByTestId("search-progress").waitFor();
    await page.getByTestId("search-empty").waitFor();
    assert.match((await page.getByTestId("search-empty").textContent()) ?? "", /No matches for “zz-no-such-word-zz”/);

    await input.fill(WORD);
    await page.getByTestId("search-lines").waitFor();
    const files = await page.getByTestId("search-file").evaluateAll((els) => els.map((e) => e.getAttribute("data-path")));
    assert.deepEqual(files, [`src/${WORD}Finder.ts`]);
    const lines = await page
      .getByTestId("search-line")
      .evaluateAll((els) => els.map((e) => `${e.getAttribute("data-path")}:${e.getAttribute("data-line")}`));
    assert.deepEqual(lines, ["README.md:3", `src/${WORD}Finder.ts:${MATCH_LINE}`]);
    const shown = (await page.getByTestId("workspace-search").textContent()) ?? "";
    for (const hidden of ["secret", "build folder", ".env"]) assert.ok(!shown.includes(hidden), `${hidden} in the results`);
    assert.equal(await page.getByTestId("search-capped").count(), 0);
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 in the search results");
    await shot("search-results");

    await page.locator(`[data-testid="search-line"][data-line="${MATCH_LINE}"]`).click();
    await page.locator(`[data-testid="file-view"][data-path="src/${WORD}Finder.ts"]`).waitFor();
    await page.getByTestId("line-mark").waitFor();
    // The line is scrolled to once the file is drawn.
    await until("the matching line in view", () => inView('[data-testid="line-mark"]', false), 5_000).catch(() => undefined);
    assert.match((await page.getByTestId("file-line").textContent()) ?? "", new RegExp(`at line ${MATCH_LINE}`));
    assert.ok(await inView('[data-testid="line-mark"]', false), "the matching line is scrolled into view");
    assert.equal(await page.getByTestId("bar-host-state").textContent(), "online");
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 on the file viewer");
    await shot("file-at-line");

    // Back to the folder: the search and its results are still there.
    await page.goBack();
    await page.getByTestId("search-lines").waitFor();
    assert.equal(await input.inputValue(), WORD);
  });

  it("says in the bar since when the computer is offline", async () => {
    await page.getByTestId("tab-threads").click();
    await page.getByTestId("thread-row").first().click();
    await page.getByTestId("thread").waitFor();
    await host.stop();
    const state = page.getByTestId("bar-host-state");
    await page.waitForFunction(
      () => document.querySelector('[data-testid="bar-host-state"]')?.textContent?.startsWith("offline since"),
      undefined,
      { timeout: 30_000 },
    );
    assert.match((await state.textContent()) ?? "", /^offline since \d\d:\d\d$/);
    assert.ok(await inView('[data-testid="bar-host-state"]'), "the offline state is not cut off");
    await page.getByTestId("thread-offline").waitFor();
    await shot("thread-offline");
    assert.equal(axe.report(), "", "axe violations");
    assert.deepEqual(pageErrors, []);
  });
});
