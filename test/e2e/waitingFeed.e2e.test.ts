// One phone, two computers, an approval waiting on each: the Computers screen lists both with the
// computer and task they belong to, one is approved from there (its run goes on and it leaves the
// list, the other stays), one decided on its computer leaves too, and with nothing left the
// section is gone. Then: a decision made without a connection waits in the outbox and goes when
// it is back, a question is answered in place, and an offline computer's item has no buttons.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { randomId } from "#protocol";
import { startAgentHost, type AgentHost } from "../support/agentHost";
import { AxeAudit } from "../support/axe";
import { launchChromium, phoneContext, screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { startRelay, type TestRelay } from "../support/relay";
import { until } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const WEB = join(__dirname, "..", "..", "dist", "mobile-web");
const editor = { id: "editor", name: "VS Code" };

interface Computer {
  host: AgentHost;
  model: FakeModelServer<OpenAIBody>;
  workspace: string;
}

describe("end to end: what waits on every computer, on the Computers screen", function () {
  this.timeout(90_000);
  let relay: TestRelay;
  let laptop: Computer;
  let desktop: Computer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const axe = new AxeAudit();

  async function computer(name: string): Promise<Computer> {
    const model = await startFakeOpenAI();
    const workspace = makeWorkspace({ "README.md": `# ${name}\n` });
    const host = await startAgentHost({ relay: relay.url, folder: workspace, modelUrl: model.url, name, mode: "ask" });
    return { host, model, workspace };
  }

  const shots = async (name: string): Promise<void> => {
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: screenshotPath(`waiting-${name}-${scheme}`), fullPage: true });
    }
    await page.emulateMedia({ colorScheme: "light" });
  };

  /** Starts a task that asks to run `command`, then finishes; resolves once the approval waits. */
  async function askToRun(c: Computer, text: string, command: string): Promise<string> {
    c.model.push({ toolCalls: [{ name: "run_command", args: { command, reason: "to check" } }] });
    c.model.push({ toolCalls: [{ name: "finish", args: { summary: `Ran ${command}.` } }] });
    const threadId = randomId(12);
    c.host.threads.newTask({ threadId, text }, editor);
    await until(`${text} to wait for approval`, () => c.host.threads.get(threadId)?.status === "awaiting-approval");
    return threadId;
  }

  before(async () => {
    relay = await startRelay({ webDir: WEB });
    laptop = await computer("laptop");
    desktop = await computer("desktop");
    browser = await launchChromium();
    context = await phoneContext(browser);
    page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    for (const c of [laptop, desktop]) {
      await c?.host.stop();
      await c?.model.close();
      if (c) rmSync(c.workspace, { recursive: true, force: true });
    }
    await relay?.stop();
  });

  it("lists both, is decided in place, and is gone when nothing waits", async () => {
    // One phone paired with both computers.
    await page.goto((await laptop.host.host.openPairing()).url);
    await page.getByTestId("threads").waitFor({ timeout: 20_000 });
    await page.goto((await desktop.host.host.openPairing()).url);
    await page.getByRole("heading", { name: "desktop" }).waitFor({ timeout: 20_000 });

    // Nothing waits yet: no section at all.
    await page.goto(`${relay.url}/#/hosts`);
    await page.getByTestId("host-row").nth(1).waitFor();
    assert.equal(await page.getByTestId("waiting-feed").count(), 0);

    const onLaptop = await askToRun(laptop, "Check the laptop build", "echo laptop-ok");
    const onDesktop = await askToRun(desktop, "Check the desktop build", "echo desktop-ok");

    const items = page.getByTestId("waiting-item");
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="waiting-item"] [data-testid="approval-card"]').length === 2,
      undefined,
      { timeout: 20_000 },
    );
    // Oldest first: the laptop asked first.
    assert.deepEqual(await items.getByTestId("waiting-computer").allInnerTexts(), ["laptop", "desktop"]);
    const texts = await items.allInnerTexts();
    assert.match(texts[0]!, /Check the laptop build[\s\S]*echo laptop-ok[\s\S]*Approve/);
    assert.match(texts[1]!, /Check the desktop build[\s\S]*echo desktop-ok[\s\S]*Approve/);
    // The section comes before the list of computers.
    const feedBox = await page.getByTestId("waiting-feed").boundingBox();
    const rowBox = await page.getByTestId("host-row").first().boundingBox();
    assert.ok(feedBox && rowBox && feedBox.y < rowBox.y);
    await shots("two");
    await axe.check(page, "computers with two approvals waiting");

    // Approved from here: the laptop's run goes on to its end, its item leaves, the desktop's stays.
    const laptopItem = items.filter({ hasText: "Check the laptop build" });
    await laptopItem.getByTestId("approve").click();
    await until("the laptop's run to finish", () => laptop.host.threads.get(onLaptop)?.status === "done");
    await laptopItem.waitFor({ state: "detached", timeout: 10_000 });
    assert.equal(await items.count(), 1);
    assert.deepEqual(await items.getByTestId("waiting-computer").allInnerTexts(), ["desktop"]);
    assert.equal(await items.getByTestId("approve").isEnabled(), true);
    assert.equal(desktop.host.threads.get(onDesktop)?.status, "awaiting-approval");
    const ran = desktop.model.requests.length;
    assert.equal(ran, 1, "the desktop's run went on without a decision");
    await shots("one");
    await axe.check(page, "computers with one approval waiting");

    // Decided on the computer itself: gone from the phone, and with it the whole section.
    const approvalId = desktop.host.threads.get(onDesktop)?.summary("ws").pending[0]?.approvalId;
    assert.ok(approvalId);
    await desktop.host.threads.handle({ type: "decide", threadId: onDesktop, approvalId, decision: "deny" }, editor);
    await page.getByTestId("waiting-feed").waitFor({ state: "detached", timeout: 10_000 });
    await page.getByTestId("host-row").nth(1).waitFor();
    await shots("none");
    await axe.check(page, "computers with nothing waiting");

    // Decided here while the phone has no connection: kept in the outbox and said so, then sent
    // when the connection is back, and the run goes on.
    const retry = await askToRun(desktop, "Check the desktop again", "echo desktop-again");
    await items.getByTestId("approval-card").waitFor({ timeout: 20_000 });
    await context.setOffline(true);
    await page.locator('.status[data-status="offline"], .status[data-status="connecting"]').first().waitFor();
    await items.getByTestId("approve").click();
    const unsent = items.getByTestId("waiting-unsent");
    await unsent.waitFor();
    assert.match(await unsent.innerText(), /echo desktop-again[\s\S]*not sent yet/);
    await shots("unsent");
    await axe.check(page, "computers with a decision not sent yet");
    assert.equal(desktop.host.threads.get(retry)?.status, "awaiting-approval");
    await context.setOffline(false);
    await until("the desktop's second run to finish", () => desktop.host.threads.get(retry)?.status === "done", 30_000);
    await page.getByTestId("waiting-feed").waitFor({ state: "detached", timeout: 10_000 });

    // A question is answered in place the same way, and the agent gets the answer.
    desktop.model.push({ toolCalls: [{ name: "ask_user", args: { question: "Which port should it use?" } }] });
    desktop.model.push((req) =>
      JSON.stringify(req.body.messages).includes("port 8080")
        ? { toolCalls: [{ name: "finish", args: { summary: "Used port 8080." } }] }
        : { status: 500, message: "the answer did not arrive" },
    );
    const asked = randomId(12);
    desktop.host.threads.newTask({ threadId: asked, text: "Pick a port" }, editor);
    const questionCard = items.getByTestId("question-card");
    await questionCard.waitFor({ timeout: 20_000 });
    assert.match(await items.innerText(), /desktop[\s\S]*Pick a port[\s\S]*Which port should it use\?/);
    await shots("question");
    await axe.check(page, "computers with a question waiting");
    await questionCard.getByTestId("answer-input").fill("port 8080");
    await questionCard.getByTestId("answer-send").click();
    await until("the question's run to finish", () => desktop.host.threads.get(asked)?.status === "done");
    await page.getByTestId("waiting-feed").waitFor({ state: "detached", timeout: 10_000 });

    // A computer that drops off the relay while its run waits: the item stays, said to be
    // offline, with nothing to press that could not reach it.
    await askToRun(laptop, "Check the laptop again", "echo again");
    await items.getByTestId("approval-card").waitFor({ timeout: 20_000 });
    laptop.host.host.close();
    const offline = items.getByTestId("waiting-offline");
    await offline.waitFor({ timeout: 20_000 });
    assert.match(await offline.innerText(), /echo again[\s\S]*Computer offline since \d\d:\d\d/);
    assert.equal(await items.getByTestId("approve").count(), 0);
    await shots("offline");
    await axe.check(page, "computers with an offline computer's approval");

    assert.equal(axe.report(), "");
    assert.deepEqual(pageErrors, []);
  });
});
