// Dictation in real Chromium at 360×740, with a stand-in for the browser's speech recognizer
// (the real one needs a microphone and a speech service): a task dictated into the new-task
// form after the phone says whose service hears the audio, a message dictated into a thread's
// composer and sent, recognition kept on the device when the browser can, a refused
// microphone explained, and no button at all where the browser has no recognizer.

import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { AxeAudit } from "../support/axe";
import type { FakeModelServer, OpenAIBody } from "../support/fakeModels";
import { openPairedPhone, startStack, themedShots, type Stack } from "../support/phoneStack";

interface SpeechConfig {
  absent?: boolean;
  /** What `SpeechRecognition.available({ processLocally: true })` answers. */
  available?: string;
  /** Played after start(), 80 ms apart: interim or final text, or an error that ends it. */
  script?: ({ interim: string } | { final: string } | { error: string })[];
}

/** Runs in the page before its own scripts: replaces the browser's recognizer by one the test drives. */
function standIn(): void {
  const config = (): SpeechConfig => JSON.parse(localStorage.getItem("test.speech") ?? "{}") as SpeechConfig;
  const w = window as unknown as Record<string, unknown>;
  if (config().absent) {
    for (const name of ["SpeechRecognition", "webkitSpeechRecognition"])
      Object.defineProperty(window, name, { value: undefined, configurable: true, writable: true });
    return;
  }
  class StandIn {
    lang = "";
    continuous = false;
    interimResults = false;
    processLocally = false;
    onresult: ((e: unknown) => void) | null = null;
    onerror: ((e: unknown) => void) | null = null;
    onend: (() => void) | null = null;
    private ended = false;
    static available(): Promise<string> {
      return Promise.resolve(config().available ?? "downloadable");
    }
    start(): void {
      w.speechStarted = { lang: this.lang, local: this.processLocally, continuous: this.continuous };
      (config().script ?? []).forEach((step, i) =>
        setTimeout(
          () => {
            if (this.ended) return;
            if ("error" in step) {
              this.onerror?.({ error: step.error });
              this.finish();
              return;
            }
            const final = "final" in step;
            const transcript = final ? step.final : step.interim;
            this.onresult?.({ resultIndex: 0, results: [{ isFinal: final, 0: { transcript } }] });
          },
          80 * (i + 1),
        ),
      );
    }
    stop(): void {
      setTimeout(() => this.finish(), 20);
    }
    abort(): void {
      this.finish();
    }
    private finish(): void {
      if (this.ended) return;
      this.ended = true;
      this.onend?.();
    }
  }
  w.SpeechRecognition = StandIn;
  w.webkitSpeechRecognition = StandIn;
}

describe("end to end: dictating a task and a message", function () {
  this.timeout(120_000);
  let stack: Stack;
  let model: FakeModelServer<OpenAIBody>;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  const axe = new AxeAudit();

  const speech = async (config: SpeechConfig, forget = false): Promise<void> => {
    await page.evaluate(
      ({ config, forget }) => {
        localStorage.setItem("test.speech", JSON.stringify(config));
        if (forget) localStorage.removeItem("tether.dictation.told");
      },
      { config, forget },
    );
    await page.reload();
  };
  const openNewTask = async (): Promise<void> => {
    await page
      .locator('[data-testid="back-to-threads"], [data-testid="tab-threads"], [data-testid="task-text"]')
      .first()
      .waitFor();
    // Reloaded on the form itself: it is kept, with the draft cleared.
    if (await page.getByTestId("task-text").isVisible()) return page.getByTestId("task-text").fill("");
    if (await page.getByTestId("back-to-threads").isVisible()) await page.getByTestId("back-to-threads").click();
    await page.getByTestId("tab-threads").click();
    await page.getByTestId("new-task-button").click();
    await page.getByTestId("task-text").waitFor();
  };
  const notice = () => page.getByTestId("dictation-notice");

  before(async () => {
    stack = await startStack({ name: "voice", files: { "api/subscribe.js": "export const subscribe = () => 1;\n" } });
    ({ model } = stack);
    ({ context, page, pageErrors } = await openPairedPhone(stack));
    // As source text: the test runner's compiler names functions through a `__name` helper
    // that exists only in Node, so the page gets a harmless one of its own.
    await context.addInitScript({ content: `var __name = (f) => f;\n(${standIn.toString()})();` });
  });

  after(() => stack?.stop());

  it("says whose service hears the audio, then dictates the task into the field", async () => {
    await speech({
      available: "downloadable",
      script: [{ interim: "add rate" }, { final: "add rate limiting" }, { final: "to /api/subscribe" }],
    });
    await openNewTask();
    await page.getByTestId("task-text").fill("Please");
    assert.equal(await notice().textContent(), "Tap the microphone to dictate.");
    await page.getByTestId("dictate").click();

    const sheet = page.getByTestId("dictation-sheet");
    await sheet.waitFor();
    assert.match(
      (await sheet.textContent()) ?? "",
      /Google's speech service: your voice goes there.*Tether never receives the audio/s,
    );
    await themedShots(page, "voice", "sheet", axe);
    // Nothing is heard before the person agrees.
    assert.equal(await page.evaluate(() => (window as unknown as { speechStarted?: unknown }).speechStarted), undefined);
    await page.getByTestId("dictation-agree").click();

    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid="task-text"]') as HTMLTextAreaElement).value ===
        "Please add rate limiting to /api/subscribe",
    );
    assert.equal(await page.getByTestId("dictate").getAttribute("aria-pressed"), "true");
    assert.match((await notice().textContent()) ?? "", /Listening… Speech is turned into text by Google's speech service/);
    await themedShots(page, "voice", "listening", axe);
    const started = await page.evaluate(() => (window as unknown as { speechStarted: unknown }).speechStarted);
    assert.deepEqual(started, { lang: "en-US", local: false, continuous: true });

    await page.getByTestId("dictate").click();
    await page.locator('[data-testid="dictate"][aria-pressed="false"]').waitFor();
    assert.equal(await notice().textContent(), "Tap the microphone to dictate.");

    model.push({ toolCalls: [{ name: "finish", args: { summary: "Added rate limiting." } }] });
    await page.getByTestId("task-submit").click();
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 30_000 });
    const asked = JSON.stringify(model.requests.at(-1)!.body.messages);
    assert.ok(asked.includes("Please add rate limiting to /api/subscribe"), asked.slice(0, 500));
  });

  it("dictates a message into a thread's composer without asking again, and sends it", async () => {
    await speech({ script: [{ final: "now add a test for it" }] });
    await page.getByTestId("composer-input").waitFor({ timeout: 30_000 });
    await page.getByTestId("dictate").click();
    assert.equal(await page.getByTestId("dictation-sheet").count(), 0);
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="composer-input"]') as HTMLTextAreaElement).value === "now add a test for it",
    );
    // Listening, the microphone keeps its place; stopped, with words in the field, Send takes it.
    assert.equal(await page.getByTestId("composer-send").count(), 0);
    await page.getByTestId("dictate").click();
    await page.getByTestId("composer-send").waitFor();
    assert.equal(await page.getByTestId("dictate").count(), 0);
    model.push({ toolCalls: [{ name: "finish", args: { summary: "Added the test." } }] });
    await page.getByTestId("composer-send").click();
    await page.getByTestId("item-message").filter({ hasText: "now add a test for it" }).waitFor({ timeout: 20_000 });
  });

  it("keeps the audio on the phone when the browser can recognise there, and asks nothing", async () => {
    await speech({ available: "available", script: [{ final: "run the tests" }] }, true);
    await openNewTask();
    await page.getByTestId("dictate").click();
    assert.equal(await page.getByTestId("dictation-sheet").count(), 0);
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="task-text"]') as HTMLTextAreaElement).value === "run the tests",
    );
    assert.match((await notice().textContent()) ?? "", /on this phone; no audio leaves it/);
    const started = await page.evaluate(() => (window as unknown as { speechStarted: { local: boolean } }).speechStarted);
    assert.equal(started.local, true);
    await page.getByTestId("dictate").click();
  });

  it("explains a refused microphone and leaves the field as it was", async () => {
    await speech({ available: "available", script: [{ error: "not-allowed" }] });
    await openNewTask();
    await page.getByTestId("task-text").fill("typed by hand");
    await page.getByTestId("dictate").click();
    await notice().filter({ hasText: "may not use the microphone" }).waitFor();
    assert.equal(await page.getByTestId("dictate").getAttribute("aria-pressed"), "false");
    assert.equal(await page.getByTestId("task-text").inputValue(), "typed by hand");
    await themedShots(page, "voice", "refused", axe);
  });

  it("shows no microphone where the browser has no recognizer", async () => {
    await speech({ absent: true });
    await openNewTask();
    assert.equal(await page.getByTestId("dictate").count(), 0);
    assert.equal(await notice().count(), 0);
    await page.getByTestId("task-text").fill("typed with the keyboard's dictation");
    assert.equal(await page.getByTestId("task-submit").isEnabled(), true);
  });

  it("raised no page errors", () => {
    assert.deepEqual(pageErrors, []);
  });
});
