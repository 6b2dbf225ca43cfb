// A diff with a 300-character line on the approval card, in real Chromium at 360×740: the line
// wraps at the screen's width (no sideways scrolling, its end on screen), one number per line,
// and a full-screen view keeps it whole, scrolls sideways, and closes with Escape or its button,
// giving focus back. axe audits both, light and dark; screenshots go to test-results/screenshots/.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { AxeAudit } from "../support/axe";
import { screenshotPath } from "../support/browser";
import type { FakeModelServer, OpenAIBody } from "../support/fakeModels";
import { openPairedPhone, startStack, startTask, themedShots, type Stack } from "../support/phoneStack";

const TAIL = "END-OF-THE-LONG-LINE";
// One long token (no space to break at) then words, 300 characters in all.
const LONG =
  `export const ALLOWED_ORIGINS = "${"a1b2c3d4e5".repeat(20)}"; // the rest of this comment runs on to `.padEnd(
    300 - TAIL.length,
    "-",
  ) + TAIL;

describe("end to end: a long diff line wraps on a phone and opens full screen", function () {
  this.timeout(120_000);
  let stack: Stack;
  let model: FakeModelServer<OpenAIBody>;
  let page: Page;
  let pageErrors: string[];
  const axe = new AxeAudit();

  const shots = (name: string): Promise<void> => themedShots(page, "diffwrap", name, axe);

  before(async () => {
    assert.equal(LONG.length, 300);
    stack = await startStack({ name: "diffwrap", files: { "config.js": "export const PORT = 8080;\n" } });
    ({ model } = stack);
    ({ page, pageErrors } = await openPairedPhone(stack));
  });

  after(() => stack?.stop());

  it("wraps the long line on the approval card, then shows it whole full screen", async () => {
    model.push(
      {
        text: "Adding the allowed origins.",
        toolCalls: [
          {
            name: "edit_file",
            args: {
              path: "config.js",
              old_text: "export const PORT = 8080;",
              new_text: `export const PORT = 8080;\n${LONG}`,
              reason: "list the allowed origins",
            },
          },
        ],
      },
      { toolCalls: [{ name: "finish", args: { summary: "Listed the allowed origins." } }] },
    );
    await startTask(page, "Allow the app's origins", "ask");

    const card = page.getByTestId("approval-card");
    await card.waitFor({ timeout: 30_000 });
    const region = card.locator('[data-testid="diff-region"].d2h');
    await region.waitFor();
    assert.equal(await region.getAttribute("aria-label"), "Diff of config.js");
    assert.equal(await region.getAttribute("tabindex"), "0");
    await region.scrollIntoViewIfNeeded();

    // Wrapped: nothing to scroll sideways, and the line's last characters are on the screen.
    const fit = await region.evaluate((el, tail) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let node: Node | null;
      while ((node = walker.nextNode()) && !node.textContent?.includes(tail));
      if (!node) return null;
      const range = document.createRange();
      const at = node.textContent!.indexOf(tail);
      range.setStart(node, at);
      range.setEnd(node, at + tail.length);
      const tailBox = range.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return {
        scrollWidth: el.scrollWidth,
        clientWidth: el.clientWidth,
        tail: { left: tailBox.left, right: tailBox.right },
        box: { left: box.left, right: box.right },
        page: document.documentElement.scrollWidth,
      };
    }, TAIL);
    assert.ok(fit, "the long line's end is in the diff");
    assert.ok(fit.scrollWidth <= fit.clientWidth, JSON.stringify(fit));
    assert.ok(fit.tail.left >= fit.box.left && fit.tail.right <= fit.box.right, JSON.stringify(fit));
    assert.ok(fit.tail.right <= 360 && fit.page <= 360, JSON.stringify(fit));

    // One gutter: the added lines show their new number once, the old column is empty.
    const numbers = await region
      .locator(".d2h-code-linenumber")
      .evaluateAll((cells) =>
        cells.map((c) => [...c.querySelectorAll(".line-num1, .line-num2")].map((n) => n.textContent?.trim() ?? "")),
      );
    assert.ok(numbers.length >= 2, JSON.stringify(numbers));
    for (const pair of numbers) assert.ok(pair.filter(Boolean).length <= 1, JSON.stringify(numbers));

    // The +/− colouring stays: the added long line has diff2html's insertion class.
    assert.equal((await region.locator(".d2h-ins", { hasText: TAIL }).count()) > 0, true);

    await card.getByTestId("diff").screenshot({ path: screenshotPath("diffwrap-card-light") });
    await shots("card");

    const button = card.getByTestId("diff-fullscreen");
    const target = await button.boundingBox();
    assert.ok(target && target.width >= 44 && target.height >= 44, JSON.stringify(target));
    await button.click();
    const dialog = page.getByTestId("diff-dialog");
    await dialog.waitFor();
    assert.equal(await dialog.evaluate((d) => (d as HTMLDialogElement).open), true);
    const full = dialog.getByTestId("diff-region");
    await full.waitFor();
    assert.equal(await full.getAttribute("aria-label"), "Diff of config.js, full screen");
    // Whole lines: the view scrolls sideways to reach the end of the long one.
    const wide = await full.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
    assert.ok(wide.scrollWidth > wide.clientWidth * 2, JSON.stringify(wide));
    const dialogBox = await dialog.boundingBox();
    assert.ok(dialogBox && dialogBox.width === 360 && dialogBox.height === 740, JSON.stringify(dialogBox));
    await shots("fullscreen");

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "diff-fullscreen");

    await button.click();
    await dialog.waitFor();
    await dialog.getByTestId("diff-dialog-close").click();
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "diff-fullscreen");

    await card.getByTestId("approve").click();
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 30_000 });
  });

  it("found no axe violations and no page errors", () => {
    assert.equal(axe.report(), "");
    assert.deepEqual(pageErrors, []);
  });
});
