// A 1500-line diff (drawn a window at a time) with a 300-character line on the approval card,
// in real Chromium at 360×740: its rows wrap at the screen's width like a short diff's, so the
// long line's end is on screen without sideways scrolling, and the diff's last line can be
// scrolled to (row heights worked out for the width add up, wide characters included).
// axe audits the card, light and dark; screenshots go to test-results/screenshots/.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { AxeAudit } from "../support/axe";
import type { FakeModelServer, OpenAIBody } from "../support/fakeModels";
import { openPairedPhone, startStack, startTask, themedShots, type Stack } from "../support/phoneStack";

const TAIL = "END-OF-THE-LONG-LINE";
const LONG =
  `export const ALLOWED = "${"a1b2c3d4e5".repeat(20)}"; // and the rest runs on `.padEnd(300 - TAIL.length, "-") + TAIL;
const LAST = "export const LAST_LINE = true;";
// 1500 lines: short ones, the long one near the end, a line of wide characters, and a last one.
const CONTENT = [
  ...Array.from({ length: 1480 }, (_, i) => `export const value${i} = ${i};`),
  LONG,
  ...Array.from({ length: 10 }, (_, i) => `export const after${i} = ${i};`),
  `export const GREETING = "${"日本語のテキスト".repeat(12)}";`,
  ...Array.from({ length: 7 }, (_, i) => `export const end${i} = ${i};`),
  LAST,
].join("\n");

describe("end to end: a long diff wraps on a phone", function () {
  this.timeout(120_000);
  let stack: Stack;
  let model: FakeModelServer<OpenAIBody>;
  let page: Page;
  let pageErrors: string[];
  const axe = new AxeAudit();

  before(async () => {
    assert.equal(LONG.length, 300);
    assert.equal(CONTENT.split("\n").length, 1500);
    stack = await startStack({ name: "longdiff", files: { "README.md": "# api\n" } });
    ({ model } = stack);
    ({ page, pageErrors } = await openPairedPhone(stack));
  });

  after(() => stack?.stop());

  it("wraps the windowed diff at the screen's width, to its last line", async () => {
    model.push(
      { toolCalls: [{ name: "write_file", args: { path: "values.js", content: CONTENT, reason: "list the values" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "Listed the values." } }] },
    );
    await startTask(page, "List the values", "ask");

    const card = page.getByTestId("approval-card");
    await card.waitFor({ timeout: 30_000 });
    await card.getByTestId("diff-show").click();
    const region = card.getByTestId("diff-window");
    await region.waitFor();
    assert.ok(Number(await region.getAttribute("data-rows")) > 1500, "drawn a window at a time");

    // Scrolled to the end (again while measured rows settle): the last line is on screen.
    const end = await region.evaluate(async (el, last) => {
      for (let i = 0; i < 5; i++) {
        el.scrollTop = el.scrollHeight;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      }
      const row = [...el.querySelectorAll(".dl")].find((r) => r.textContent?.includes(last));
      const box = el.getBoundingClientRect();
      const rowBox = row?.getBoundingClientRect();
      return rowBox && { row: { top: rowBox.top, bottom: rowBox.bottom }, box: { top: box.top, bottom: box.bottom } };
    }, LAST);
    assert.ok(end, "the last line is drawn at the end");
    assert.ok(end.row.top >= end.box.top && end.row.bottom <= end.box.bottom + 1, JSON.stringify(end));

    // The long line: wrapped, its end inside the diff and the screen, nothing to scroll sideways.
    const longRow = region.locator(".dl", { hasText: TAIL });
    await longRow.scrollIntoViewIfNeeded();
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
        tail: { left: tailBox.left, right: tailBox.right, top: tailBox.top, bottom: tailBox.bottom },
        box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom },
        rowHeight: (node.parentElement!.closest(".dl") as HTMLElement).offsetHeight,
        page: document.documentElement.scrollWidth,
      };
    }, TAIL);
    assert.ok(fit, "the long line is drawn");
    assert.ok(fit.scrollWidth <= fit.clientWidth, JSON.stringify(fit));
    assert.ok(fit.rowHeight >= 5 * 20, `wrapped onto several lines: ${JSON.stringify(fit)}`);
    assert.ok(fit.tail.left >= fit.box.left && fit.tail.right <= fit.box.right, JSON.stringify(fit));
    assert.ok(fit.tail.top >= fit.box.top && fit.tail.bottom <= fit.box.bottom, JSON.stringify(fit));
    assert.ok(fit.tail.right <= 360 && fit.page <= 360, JSON.stringify(fit));

    await themedShots(page, "longdiff", "card", axe, "long diff");

    await card.getByTestId("approve").click();
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 30_000 });
  });

  it("found no axe violations and no page errors", () => {
    assert.equal(axe.report(), "");
    assert.deepEqual(pageErrors, []);
  });
});
