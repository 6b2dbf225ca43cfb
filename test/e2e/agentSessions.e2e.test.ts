// Continuing, from the phone, an outside agent's session started on the computer, in real
// Chromium at 360×740: the PWA from dist/ served by a real relay process, the host's side taken
// on the wire (support/rawHost.ts) to answer the sealed `agent-sessions` call exactly as told:
// slowly (the loading state), with a list holding hostile titles, with the host's error, and
// "cannot list". The `new-task` the phone sends is opened with its own command key and checked,
// and a thread whose history was said on the computer reads as such.
// Screenshots in light and dark go to test-results/screenshots/agent-sessions-*.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import {
  ErrorCode,
  open,
  PAIRWISE_EPOCH,
  seal,
  sealContext,
  sealedCommandSchema,
  type AgentSessionsResult,
  type Command,
  type CommandForward,
  type HostProfile,
  type RpcCall,
  type RpcReply,
  type ThreadEvent,
} from "#protocol";
import { AxeAudit } from "../support/axe";
import { screenshotPath } from "../support/browser";
import { Cleanup } from "../support/cleanup";
import { JS } from "../support/hostile";
import { pwaFixture, type PwaFixture } from "../support/pwaFixture";
import { smallTouchTargets } from "../support/touchTargets";
import { until } from "../support/wait";

const DIST = join(__dirname, "..", "..", "dist");
const THREAD = "continued-thread-1";
const phoneRef = { id: "p", name: "e2e phone" };
const EVIL = `<img src=x onerror="${JS}">`;
const MIN = 60_000;

const profile: HostProfile = {
  name: "work-laptop",
  workspace: "api",
  platform: "linux",
  version: "1.0.0",
  models: ["openai:gpt-5"],
  maxMode: "full-auto",
  defaultAgent: "claude",
  agents: [
    { id: "tether", name: "Tether", installed: true },
    { id: "claude", name: "Claude Code", installed: true },
    { id: "codex", name: "Codex", installed: true },
    { id: "gemini", name: "Gemini CLI", installed: true },
    { id: "goose", name: "Goose", installed: true },
  ],
};

/** Ages half a unit past a whole one: the phone's clock ticks every 30 s, so it may lag. */
function claudeSessions(now: number): AgentSessionsResult["sessions"] {
  return [
    { sessionId: "0b5c1e7a-monday", title: "Fix the Monday bug in the date helper", updatedAt: now - 5.5 * MIN },
    { sessionId: "9f31aa02-evil", title: `Rename ${EVIL} everywhere`, updatedAt: now - 3.5 * 60 * MIN },
    { sessionId: "c4d2e6f8-1234-4abc-9def-001122334455", updatedAt: now - 26.5 * 60 * MIN },
    {
      sessionId: "long-title",
      title: "Move the billing service's retry loop behind a feature flag and write the migration notes for the ops team",
      updatedAt: now - 4.5 * 24 * 60 * MIN,
    },
    { sessionId: "s5", title: "Upgrade vite", updatedAt: now - 9.5 * 24 * 60 * MIN },
    { sessionId: "s6", title: "Flaky websocket test" },
    { sessionId: "s7", title: "Seventh session", updatedAt: now - 40 * 24 * 60 * MIN },
  ];
}

function continuedEvents(t0: number): ThreadEvent[] {
  const history = { id: "agent-history", name: "on the computer" };
  const at = (i: number): number => t0 + i * 1000;
  return [
    {
      at: at(0),
      type: "task",
      text: "Now add a test for Sundays",
      title: "Fix the Monday bug in the date helper",
      workspace: "api",
      mode: "ask",
      model: "",
      by: phoneRef,
      agent: { id: "claude", name: "Claude Code" },
    },
    { at: at(1), type: "status", status: "running" },
    { at: at(2), type: "user-message", text: `Fix the Monday bug in the date helper ${EVIL}`, by: history },
    { at: at(3), type: "assistant-text", text: "`getDay()` reads the local zone; I switched it to `getUTCDay()`." },
    { at: at(4), type: "user-message", text: "Thanks. Leave the tests for now.", by: history },
    { at: at(5), type: "assistant-text", text: "Understood." },
    { at: at(6), type: "assistant-text", text: "Added `dayOf` tests for Sunday in src/date.test.ts." },
    { at: at(7), type: "status", status: "done" },
  ];
}

describe("end to end: continuing an outside agent's session from the phone", function () {
  this.timeout(180_000);
  const cleanup = new Cleanup();
  const axe = new AxeAudit();
  let tmp: string;
  let fx: PwaFixture;
  let page: Page;
  const pageErrors: string[] = [];
  const received: Command[] = [];
  /** The calls the phone made, in order. */
  const calls: RpcCall[] = [];
  /** Claude Code's answer waits for this, so the loading state can be seen. */
  let release: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();

  const shot = async (name: string): Promise<void> => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.screenshot({ path: screenshotPath(`agent-sessions-${name}-light`) });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: screenshotPath(`agent-sessions-${name}-dark`) });
    await page.emulateMedia({ colorScheme: "light" });
  };
  /** Scrolls what a screenshot is about to just under the top bar. */
  const toTop = (testId: string): Promise<unknown> =>
    page.evaluate(
      `document.querySelector('[data-testid="${testId}"]').scrollIntoView({ block: "start" }); window.scrollBy(0, -72)`,
    );
  const sessionCalls = (): RpcCall[] => calls.filter((c) => c.type === "agent-sessions");

  async function answer(call: RpcCall): Promise<RpcReply> {
    calls.push(call);
    if (call.type !== "agent-sessions") return { ok: false, code: ErrorCode.BadRequest, message: "not in this test" };
    const listed = (sessions: AgentSessionsResult["sessions"], ok = true): RpcReply => ({
      ok: true,
      result: { type: "agent-sessions", agent: call.agent, listed: ok, sessions },
    });
    switch (call.agent) {
      case "claude":
        await gate;
        return listed(claudeSessions(Date.now()));
      case "codex":
        return listed([], false);
      case "goose":
        return listed([]);
      default:
        return {
          ok: false,
          code: ErrorCode.Internal,
          message: "Gemini CLI could not list its sessions: Please set an Auth method in your settings.json",
        };
    }
  }

  before(async () => {
    if (!existsSync(join(DIST, "relay.js"))) throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    tmp = mkdtempSync(join(tmpdir(), "tether-sessions-e2e-"));
    fx = await pwaFixture(tmp, cleanup);
    page = fx.page;
    page.on("pageerror", (e) => pageErrors.push(e.message));
    const { host } = fx;
    host.socket.on("command", (req: CommandForward, reply) => {
      void (async () => {
        const key = host.commandKey(req.from);
        if (!key) return reply({ ok: false, code: "forbidden", message: "unknown phone" } as never);
        const value = await open(key, req.box, sealContext.command(host.hostId, req.from, req.id));
        received.push(sealedCommandSchema.parse(value).command);
        reply({
          ok: true,
          box: await seal(key, PAIRWISE_EPOCH, { ok: true }, sealContext.commandReply(host.hostId, req.from, req.id)),
        });
      })();
    });
    host.answerCalls(answer);
    const ready = await host.socket.timeout(10_000).emitWithAck("inbox:flush", {});
    assert.ok(ready.ok, "command listener ready");
    const box = await seal(host.key, host.epoch, profile, sealContext.record(host.hostId, "profile"));
    const put = await host.socket.timeout(30_000).emitWithAck("record:put", { key: "profile", box });
    assert.ok(put.ok, "profile published");
  });

  after(async () => {
    await cleanup.run();
    rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(pageErrors, []);
  });

  it("lists Claude Code's sessions only when asked, showing that it waits", async () => {
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/new`);
    const button = page.getByTestId("session-continue");
    await button.waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId("task-agent").inputValue(), "claude");
    assert.match((await button.textContent()) ?? "", /Continue a session from work-laptop/);
    assert.equal(await button.getAttribute("aria-expanded"), "false");
    assert.deepEqual(sessionCalls(), [], "the agent is not started on the computer before the person asks");
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 on the form");
    await shot("button");

    gate = new Promise((resolve) => (release = resolve));
    await button.click();
    const loading = page.getByTestId("session-loading");
    await loading.waitFor();
    assert.equal((await loading.textContent())?.trim(), "Asking Claude Code on work-laptop…");
    await until("the call at the host", () => (sessionCalls().length === 1 ? true : undefined));
    assert.deepEqual(sessionCalls(), [{ type: "agent-sessions", agent: "claude" }]);
    await toTop("task-agents");
    await shot("loading");
    release();

    const choices = page.getByTestId("session-choice");
    await page.getByTestId("session-list").waitFor({ timeout: 15_000 });
    assert.equal(await choices.count(), 6, "the first six, the rest behind a button");
    const names = await choices.locator(".name").allTextContents();
    assert.deepEqual(names, [
      "Fix the Monday bug in the date helper",
      `Rename ${EVIL} everywhere`,
      "Session c4d2e6f8…",
      "Move the billing service's retry loop behind a feature flag and write the migration notes for the ops team",
      "Upgrade vite",
      "Flaky websocket test",
    ]);
    const used = await choices.evaluateAll((els) => els.map((el) => el.querySelector(".used")?.textContent ?? ""));
    assert.deepEqual(used, ["Used 5 min ago", "Used 3 h ago", "Used yesterday", "Used 4 days ago", "Used 9 days ago", ""]);
    assert.equal(await page.locator('[data-testid="session-list"] img').count(), 0, "a hostile title is text");
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 in the list");
    assert.ok(((await page.evaluate("document.documentElement.scrollWidth")) as number) <= 360, "no sideways scroll");
    await axe.check(page, "session list");
    await toTop("session-continue");
    await shot("list");
    await page.getByTestId("session-more").click();
    assert.equal(await choices.count(), 7);
  });

  it("marks the task as continuing the chosen session, clears the choice, and sends it with new-task", async () => {
    await page.getByTestId("session-choice").first().click();
    const chosen = page.getByTestId("session-chosen");
    await chosen.waitFor();
    assert.equal(await page.getByTestId("session-chosen-name").textContent(), "Fix the Monday bug in the date helper");
    assert.match((await chosen.textContent()) ?? "", /Continues Claude Code's session from work-laptop/);
    const text = page.getByTestId("task-text");
    assert.equal(await text.getAttribute("placeholder"), "Continue where it stopped");
    assert.match((await page.locator('label[for="task-text"]').textContent()) ?? "", /What should Claude Code do next/);
    assert.ok(await page.getByTestId("task-submit").isDisabled(), "the words to send next are still required");
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 with a session chosen");
    await toTop("task-agents");
    await shot("chosen");

    // Cleared: a new session again; chosen again from the list already asked for.
    await page.getByTestId("session-clear").click();
    await page.getByTestId("session-continue").click();
    await page.getByTestId("session-choice").nth(1).click();
    assert.equal(await page.getByTestId("session-chosen-name").textContent(), `Rename ${EVIL} everywhere`);
    assert.equal(sessionCalls().length, 1, "the list is asked for once while the form is open");

    await text.fill("Continue where it stopped, then run the tests");
    await page.getByTestId("task-submit").click();
    const task = (await until("the new-task at the host", () => received.find((c) => c.type === "new-task"), 15_000)) as Extract<
      Command,
      { type: "new-task" }
    >;
    assert.equal(task.agent, "claude");
    assert.equal(task.agentSession, "9f31aa02-evil");
    assert.equal(task.text, "Continue where it stopped, then run the tests");
    await page.getByTestId("thread").waitFor({ timeout: 15_000 });
  });

  it("drops the choice when another agent is chosen", async () => {
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/new`);
    await page.getByTestId("session-continue").click();
    await page.getByTestId("session-choice").first().click();
    await page.getByTestId("session-chosen").waitFor();
    await page.getByTestId("task-agent").selectOption("tether");
    assert.equal(await page.getByTestId("session-continue").count(), 0, "Tether's own agent has no sessions to continue");
    await page.getByTestId("task-agent").selectOption("claude");
    await page.getByTestId("session-continue").waitFor();
    assert.equal(await page.getByTestId("session-chosen").count(), 0);
    await page.getByTestId("task-text").fill("Something new");
    await page.getByTestId("task-submit").click();
    const task = (await until("a second new-task", () => received.filter((c) => c.type === "new-task")[1], 15_000)) as Extract<
      Command,
      { type: "new-task" }
    >;
    assert.equal(task.agentSession, undefined);
    await page.getByTestId("thread").waitFor({ timeout: 15_000 });
  });

  it("shows the host's words when listing fails, and asks again on Try again", async () => {
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/new`);
    await page.getByTestId("task-agent").waitFor({ timeout: 30_000 });
    await page.getByTestId("task-agent").selectOption("gemini");
    await page.getByTestId("session-continue").click();
    const error = page.getByTestId("session-error");
    await error.waitFor({ timeout: 15_000 });
    assert.equal(
      await error.textContent(),
      "Gemini CLI could not list its sessions: Please set an Auth method in your settings.json",
    );
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 with the error");
    await toTop("session-continue");
    await shot("error");
    const before = sessionCalls().length;
    await page.getByTestId("session-retry").click();
    await until("asked again", () => (sessionCalls().length === before + 1 ? true : undefined));
    await error.waitFor();
  });

  it("says when the agent cannot list its sessions, and when there are none", async () => {
    await page.getByTestId("task-agent").selectOption("codex");
    await page.getByTestId("session-continue").click();
    const empty = page.getByTestId("session-empty");
    await empty.waitFor({ timeout: 15_000 });
    assert.equal(await empty.textContent(), "Codex cannot list its sessions");
    await toTop("session-continue");
    await shot("unlisted");
    await page.getByTestId("task-agent").selectOption("goose");
    await page.getByTestId("session-continue").click();
    await until("the empty answer", async () =>
      (await empty.textContent()) === "No sessions in this workspace" ? true : undefined,
    );
  });

  it("reads a continued thread's history as said on the computer", async () => {
    const t0 = Date.now() - 60_000;
    const events = continuedEvents(t0);
    for (const [i, event] of events.entries()) {
      await fx.host.publish(THREAD, i + 1, await fx.host.sealEvent(THREAD, i + 1, event));
    }
    await fx.host.putSummary({
      threadId: THREAD,
      title: "Fix the Monday bug in the date helper",
      workspace: "api",
      status: "done",
      pending: [],
      lastSeq: events.length,
      createdAt: t0,
      updatedAt: t0 + 7000,
      model: "",
      mode: "ask",
      agent: "Claude Code",
    });
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/t/${THREAD}`);
    const history = page.getByTestId("history-message");
    await until("two messages from the computer", async () => ((await history.count()) === 2 ? true : undefined), 30_000);
    const whos = await history.locator(".who").allTextContents();
    assert.deepEqual(
      whos.map((w) => w.trim()),
      ["On the computer", "On the computer"],
    );
    assert.equal(await history.first().locator(".said").textContent(), `Fix the Monday bug in the date helper ${EVIL}`);
    assert.match((await page.getByTestId("task-continues").textContent()) ?? "", /Continues a session started on the computer/);
    assert.equal(await page.getByTestId("message-waits").count(), 0, "history waits for no turn");
    assert.equal(await page.locator('[data-testid="thread"] img').count(), 0);
    assert.equal(await page.evaluate("window.__pwned"), undefined);
    await axe.check(page, "continued thread");
    await shot("thread");
  });
});
