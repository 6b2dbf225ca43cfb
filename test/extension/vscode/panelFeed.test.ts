// The editor's thread panel, fed from the host's thread manager: the real manager runs a task
// against a scripted model, the feed turns what it emits into panel messages, and each message
// goes through the webview's own parsing and view model, as in the panel. Plus the extension's
// side of the bridge: which commands a panel may send, and the page's CSP.

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { rmSync } from "node:fs";
import { randomId, type LiveEvent, type ThreadEvent, type ThreadSummary } from "#protocol";
import type { Thread } from "../../../extension/core/threads/thread";
import type { ThreadManager } from "../../../extension/core/threads/threadManager";
import type { NumberedEvent } from "../../../extension/core/threads/threadStore";
import { PanelFeed, makeNonce, panelCsp, panelHtml, refusal } from "../../../extension/vscode/panelFeed";
import { toPanelSchema, type ToPanel } from "#protocol/panel";
import { LOADING, nextView, type PanelView } from "../../../mobile-web/src/panel/panelModel";
import { buildTimeline } from "../../../mobile-web/src/threads/timeline";
import { pendingApprovals } from "../../../mobile-web/src/threads/threadQueries";
import { nextEvent, runEnded, startAgentThreads, type AgentThreads } from "../../support/agentThreads";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../../support/fakeModels";
import { until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";

const editor = { id: "editor", name: "Visual Studio Code" };
const phone = { id: "phone-1", name: "Pixel 8" };

/** The webview's side: every message parsed as the panel parses it, then applied to its view. */
class FakePanel {
  view: PanelView = LOADING;
  readonly received: ToPanel[] = [];

  receive(message: ToPanel): void {
    const parsed = toPanelSchema.parse(JSON.parse(JSON.stringify(message)));
    this.received.push(parsed);
    if (parsed.type !== "reply") this.view = nextView(this.view, parsed);
  }

  get thread(): Extract<PanelView, { kind: "thread" }> {
    assert.equal(this.view.kind, "thread");
    return this.view as Extract<PanelView, { kind: "thread" }>;
  }
}

describe("thread panel feed, from the real thread manager", function () {
  this.timeout(60_000);
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let threads: AgentThreads;
  let feed: PanelFeed;
  const panels = new Map<string, FakePanel>();

  before(async () => {
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "# api-service\n" });
    threads = await startAgentThreads({ folder: workspace, modelUrl: model.url });
    feed = new PanelFeed((threadId, message) => panels.get(threadId)?.receive(message), 10);
    feed.follow(threads.manager);
  });

  after(async () => {
    feed?.close();
    await threads?.close();
    await model?.close();
    if (threads) rmSync(threads.stateDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("shows what the thread has, follows it, and drops the card a phone decided", async () => {
    model.push(
      {
        text: "Checking the tests.",
        toolCalls: [{ name: "run_command", args: { command: "printf 'one\\ntwo\\n'", reason: "see" } }],
      },
      { toolCalls: [{ name: "finish", args: { summary: "Two lines." } }] },
    );
    const threadId = randomId(12);
    threads.manager.newTask({ threadId, text: "Print two lines", mode: "ask" }, editor);
    const panel = new FakePanel();
    panels.set(threadId, panel);
    panel.receive(feed.snapshot(threadId)!);
    assert.equal(panel.thread.summary.title, "Print two lines");

    const asked = await nextEvent(threads.manager, threadId, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested");
    assert.deepEqual(
      pendingApprovals(panel.thread.events).map((a) => a.command),
      ["printf 'one\\ntwo\\n'"],
    );
    assert.equal(panel.thread.summary.status, "awaiting-approval");

    // The phone decides: the host appends approval-resolved and the panel's card goes.
    await threads.manager.handle({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve" }, phone);
    assert.deepEqual(pendingApprovals(panel.thread.events), []);
    const card = buildTimeline(panel.thread.events).find((i) => i.kind === "approval");
    assert.equal(card?.kind === "approval" && card.resolved?.by.name, "Pixel 8");

    await runEnded(threads.manager, threadId);
    const thread = threads.manager.get(threadId)!;
    assert.deepEqual(panel.thread.events, JSON.parse(JSON.stringify(thread.events)));
    assert.equal(panel.thread.summary.status, "done");
    assert.deepEqual(panel.thread.live, { text: {}, output: {} });

    // The command's output came live, before the result that concludes it.
    const types = panel.received.map((m) => (m.type === "events" ? m.events[0]!.event.type : m.type));
    const output = panel.received.findIndex((m) => m.type === "live" && m.events.some((e) => e.type === "output"));
    assert.ok(output > 0, `no live output among ${types.join(", ")}`);
    assert.ok(output < types.indexOf("tool-result"), types.join(", "));
    // A panel opened now gets the same thread whole.
    const late = new FakePanel();
    late.receive(feed.snapshot(threadId)!);
    assert.deepEqual(late.thread.events, panel.thread.events);
  });

  it("has no snapshot for a thread that is not there", () => {
    assert.equal(feed.snapshot("no-such-thread"), null);
  });
});

describe("thread panel feed: live events", () => {
  // A manager as far as the feed uses it: one thread, its events and summary.
  const summary: ThreadSummary = {
    threadId: "t1",
    title: "Count the cranes",
    workspace: "birds",
    status: "running",
    pending: [],
    lastSeq: 2,
    createdAt: 1,
    updatedAt: 2,
    model: "m",
    mode: "ask",
  };
  const events: NumberedEvent[] = [
    {
      seq: 1,
      event: {
        type: "task",
        at: 1,
        text: "Count",
        title: "Count the cranes",
        workspace: "birds",
        mode: "ask",
        model: "m",
        by: editor,
      },
    },
    { seq: 2, event: { type: "status", at: 2, status: "running" } },
  ];
  const thread = { id: "t1", events } as unknown as Thread;
  const fake = (): ThreadManager & EventEmitter =>
    Object.assign(new EventEmitter(), {
      get: (id: string) => (id === "t1" ? thread : undefined),
      summary: () => summary,
    }) as unknown as ThreadManager & EventEmitter;
  const text = (delta: string): LiveEvent => ({ type: "text", step: 2, delta });
  const append = (seq: number, event: ThreadEvent): NumberedEvent => ({ seq, event });

  it("batches live events, keeps them for a later snapshot, and lets the durable text replace them", async () => {
    const manager = fake();
    const posted: ToPanel[] = [];
    const feed = new PanelFeed((_, message) => posted.push(message), 20);
    feed.follow(manager);
    manager.emit("live", "t1", text("crane 1, "));
    manager.emit("live", "t1", text("crane 2"));
    assert.equal(posted.length, 0, "sent before the batch closed");
    await until("the batch to close", () => posted.length > 0);
    assert.deepEqual(posted, [{ type: "live", threadId: "t1", events: [text("crane 1, "), text("crane 2")] }]);

    // A panel shown again mid-step gets the text so far.
    const snapshot = feed.snapshot("t1");
    assert.deepEqual(snapshot?.type === "thread" && snapshot.live, { text: { 2: "crane 1, crane 2" }, output: {} });

    // The step's text arrives whole: what was streamed goes first, then the event; the live text is settled.
    manager.emit("live", "t1", text(", crane 3"));
    manager.emit("event", thread, append(3, { type: "assistant-text", at: 3, text: "crane 1, crane 2, crane 3" }));
    assert.deepEqual(
      posted.slice(1).map((m) => m.type),
      ["live", "events"],
    );
    const after = feed.snapshot("t1");
    assert.deepEqual(after?.type === "thread" && after.live, { text: {}, output: {} });
    feed.close();
    assert.equal(manager.listenerCount("event") + manager.listenerCount("live"), 0);
  });

  it("follows a restarted host's manager and forgets the old one's live state", () => {
    const first = fake();
    const second = fake();
    const posted: ToPanel[] = [];
    const feed = new PanelFeed((_, message) => posted.push(message), 1_000);
    feed.follow(first);
    first.emit("live", "t1", text("half a sentence"));
    feed.follow(second);
    assert.equal(first.listenerCount("event"), 0);
    // What was gathered went out before the switch; the new manager's snapshot has no old text.
    assert.equal(posted.length, 1);
    const snapshot = feed.snapshot("t1");
    assert.deepEqual(snapshot?.type === "thread" && snapshot.live, { text: {}, output: {} });
    feed.close();
  });
});

describe("thread panel: what a panel may send", () => {
  const panelOf = { threadId: "t1" };
  const form = { threadId: undefined };

  it("lets a thread's panel act on its own thread only", () => {
    assert.equal(refusal({ type: "message", threadId: "t1", text: "go on" }, panelOf), null);
    assert.equal(refusal({ type: "decide", threadId: "t1", approvalId: "a", decision: "approve" }, panelOf), null);
    assert.equal(refusal({ type: "stop", threadId: "t1" }, panelOf), null);
    assert.equal(refusal({ type: "stop", threadId: "t2" }, panelOf)?.ok, false);
    assert.equal(refusal({ type: "new-task", threadId: "t1-new-task", text: "x" }, panelOf)?.ok, false);
    assert.equal(refusal({ type: "attach", threadId: "t1", name: "a", mime: "text/plain", data: "" }, panelOf)?.ok, false);
  });

  it("lets only the new-task form start a task, with its attachments", () => {
    assert.equal(refusal({ type: "new-task", threadId: "abcdefgh", text: "x" }, form), null);
    assert.equal(refusal({ type: "attach", threadId: "abcdefgh", name: "a", mime: "text/plain", data: "" }, form), null);
    assert.equal(refusal({ type: "revert", threadId: "t1" }, form)?.ok, false);
  });
});

describe("thread panel page", () => {
  it("loads its own script by nonce and its own stylesheet, and nothing else", () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
    assert.notEqual(makeNonce(), nonce);
    const source = "https://file+.vscode-resource.vscode-cdn.net";
    assert.equal(
      panelCsp(source, nonce),
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${source}; base-uri 'none'; form-action 'none'`,
    );
    const html = panelHtml({
      cspSource: source,
      nonce,
      script: `${source}/ext/dist/panel/panel.js`,
      style: `${source}/ext/dist/panel/panel.css`,
      title: `Fix <script>alert("x")</script>`,
    });
    assert.ok(html.includes(`<script type="module" nonce="${nonce}" src="${source}/ext/dist/panel/panel.js">`), html);
    assert.match(html, /<link rel="stylesheet" href="[^"]+\/panel\.css" \/>/);
    assert.equal(html.match(/<script/g)?.length, 1, "the title's markup became a script");
    assert.match(html, /<title>Fix &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;<\/title>/);
  });
});
