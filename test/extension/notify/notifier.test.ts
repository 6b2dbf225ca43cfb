// What the host tells the phones without being looked at: the real thread manager runs tasks
// against a scripted model, the notifier listens, and a fake relay link records each
// `push:send` and opens its box as a phone's service worker would.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ErrorCode, failure, randomId, type PolicyMode } from "#protocol";
import { Notifier, type NotifierOptions } from "../../../extension/core/notify/notifier";
import { nextEvent, runEnded, startAgentThreads, type AgentThreads } from "../../support/agentThreads";
import { hookFolder, script, testHooks, userHook } from "../../support/hookScripts";
import type { Hooks } from "../../../extension/core/hooks/hooks";
import { startFakeOpenAI, type FakeModelServer, type FakeTurn, type OpenAIBody } from "../../support/fakeModels";
import { FakePushLink } from "../../support/fakePushLink";
import { quietLog } from "../../support/host";
import { quietFor, until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";

const call = (name: string, args: object): FakeTurn => ({ toolCalls: [{ name, args }] });
const finish = (summary: string): FakeTurn => call("finish", { summary });
const phone = { id: "phone-1", name: "Pixel 8" };
const HOUR = 60 * 60 * 1000;

describe("notifications from the host", function () {
  this.timeout(60_000);
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let threads: AgentThreads;
  let link: FakePushLink;
  let notifier: Notifier;
  const cleanup: (() => Promise<void> | void)[] = [];

  const start = async (options: Partial<NotifierOptions> & { stateDir?: string; hooks?: Hooks } = {}): Promise<void> => {
    const { stateDir, hooks, ...rest } = options;
    threads = await startAgentThreads({
      folder: workspace,
      modelUrl: model.url,
      ...(stateDir ? { stateDir } : {}),
      ...(hooks ? { hooks } : {}),
    });
    link = new FakePushLink(threads.identity.contentKey()!);
    notifier = new Notifier({
      link,
      identity: threads.identity,
      threads: threads.manager,
      workspace: threads.workspaceName,
      log: quietLog,
      retryDelaysMs: [20, 50],
      ...rest,
    });
    const mine = { threads, notifier };
    cleanup.push(async () => {
      mine.notifier.close();
      await mine.threads.close();
      rmSync(mine.threads.stateDir, { recursive: true, force: true });
    });
  };
  const task = (text: string, mode: PolicyMode = "ask"): string => {
    const threadId = randomId(12);
    threads.manager.newTask({ threadId, text, mode }, phone);
    return threadId;
  };
  /** `count` were sent, and nothing more within a window measured from the step just taken. */
  const settledAt = async (count: number): Promise<void> => {
    assert.equal(link.requests.length, count);
    await quietFor("a further push:send", 150, () => link.requests.length > count);
  };

  beforeEach(async () => {
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "src/limit.js": "export const LIMIT = 10;\n", "package.json": '{ "type": "module" }\n' });
  });

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    await model.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("asks for an approval with the command and workspace, closes it once approved, and says when the run is done", async () => {
    await start();
    model.push(
      call("run_command", { command: "node --version", reason: "see which Node runs here" }),
      finish("Node is installed.\nIt answered with its version.\n\nNothing else to do.\nReally nothing."),
    );
    const threadId = task("Check the Node version");
    const asked = await nextEvent(threads.manager, threadId, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested");

    const [approval] = await link.waitForPushed(1);
    assert.equal(approval!.request.urgency, "high");
    assert.equal(approval!.request.threadId, threadId);
    assert.equal(approval!.request.tag, `a-${asked.approvalId}`);
    assert.deepEqual(approval!.payload, {
      type: "approval",
      threadId,
      approvalId: asked.approvalId,
      title: `Approve \`node --version\` in ${threads.workspaceName}?`,
      body: `see which Node runs here\nRuns in ${threads.workspaceName}`,
    });

    await threads.manager.handle({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve" }, phone);
    const end = await runEnded(threads.manager, threadId);
    assert.ok(end.type === "status" && end.status === "done");

    const [, settled, done] = await link.waitForPushed(3);
    assert.deepEqual(settled!.payload, { type: "settled", threadId, closeTag: approval!.request.tag });
    assert.equal(settled!.request.urgency, "normal");
    assert.equal(done!.request.urgency, "normal");
    assert.deepEqual(done!.payload, {
      type: "finished",
      threadId,
      status: "done",
      title: "Done: Check the Node version",
      body: "Node is installed.\nIt answered with its version.\nNothing else to do.\nReally nothing.",
    });
    await settledAt(3);
  });

  it("asks to allow an edit by its file, and closes the notification when the edit is denied", async () => {
    await start();
    model.push(
      call("edit_file", { path: "src/limit.js", old_text: "LIMIT = 10", new_text: "LIMIT = 5", reason: "the task asks for 5" }),
      finish("Left the limit alone."),
    );
    const threadId = task("Make the limit 5");
    const asked = await nextEvent(threads.manager, threadId, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested" && asked.kind === "edit");
    const [approval] = await link.waitForPushed(1);
    assert.ok(approval!.payload.type === "approval");
    assert.equal(approval!.payload.title, `Allow edit of src/limit.js in ${threads.workspaceName}?`);

    await threads.manager.handle({ type: "decide", threadId, approvalId: asked.approvalId, decision: "deny" }, phone);
    await runEnded(threads.manager, threadId);
    const pushed = await link.waitForPushed(3);
    assert.deepEqual(
      pushed.map((p) => p.payload.type),
      ["approval", "settled", "finished"],
    );
    assert.deepEqual(pushed[1]!.payload, { type: "settled", threadId, closeTag: approval!.request.tag });
  });

  it("puts a question to the phones and closes it once answered", async () => {
    await start();
    model.push(call("ask_user", { question: "Per IP or per user?" }), finish("Limited per IP."));
    const threadId = task("Add rate limiting");
    const question = await nextEvent(threads.manager, threadId, (e) => e.type === "question");
    assert.ok(question.type === "question");

    const [asked] = await link.waitForPushed(1);
    assert.equal(asked!.request.urgency, "high");
    assert.equal(asked!.request.tag, `q-${question.questionId}`);
    assert.deepEqual(asked!.payload, {
      type: "question",
      threadId,
      questionId: question.questionId,
      title: `Question in ${threads.workspaceName}`,
      body: "Per IP or per user?",
    });

    await threads.manager.handle({ type: "answer", threadId, questionId: question.questionId, text: "per IP" }, phone);
    await runEnded(threads.manager, threadId);
    const [, settled, done] = await link.waitForPushed(3);
    assert.deepEqual(settled!.payload, { type: "settled", threadId, closeTag: asked!.request.tag });
    assert.ok(done!.payload.type === "finished" && done!.payload.status === "done");
    await settledAt(3);
  });

  it("says when a run failed, with the error in its words", async () => {
    await start();
    model.push({ status: 401, message: "Incorrect API key provided" });
    const threadId = task("Say hello");
    const end = await runEnded(threads.manager, threadId);
    assert.ok(end.type === "status" && end.status === "failed");
    const [failed] = await link.waitForPushed(1);
    assert.equal(failed!.request.urgency, "normal");
    assert.ok(failed!.payload.type === "finished");
    assert.equal(failed!.payload.status, "failed");
    assert.equal(failed!.payload.title, "Failed: Say hello");
    assert.match(failed!.payload.body, /Incorrect API key provided/);
    await settledAt(1);
  });

  it("says once that a run is done, whatever a hook says on the thread as it ends", async () => {
    const dir = hookFolder();
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const { hooks } = testHooks(workspace, dir, [userHook("Stop", script(dir, "stop.sh", "echo tests passed"))]);
    await start({ hooks });
    model.push({ text: "Hello." });
    const threadId = task("Say hello");
    await nextEvent(threads.manager, threadId, (e) => e.type === "status" && /tests passed/.test(e.detail ?? ""));
    const [done] = await link.waitForPushed(1);
    assert.ok(done!.payload.type === "finished" && done!.payload.status === "done");
    await settledAt(1);
  });

  it("tells nobody about a run a person stopped", async () => {
    await start();
    model.push({ text: "Let me think about this for quite a while before doing anything", delayMs: 100 });
    const threadId = task("Think hard");
    await nextEvent(threads.manager, threadId, (e) => e.type === "status" && e.status === "running");
    threads.manager.stop(threadId, phone);
    const end = await runEnded(threads.manager, threadId);
    assert.ok(end.type === "status" && end.status === "stopped");
    await settledAt(0);
  });

  it("closes a question left unanswered when its run is stopped", async () => {
    await start();
    model.push(call("ask_user", { question: "Which branch?" }));
    const threadId = task("Merge the branch");
    await nextEvent(threads.manager, threadId, (e) => e.type === "question");
    const [asked] = await link.waitForPushed(1);
    threads.manager.stop(threadId, phone);
    await runEnded(threads.manager, threadId);
    const pushed = await link.waitForPushed(2);
    assert.deepEqual(pushed[1]!.payload, { type: "settled", threadId, closeTag: asked!.request.tag });
    await settledAt(2);
  });

  it("keeps an approval while the link is down and sends it once when it opens", async () => {
    await start();
    link.setState("connecting");
    model.push(call("run_command", { command: "node --version", reason: "check" }), finish("Checked."));
    const threadId = task("Check the Node version");
    const asked = await nextEvent(threads.manager, threadId, (e) => e.type === "approval-requested");
    await until("the approval to be queued", () => notifier.queued === 1);
    assert.equal(link.requests.length, 0);

    link.setState("open");
    const [approval] = await link.waitForPushed(1);
    assert.ok(asked.type === "approval-requested" && approval!.payload.type === "approval");
    assert.equal(approval!.payload.approvalId, asked.approvalId);
    link.setState("connecting");
    link.setState("open");
    await settledAt(1);
  });

  it("does not send an approval settled while the link was down, nor its settle", async () => {
    await start();
    link.setState("connecting");
    model.push(call("run_command", { command: "node --version", reason: "check" }), finish("Checked."));
    const threadId = task("Check the Node version");
    const asked = await nextEvent(threads.manager, threadId, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested");
    await threads.manager.handle({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve" }, phone);
    await runEnded(threads.manager, threadId);

    link.setState("open");
    const [only] = await link.waitForPushed(1);
    assert.ok(only!.payload.type === "finished" && only!.payload.status === "done");
    await settledAt(1);
  });

  it("drops a finished run told too late, but still sends an approval that is waiting", async () => {
    let later = 0;
    await start({ now: () => Date.now() + later });
    link.setState("connecting");
    model.push(finish("Quick one."));
    const quick = task("A quick one");
    await runEnded(threads.manager, quick);
    model.push(call("run_command", { command: "node --version", reason: "check" }));
    const waiting = task("Check the Node version");
    await nextEvent(threads.manager, waiting, (e) => e.type === "approval-requested");
    assert.equal(notifier.queued, 2);

    later = 2 * HOUR;
    link.setState("open");
    const [only] = await link.waitForPushed(1);
    assert.ok(only!.payload.type === "approval");
    assert.equal(only!.payload.threadId, waiting);
    await settledAt(1);
  });

  it("tries a failed send again", async () => {
    await start();
    link.answers.push(failure(ErrorCode.Internal, "the push service did not answer"));
    model.push(call("ask_user", { question: "Which port?" }));
    const threadId = task("Start the server");
    await nextEvent(threads.manager, threadId, (e) => e.type === "question");
    const [asked] = await link.waitForPushed(1);
    assert.ok(asked!.payload.type === "question");
    assert.equal(link.requests.length, 2, "one refused, one accepted");
    assert.equal(link.requests[0]!.tag, link.requests[1]!.tag);
    await settledAt(2);
  });

  it("says nothing about the history it loads at start, only about what happens next", async () => {
    // A first run of the host, without notifications: one thread done after an approval, one failed.
    await start();
    notifier.close();
    model.push(call("run_command", { command: "node --version", reason: "check" }), finish("Checked."));
    const first = task("Check the Node version");
    const asked = await nextEvent(threads.manager, first, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested");
    await threads.manager.handle({ type: "decide", threadId: first, approvalId: asked.approvalId, decision: "approve" }, phone);
    await runEnded(threads.manager, first);
    model.push({ status: 401, message: "Incorrect API key provided" });
    await runEnded(threads.manager, task("Say hello"));
    await threads.close();
    const { stateDir } = threads;

    await start({ stateDir });
    assert.equal(threads.manager.list().length, 2, "the history is loaded");
    await settledAt(0);

    model.push(finish("Done again."));
    threads.manager.message(first, "Once more, please", phone);
    await nextEvent(threads.manager, first, (e) => e.type === "summary" && e.text === "Done again.");
    const [again] = await link.waitForPushed(1);
    assert.ok(again!.payload.type === "finished" && again!.payload.status === "done");
    assert.equal(again!.payload.body, "Done again.");
    await settledAt(1);
  });
});
