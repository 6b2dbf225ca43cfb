// An outside agent's thread on a phone, in real Chromium at 360×740: the PWA from dist/ served
// by a real relay process, the host's side taken on the wire (support/rawHost.ts) to publish an
// agent's session exactly: a plan, a thought, tool calls running side by side, a diff, usage,
// modes and models, slash commands, an approval with the agent's own options, hostile strings
// everywhere. What the phone sends back is opened with its own command key and checked.
// Screenshots in light and dark go to test-results/screenshots/agent-*.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import {
  open,
  PAIRWISE_EPOCH,
  seal,
  sealContext,
  sealedCommandSchema,
  type Command,
  type CommandForward,
  type HostProfile,
  type LiveEvent,
  type ThreadEvent,
  type ThreadSummary,
} from "#protocol";
import { AxeAudit } from "../support/axe";
import { screenshotPath } from "../support/browser";
import { Cleanup } from "../support/cleanup";
import { HOSTILE_NAME, JS } from "../support/hostile";
import { pwaFixture, type PwaFixture } from "../support/pwaFixture";
import { smallTouchTargets } from "../support/touchTargets";
import { until } from "../support/wait";

const DIST = join(__dirname, "..", "..", "dist");
const THREAD = "agent-thread-1";
const phoneRef = { id: "p", name: "e2e phone" };
const EVIL = `<script>${JS}</script>`;

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
    {
      id: "claude",
      name: "Claude Code",
      installed: true,
      models: [
        { id: "sonnet", name: "Sonnet 4.5" },
        { id: "opus", name: "Opus 4.1" },
      ],
      modes: [
        { id: "default", name: "Always ask" },
        { id: "plan", name: "Plan mode" },
      ],
    },
    { id: "codex", name: "Codex", installed: true, login: "Run `codex login` once on work-laptop, then try again." },
    { id: "gemini", name: "Gemini CLI", installed: false, install: "npm i -g @google/gemini-cli" },
  ],
};

const DIFF = [
  "--- a/src/date.ts",
  "+++ b/src/date.ts",
  "@@ -1,4 +1,5 @@",
  " export function dayOf(d: Date): number {",
  "-  return d.getDay();",
  "+  // Mondays are 1 in UTC too.",
  "+  return d.getUTCDay();",
  " }",
  "",
].join("\n");

function agentEvents(t0: number): ThreadEvent[] {
  const at = (i: number): number => t0 + i * 1000;
  return [
    {
      at: at(0),
      type: "task",
      text: "Fix the Monday bug in the date helper",
      title: "Fix the Monday bug",
      workspace: "api",
      mode: "ask",
      model: "",
      by: phoneRef,
      agent: { id: "claude", name: "Claude Code" },
      agentMode: "default",
    },
    { at: at(1), type: "status", status: "running" },
    {
      at: at(2),
      type: "agent-state",
      mode: "default",
      modes: [
        { id: "default", name: "Always ask" },
        { id: "plan", name: "Plan mode" },
      ],
      options: [
        {
          id: "model",
          name: "Model",
          category: "model",
          value: "sonnet",
          values: [
            { id: "sonnet", name: "Sonnet 4.5" },
            { id: "opus", name: "Opus 4.1" },
          ],
        },
      ],
      commands: [
        { name: "review", description: "Review the changes on this branch" },
        { name: `reset${EVIL}`, description: `Start over ${HOSTILE_NAME}` },
        { name: "init", description: "Write an AGENTS.md" },
      ],
    },
    {
      at: at(3),
      type: "plan",
      entries: [
        { content: "Read the date helper and its test", status: "completed" },
        { content: `Use UTC days ${EVIL}`, status: "in_progress" },
        { content: "Run the tests", status: "pending" },
      ],
    },
    {
      at: at(4),
      type: "thought",
      text: "The test fails only on Mondays, so getDay() must be reading the local zone.\nUTC would fix it.",
    },
    {
      at: at(5),
      type: "tool-call",
      callId: "c1",
      tool: "read",
      args: {},
      title: "Read src/date.ts",
      kind: "read",
      locations: [{ path: "src/date.ts", line: 2 }],
    },
    {
      at: at(6),
      type: "tool-call",
      callId: "c2",
      tool: "search",
      args: {},
      title: "getDay in src",
      kind: "search",
      locations: [{ path: "/etc/hosts" }],
    },
    { at: at(7), type: "tool-update", callId: "c2", title: `getDay( in src ${EVIL}` },
    { at: at(8), type: "tool-call", callId: "c3", tool: "edit", args: {}, title: "Edit src/date.ts", kind: "edit" },
    {
      at: at(9),
      type: "tool-result",
      callId: "c3",
      tool: "edit",
      ok: true,
      output: "",
      diffs: [{ path: "src/date.ts", diff: DIFF, added: 2, removed: 1 }],
    },
    { at: at(10), type: "usage", used: 41_200, size: 200_000, cost: { amount: 0.1234, currency: "USD" } },
    { at: at(11), type: "assistant-text", text: "Now I run the tests." },
    { at: at(12), type: "tool-call", callId: "c4", tool: "execute", args: {}, title: "npm test", kind: "execute" },
    {
      at: at(13),
      type: "approval-requested",
      approvalId: "a1",
      callId: "c4",
      tool: "execute",
      kind: "command",
      command: "npm test",
      cwd: ".",
      reason: "Run the tests",
      rule: "mode ask: commands ask",
      options: [
        { optionId: "allow", name: "Yes", kind: "allow_once" },
        { optionId: "allow-all", name: "Yes, and don't ask again", kind: "allow_always" },
        { optionId: "reject", name: "No", kind: "reject_once" },
        { optionId: "reject-all", name: `Never ${EVIL}`, kind: "reject_always" },
      ],
    },
    { at: at(14), type: "status", status: "awaiting-approval" },
    { at: at(15), type: "user-message", text: "Also check Sundays", by: phoneRef },
  ];
}

function summary(lastSeq: number, at: number): ThreadSummary {
  return {
    threadId: THREAD,
    title: "Fix the Monday bug",
    workspace: "api",
    status: "awaiting-approval",
    pending: [{ approvalId: "a1", title: "npm test" }],
    lastSeq,
    createdAt: at,
    updatedAt: at,
    model: "",
    mode: "ask",
    agent: "Claude Code",
  };
}

describe("end to end: an outside agent's thread on the phone", function () {
  this.timeout(180_000);
  const cleanup = new Cleanup();
  const axe = new AxeAudit();
  let tmp: string;
  let fx: PwaFixture;
  let page: Page;
  const pageErrors: string[] = [];
  /** Commands the phone sent, opened as the host opens them. */
  const received: Command[] = [];

  const shot = async (name: string): Promise<void> => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.screenshot({ path: screenshotPath(`agent-${name}-light`) });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: screenshotPath(`agent-${name}-dark`) });
    await page.emulateMedia({ colorScheme: "light" });
  };
  const sentOf = async <T extends Command["type"]>(type: T): Promise<Extract<Command, { type: T }>> =>
    (await until(`a ${type} command at the host`, () => received.find((c) => c.type === type) ?? undefined, 15_000)) as Extract<
      Command,
      { type: T }
    >;

  before(async () => {
    if (!existsSync(join(DIST, "relay.js"))) throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    tmp = mkdtempSync(join(tmpdir(), "tether-agent-e2e-"));
    fx = await pwaFixture(tmp, cleanup);
    page = fx.page;
    page.on("pageerror", (e) => pageErrors.push(e.message));
    const { host } = fx;
    // The host's side of commands: opened with the sending phone's key, answered "applied".
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
    // Ready for commands: the relay delivers to a host once it says so.
    const ready = await host.socket.timeout(10_000).emitWithAck("inbox:flush", {});
    assert.ok(ready.ok, "command listener ready");
    const box = await seal(host.key, host.epoch, profile, sealContext.record(host.hostId, "profile"));
    const put = await host.socket.timeout(30_000).emitWithAck("record:put", { key: "profile", box });
    assert.ok(put.ok, "profile published");
    const t0 = Date.now() - 60_000;
    const events = agentEvents(t0);
    for (const [i, event] of events.entries()) {
      await host.publish(THREAD, i + 1, await host.sealEvent(THREAD, i + 1, event));
    }
    await host.putSummary(summary(events.length, t0 + 15_000));
  });

  after(async () => {
    await cleanup.run();
    rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(pageErrors, []);
  });

  it("names the agent in the thread list", async () => {
    const row = page.locator(`[data-testid="thread-row"][data-thread-id="${THREAD}"]`);
    await row.waitFor({ timeout: 30_000 });
    assert.equal((await row.getByTestId("thread-agent").textContent())?.trim(), "Claude Code");
    await shot("list");
  });

  it("offers the computer's agents on the new-task form, with their models, modes, installs and logins", async () => {
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/new`);
    const agent = page.getByTestId("task-agent");
    await agent.waitFor({ timeout: 30_000 });
    // The computer's default agent first; Tether's own mode choice stays for it.
    assert.equal(await agent.inputValue(), "claude");
    await page.getByTestId("task-mode").waitFor();
    assert.deepEqual(await page.getByTestId("task-agent-model").locator("option").allTextContents(), [
      "Claude Code's default",
      "Sonnet 4.5",
      "Opus 4.1",
    ]);
    await page.getByTestId("task-agent-model").selectOption("opus");
    await page.getByTestId("task-agent-mode").selectOption("plan");
    assert.equal(await page.getByTestId("task-model").count(), 0, "Tether's own models are not offered for Claude Code");
    await page.getByTestId("task-text").fill("Add a week-number helper");
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 on the new-task form");
    await shot("new-task");

    await agent.selectOption("gemini");
    assert.match((await page.getByTestId("agent-missing").textContent()) ?? "", /Not installed on .*: run/);
    assert.equal(await page.getByTestId("agent-install").textContent(), "npm i -g @google/gemini-cli");
    assert.ok(await page.getByTestId("task-submit").isDisabled(), "an agent that is not installed cannot start a task");
    await page.getByTestId("agent-missing").scrollIntoViewIfNeeded();
    await shot("new-task-missing");
    await agent.selectOption("codex");
    assert.match((await page.getByTestId("agent-login").textContent()) ?? "", /codex login/);

    // Back on Claude Code: the task goes out with the agent, its model and its mode.
    await agent.selectOption("claude");
    await page.getByTestId("task-agent-model").selectOption("opus");
    await page.getByTestId("task-agent-mode").selectOption("plan");
    await page.getByTestId("task-submit").click();
    const task = await sentOf("new-task");
    assert.equal(task.agent, "claude");
    assert.equal(task.model, "opus");
    assert.equal(task.agentMode, "plan");
    // The phone opens the task it started once the host took it.
    await page.getByTestId("thread").waitFor({ timeout: 15_000 });

    // Remembered on this computer for the next task.
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/new`);
    await agent.waitFor();
    await agent.selectOption("codex");
    await page.reload();
    await page.getByTestId("task-agent").waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId("task-agent").inputValue(), "codex");
  });

  it("shows the agent's session: plan, thought, parallel calls, diff, usage, mode and model", async () => {
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/t/${THREAD}`);
    await page.getByTestId("agent-header").waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId("agent-name").textContent(), "Claude Code");
    assert.equal(await page.getByTestId("agent-usage").textContent(), "41k/200k · $0.12");
    assert.equal(await page.getByTestId("agent-mode").inputValue(), "default");
    assert.equal(await page.getByTestId("agent-model").inputValue(), "sonnet");

    assert.equal(await page.getByTestId("plan-count").textContent(), "1 of 3 done");
    assert.equal(await page.getByTestId("plan-current").textContent(), `Use UTC days ${EVIL}`);

    // Two calls still run side by side; a third finished with a diff.
    const rows = page.getByTestId("tool-row");
    await until("four tool rows", async () => ((await rows.count()) === 4 ? true : undefined));
    const states = await rows.evaluateAll((els) =>
      els.map((el) => [el.getAttribute("data-call-id"), el.getAttribute("data-state")]),
    );
    assert.deepEqual(states, [
      ["c1", "running"],
      ["c2", "running"],
      ["c3", "ok"],
      ["c4", "running"],
    ]);
    assert.equal(await page.getByTestId("tool-diff").count(), 1);
    assert.match((await page.locator('[data-call-id="c2"] .title').textContent()) ?? "", /getDay\( in src <script>/);

    // The thought is one line until tapped.
    assert.equal(await page.getByTestId("thought-text").count(), 0);
    assert.equal(await page.getByTestId("message-waits").count(), 1);
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 on the agent thread");
    await shot("thread-top");

    await page.getByTestId("plan-toggle").click();
    await page.getByTestId("plan-entries").waitFor();
    await shot("plan");
    await page.getByTestId("thought").locator("button").click();
    await page.getByTestId("thought-text").waitFor();
    await page.locator('[data-call-id="c1"] button.row').click();
    const link = page.locator('[data-call-id="c1"]').getByTestId("tool-location");
    assert.match((await link.getAttribute("href")) ?? "", /\/f\/src\/date\.ts\?line=2$/);
    await page.locator('[data-call-id="c2"] button.row').click();
    assert.equal(
      await page.locator('[data-call-id="c2"]').getByTestId("tool-location").count(),
      0,
      "a path outside is not linked",
    );
    assert.equal(await page.locator('[data-call-id="c2"] .place.outside').textContent(), "/etc/hosts");
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 with the plan and calls open");
    await shot("thread-open");
    await page.getByTestId("tool-diff").scrollIntoViewIfNeeded();
    await shot("thread-diff");
    await axe.check(page, "agent thread");

    // Hostile strings are text: nothing they carry became an element or ran.
    assert.equal(await page.locator('[data-testid="thread"] script, [data-testid="thread"] img').count(), 0);
    assert.equal(await page.evaluate("window.__pwned"), undefined);
  });

  it("streams the agent's reasoning live, collapsed to its newest line", async () => {
    const live: LiveEvent = {
      type: "text",
      step: 16,
      delta: "Sundays are 0 in getUTCDay.\nChecking the tests for Sunday",
      thought: true,
    };
    const box = await seal(await fx.host.threadKey(THREAD), fx.host.epoch, live, sealContext.live(fx.host.hostId, THREAD, 1));
    await fx.host.socket.timeout(10_000).emitWithAck("live:publish", { threadId: THREAD, n: 1, box });
    const streaming = page.locator('[data-testid="thought"][data-streaming="true"]');
    await streaming.waitFor({ timeout: 15_000 });
    assert.match((await streaming.textContent()) ?? "", /Thinking\s*Checking the tests for Sunday/);
    await page.getByTestId("message-waits").scrollIntoViewIfNeeded();
    await shot("thinking");
  });

  it("switches the agent's mode and model from the header", async () => {
    await page.getByTestId("agent-mode").selectOption("plan");
    assert.deepEqual(await sentOf("agent-mode"), { type: "agent-mode", threadId: THREAD, mode: "plan" });
    await page.getByTestId("agent-model").selectOption("opus");
    assert.deepEqual(await sentOf("agent-option"), { type: "agent-option", threadId: THREAD, option: "model", value: "opus" });
  });

  it("suggests the agent's slash commands in the composer", async () => {
    const input = page.getByTestId("composer-input");
    await input.fill("/");
    const list = page.getByTestId("slash-suggestions");
    await list.waitFor();
    assert.equal(await list.getByTestId("slash-choice").count(), 3);
    await input.fill("/re");
    assert.equal(await list.getByTestId("slash-choice").count(), 2);
    assert.equal(await page.locator('[data-testid="slash-suggestions"] img').count(), 0);
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 in the slash suggestions");
    await shot("slash");
    await list.getByTestId("slash-choice").first().click();
    assert.equal(await input.inputValue(), "/review ");
    assert.equal(await list.count(), 0);
    await input.fill("");
  });

  it("decides with the agent's own options, and names the one chosen", async () => {
    const card = page.locator('[data-testid="approval-card"][data-state="pending"]').first();
    await card.scrollIntoViewIfNeeded();
    const names = await card.getByTestId("agent-option").allTextContents();
    assert.deepEqual(
      names.map((n) => n.trim()),
      ["Yes", "Yes, and don't ask again", "No", `Never ${EVIL}`],
    );
    assert.equal(await card.getByTestId("approve").count(), 0, "Tether's own buttons give way to the agent's");
    assert.equal(await card.getByTestId("stop-run").count(), 1);
    assert.deepEqual(await smallTouchTargets(page), [], "touch targets under 44x44 on the approval card");
    // A long option name wraps inside the card instead of pushing its buttons off the screen.
    const cardBox = (await card.boundingBox())!;
    for (const button of await card.getByTestId("agent-option").all()) {
      const box = (await button.boundingBox())!;
      assert.ok(box.x + box.width <= cardBox.x + cardBox.width, `an option button ends at ${box.x + box.width} px`);
    }
    assert.ok(
      ((await page.evaluate("document.documentElement.scrollWidth")) as number) <= 360,
      "the page does not scroll sideways",
    );
    await shot("approval");
    await card.locator('[data-kind="reject_always"]').click();
    assert.deepEqual(await sentOf("decide"), {
      type: "decide",
      threadId: THREAD,
      approvalId: "a1",
      decision: "deny",
      optionId: "reject-all",
    });

    // The host records the decision; the card says which option it was.
    const resolved: ThreadEvent = {
      at: Date.now(),
      type: "approval-resolved",
      approvalId: "a1",
      decision: "deny",
      by: phoneRef,
      optionId: "reject-all",
    };
    await fx.host.publish(THREAD, 17, await fx.host.sealEvent(THREAD, 17, resolved));
    const option = page.getByTestId("decided-option");
    await option.waitFor({ timeout: 15_000 });
    assert.equal(await option.textContent(), `: Never ${EVIL}`);
    await option.scrollIntoViewIfNeeded();
    await shot("decided");
  });
});
