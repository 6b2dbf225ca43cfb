// Retry and Continue on a phone in real Chromium at 360×740, against the built host and relay
// with a scripted model: a task whose model fails is retried as a new thread with the same
// prompt and mode, which runs and finishes; a task stopped at its approval is continued in the
// same thread, whose follow-up the model reads with everything before it. axe audits the
// screen with the offer, light and dark; screenshots go to test-results/screenshots/.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { AxeAudit } from "../support/axe";
import type { FakeModelServer, OpenAIBody } from "../support/fakeModels";
import { openPairedPhone, startStack, startTask, themedShots, type Stack } from "../support/phoneStack";

const CONTINUE_TEXT = "Continue where you stopped.";

/** Text of every message of a recorded request. */
const said = (body: OpenAIBody): string => JSON.stringify(body.messages);

describe("end to end: Retry and Continue on a phone", function () {
  this.timeout(120_000);
  let stack: Stack;
  let model: FakeModelServer<OpenAIBody>;
  let page: Page;
  let pageErrors: string[];
  const axe = new AxeAudit();

  const shots = async (name: string): Promise<void> => {
    // Where a person reads how the run ended: the offer whole, above the composer (scrolled
    // only as far as that needs); without an offer, the thread's end.
    await page.evaluate(() => {
      const offer = document.querySelector('[data-testid="ended-offer"]');
      const composer = document.querySelector('[data-testid="composer"]');
      if (!offer) window.scrollTo(0, document.documentElement.scrollHeight);
      if (!offer || !composer) return;
      const hidden = offer.getBoundingClientRect().bottom + 12 - composer.getBoundingClientRect().top;
      if (hidden > 0) window.scrollBy(0, hidden);
    });
    await themedShots(page, "retry", name, axe);
  };

  const threadIdOf = (url: string): string => /\/t\/([^/?#]+)/.exec(decodeURIComponent(url))?.[1] ?? url;
  const statusIs = (status: string) =>
    page.locator(`[data-testid="thread"][data-status="${status}"]`).waitFor({ timeout: 30_000 });

  before(async () => {
    stack = await startStack({ name: "retry", files: { "README.md": "# api\n" } });
    ({ model } = stack);
    ({ page, pageErrors } = await openPairedPhone(stack));
  });

  after(() => stack?.stop());

  it("retries a failed task as a new thread with the same prompt and mode, which finishes", async () => {
    // A request the provider refuses outright: not retried by the host, the run fails.
    model.push({ status: 400, message: "This model does not accept that request." });
    await startTask(page, "Summarise the README", "read-only");
    await statusIs("failed");
    const failedUrl = page.url();

    const offer = page.getByTestId("ended-offer");
    await offer.waitFor();
    assert.equal(await offer.getAttribute("data-ended"), "failed");
    assert.match(await offer.innerText(), /This run failed\./);
    for (const name of ["retry", "continue"]) {
      const box = await offer.getByTestId(name).boundingBox();
      assert.ok(box && box.height >= 44 && box.width >= 44 && box.x + box.width <= 360, `${name}: ${JSON.stringify(box)}`);
    }
    await shots("failed");

    model.push({ text: "The README is a title.", toolCalls: [{ name: "finish", args: { summary: "Summarised it." } }] });
    await offer.getByTestId("retry").click();
    await page.waitForURL((url) => url.href !== failedUrl, { timeout: 15_000 });
    await statusIs("done");
    assert.notEqual(threadIdOf(page.url()), threadIdOf(failedUrl), "a new thread");
    assert.equal(await page.getByTestId("thread-title").innerText(), "Summarise the README");
    assert.equal(await page.getByTestId("ended-offer").count(), 0, "no offer on a finished thread");

    // The model saw the same prompt, in the same mode, on the same model.
    assert.equal(model.requests.length, 2);
    const [first, retried] = model.requests.map((r) => r.body);
    assert.equal(retried!.model, first!.model);
    assert.match(said(retried!), /Summarise the README/);
    assert.match(said(retried!), /Read-only mode/);

    // The failed thread stays as it was, in the list with the new one.
    await page.getByTestId("back-to-threads").click();
    await page.getByTestId("threads").waitFor();
    assert.equal(await page.getByText("Summarise the README").count(), 2);
  });

  it("continues a stopped task in the same thread, which finishes", async () => {
    model.push({
      text: "Running the tests first.",
      toolCalls: [{ name: "run_command", args: { command: "npm test", reason: "see what fails" } }],
    });
    await startTask(page, "Make the tests pass", "ask");
    await page.getByTestId("approval-card").waitFor({ timeout: 30_000 });
    const threadUrl = page.url();
    await page.getByTestId("stop").click();
    await statusIs("stopped");

    const offer = page.getByTestId("ended-offer");
    await offer.waitFor();
    assert.equal(await offer.getAttribute("data-ended"), "stopped");
    await shots("stopped");

    model.push({ toolCalls: [{ name: "finish", args: { summary: "Left the tests for later." } }] });
    const before = model.requests.length;
    await offer.getByTestId("continue").click();
    await statusIs("done");
    assert.equal(page.url(), threadUrl, "the same thread");
    assert.equal(await page.getByTestId("ended-offer").count(), 0);
    await page.getByText(CONTINUE_TEXT).first().waitFor();

    // The follow-up reached the model with the thread so far, in the task's mode.
    assert.equal(model.requests.length, before + 1);
    const resumed = said(model.requests.at(-1)!.body);
    assert.match(resumed, /Make the tests pass/);
    assert.match(resumed, /Running the tests first\./);
    assert.ok(resumed.indexOf(CONTINUE_TEXT) > resumed.indexOf("Make the tests pass"), resumed);
    await shots("continued");
  });

  it("found no axe violations and no page errors", () => {
    assert.equal(axe.report(), "");
    assert.deepEqual(pageErrors, []);
  });
});
