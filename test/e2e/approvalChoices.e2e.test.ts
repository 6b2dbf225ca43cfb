// The approval card's words and choices, and the bottom sheets, in real Chromium at 360×740 with
// real relay and host processes from dist/: the card says why it asks in a person's words and
// offers "for the rest of this task" and "Always on this computer"; the latter adds the host's
// rule, so the next task's `npm test` runs without asking. Deny with a message and Revert open
// as bottom sheets that stay inside the visual viewport when it shrinks for the keyboard, with
// the composer hidden. Screenshots light and dark go to test-results/screenshots/.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { AxeAudit } from "../support/axe";
import { screenshotPath } from "../support/browser";
import type { FakeModelServer, FakeTurn, OpenAIBody } from "../support/fakeModels";
import { openPairedPhone, startStack, startTask, themedShots, type Stack } from "../support/phoneStack";
import type { Proc } from "../support/processes";
import { until } from "../support/wait";

const call = (name: string, args: object): FakeTurn => ({ toolCalls: [{ name, args }] });

describe("end to end: the approval card's choices and the bottom sheets at 360 px", function () {
  this.timeout(120_000);
  let stack: Stack;
  let tmp: string;
  let workspace: string;
  let host: Proc;
  let model: FakeModelServer<OpenAIBody>;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  const axe = new AxeAudit();

  const shot = (name: string): Promise<void> => themedShots(page, "card", name, axe);
  const newTask = async (text: string, mode: string): Promise<void> => {
    if (await page.getByTestId("back-to-threads").isVisible()) await page.getByTestId("back-to-threads").click();
    await page.getByTestId("tab-threads").click();
    await startTask(page, text, mode);
    await page.getByTestId("thread").waitFor();
  };
  const threadStatus = (status: string) =>
    page.locator(`[data-testid="thread"][data-status="${status}"]`).waitFor({ timeout: 30_000 });

  /**
   * The keyboard takes the bottom of the screen, two ways: the visual viewport alone shrinks to
   * 400 px (Chrome on Android's default, emulated by a page scale, so the layout viewport keeps
   * 740 px and a sheet at `bottom: 0` would sit behind the keyboard), then the whole viewport
   * does (browsers that resize the page). Each time `button` must lie inside what can be seen and
   * the composer must be hidden. The second is what the screenshots show.
   */
  const aboveKeyboard = async (button: Locator, what: string): Promise<void> => {
    const inside = async (how: string): Promise<void> => {
      const measure = () =>
        button.evaluate((el) => {
          const box = el.getBoundingClientRect();
          const v = window.visualViewport!;
          return { top: box.top, bottom: box.bottom, viewTop: v.offsetTop, viewBottom: v.offsetTop + v.height };
        });
      // The sheet follows the viewport's resize event: give it the frames it takes, then judge.
      await until(
        `${what} inside the visible part`,
        async () => {
          const w = await measure();
          return w.top >= w.viewTop && w.bottom <= w.viewBottom;
        },
        5_000,
      ).catch(() => undefined);
      const where = await measure();
      assert.ok(
        where.top >= where.viewTop && where.bottom <= where.viewBottom,
        `${what} is inside the visible part (${how}): ${JSON.stringify(where)}`,
      );
      assert.equal(await page.getByTestId("composer-input").isVisible(), false, `the composer is hidden (${how})`);
    };
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setPageScaleFactor", { pageScaleFactor: 740 / 400 });
    await page.waitForFunction(() => Math.abs((window.visualViewport?.height ?? 0) - 400) < 2);
    assert.equal(await page.evaluate(() => window.innerHeight), 740, "the layout viewport kept its height");
    await inside("visual viewport 400 px");
    await cdp.send("Emulation.setPageScaleFactor", { pageScaleFactor: 1 });
    await cdp.detach();
    await page.setViewportSize({ width: 360, height: 400 });
    await inside("viewport 360×400");
  };

  before(async () => {
    stack = await startStack({
      name: "card",
      files: {
        "package.json": '{ "scripts": { "test": "echo the tests pass" } }\n',
        "src/limit.js": "export const LIMIT = 10;\n",
      },
    });
    ({ tmp, workspace, host, model } = stack);
    ({ context, page, pageErrors } = await openPairedPhone(stack));
  });

  after(() => stack?.stop());

  it("says why it asks, offers three scopes, keeps the deny sheet above the keyboard, and adds the rule on the computer", async () => {
    model.push(call("run_command", { command: "npm test", reason: "run the tests" }), call("finish", { summary: "Tests pass." }));
    await newTask("Run the tests", "ask");
    const card = page.getByTestId("approval-card");
    await card.waitFor({ timeout: 30_000 });
    assert.equal(await card.getByTestId("approval-why").textContent(), "You chose Ask: each command needs your OK.");
    assert.equal(await card.getByTestId("approve").textContent(), "Approve");
    assert.equal(await card.getByTestId("approve-always").textContent(), "Allow npm test for the rest of this task");
    assert.equal(await card.getByTestId("approve-on-computer").textContent(), "Always on this computer");
    assert.match((await card.textContent()) ?? "", /Allows npm test in every task here; you can remove it on the computer\./);
    // All three within the 360 px screen, each a full-size target.
    for (const id of ["approve", "approve-always", "approve-on-computer"]) {
      const box = await card.getByTestId(id).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360 && box.height >= 44, `${id}: ${JSON.stringify(box)}`);
    }
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath("card-top-light") });
    // Scrolled to the end, as a thumb would: the last buttons clear of the composer; then, if the
    // thread's end pushed the card's top under the bar, back up just enough to show it whole.
    await page.evaluate(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      const top = document.querySelector('[data-testid="approval-card"]')!.getBoundingClientRect().top;
      const bar = document.querySelector("header.header")!.getBoundingClientRect().bottom;
      if (top < bar + 12) window.scrollBy(0, top - bar - 12);
    });
    const box = (await card.boundingBox())!;
    const bar = (await page.locator("header.header").boundingBox())!;
    const composer = (await page.getByTestId("composer").boundingBox())!;
    assert.ok(box.y >= bar.y + bar.height && box.y + box.height <= composer.y, "the card whole between the bar and the composer");
    await shot("three-choices");

    // Deny with a message: a sheet, its field focused, the keyboard up.
    await card.getByTestId("deny").click();
    const sheet = page.getByTestId("deny-sheet");
    await sheet.waitFor();
    assert.ok(await page.getByTestId("deny-message").evaluate((el) => el === document.activeElement));
    await aboveKeyboard(page.getByTestId("deny-send"), "Send denial");
    await shot("deny-sheet-keyboard");
    await page.setViewportSize({ width: 360, height: 740 });
    await sheet.getByRole("button", { name: "Cancel" }).click();
    await sheet.waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("composer-input").isVisible(), true, "the composer is back");

    await card.getByTestId("approve-on-computer").click();
    await threadStatus("done");
    assert.match((await page.getByTestId("decided").first().textContent()) ?? "", /^\s*Allowed on this computer by /);
    await host.waitFor(
      /Allowed `npm test` on this computer \(chosen on .+\)\. To take it back: tether-host rules --remove "npm test"/,
    );
    const kept = JSON.parse(readFileSync(join(tmp, "host", "allow-rules.json"), "utf8")) as { allow: { rule: string }[] };
    assert.deepEqual(
      kept.allow.map((r) => r.rule),
      ["npm test"],
    );
  });

  it("runs the next task's `npm test` without asking, and keeps the Revert sheet above the keyboard", async () => {
    model.push(
      call("edit_file", { path: "src/limit.js", old_text: "10", new_text: "5" }),
      call("run_command", { command: "npm test" }),
      call("finish", { summary: "Lowered the limit; tests pass." }),
    );
    await newTask("Lower the limit and test", "auto-edit");
    await threadStatus("done");
    assert.equal(await page.getByTestId("approval-card").count(), 0, "nothing asked: the rule on the computer allowed it");
    assert.equal(readFileSync(join(workspace, "src/limit.js"), "utf8"), "export const LIMIT = 5;\n");

    await page.getByTestId("revert").click();
    const sheet = page.getByTestId("revert-sheet");
    await sheet.waitFor();
    // Say the keyboard stayed up from typing in the composer: the visible part shrinks to 400 px.
    await aboveKeyboard(page.getByTestId("revert-confirm"), "Revert files");
    await shot("revert-sheet-keyboard");
    await page.setViewportSize({ width: 360, height: 740 });
    await page.getByTestId("revert-confirm").click();
    await sheet.waitFor({ state: "detached" });
    assert.equal(readFileSync(join(workspace, "src/limit.js"), "utf8"), "export const LIMIT = 10;\n");
    assert.deepEqual(pageErrors, []);
    assert.equal(axe.report(), "", "axe finds nothing on the card or the sheets");
  });
});
