import assert from "node:assert/strict";
import type { ThreadEvent } from "#protocol";
import { decisionWords, statusWords } from "../../../mobile-web/src/threads/words";
import { buildTimeline } from "../../../mobile-web/src/threads/timeline";
import {
  canRevert,
  changedFiles,
  isReverted,
  pendingApprovals,
  pendingQuestion,
  runningCommand,
} from "../../../mobile-web/src/threads/threadQueries";
import type { NumberedEvent, TimelineItem } from "../../../mobile-web/src/threads/timelineItems";

const phone = { id: "p1", name: "Pixel 8" };
const host = { id: "h1", name: "laptop" };
const T0 = Date.UTC(2025, 4, 2, 9, 0, 0);

type NewEvent = ThreadEvent extends infer E ? (E extends ThreadEvent ? Omit<E, "at"> : never) : never;

/** Numbers events from 1, a second apart, as the host would. */
function thread(...events: NewEvent[]): NumberedEvent[] {
  return events.map((event, i) => ({ seq: i + 1, event: { ...event, at: T0 + i * 1000 } as ThreadEvent }));
}

const kinds = (items: TimelineItem[]): string[] => items.map((i) => i.kind);
const only = <K extends TimelineItem["kind"]>(items: TimelineItem[], kind: K): Extract<TimelineItem, { kind: K }>[] =>
  items.filter((i): i is Extract<TimelineItem, { kind: K }> => i.kind === kind);

const task: NewEvent = {
  type: "task",
  text: "Fix the failing date test\nIt fails on Mondays.",
  title: "Fix the failing date test",
  workspace: "api-service",
  mode: "ask",
  model: "gpt-5",
  by: phone,
};

/** A whole run: read, edit with approval, a command with approval, a summary. */
function finishedRun(): NumberedEvent[] {
  return thread(
    task, // 1
    { type: "status", status: "queued" }, // 2
    { type: "status", status: "running" }, // 3
    { type: "assistant-text", text: "Let me look at the test first." }, // 4
    { type: "tool-call", callId: "c1", tool: "read_file", args: { path: "src/date.test.ts" }, title: "src/date.test.ts" }, // 5
    { type: "tool-result", callId: "c1", tool: "read_file", ok: true, output: "1│import …", durationMs: 12 }, // 6
    { type: "tool-call", callId: "c2", tool: "edit_file", args: { path: "src/date.ts" }, title: "src/date.ts" }, // 7
    {
      type: "approval-requested",
      approvalId: "a1",
      callId: "c2",
      tool: "edit_file",
      kind: "edit",
      path: "src/date.ts",
      diff: "--- a/src/date.ts\n+++ b/src/date.ts\n@@ -1 +1 @@\n-old\n+new\n",
      reason: "Use UTC days",
      rule: "mode ask: edits ask",
    }, // 8
    { type: "status", status: "awaiting-approval" }, // 9
    { type: "approval-resolved", approvalId: "a1", decision: "approve", by: phone }, // 10
    { type: "status", status: "running" }, // 11
    {
      type: "file-change",
      path: "src/date.ts",
      change: "modified",
      diff: "@@ -1 +1 @@\n-old\n+new\n",
      added: 1,
      removed: 1,
      truncated: false,
    }, // 12
    { type: "tool-result", callId: "c2", tool: "edit_file", ok: true, output: "Edited src/date.ts (+1 −1).", durationMs: 9000 }, // 13
    { type: "tool-call", callId: "c3", tool: "run_command", args: { command: "npm test", cwd: "." }, title: "npm test" }, // 14
    { type: "tool-result", callId: "c3", tool: "run_command", ok: false, output: "1 failing", exitCode: 1, durationMs: 4200 }, // 15
    { type: "retry", attempt: 1, inMs: 2000, message: "The model service is overloaded (529)." }, // 16
    { type: "assistant-text", text: "One test still fails; it is unrelated." }, // 17
    { type: "summary", text: "Fixed the Monday bug in `src/date.ts`." }, // 18
    { type: "status", status: "done" }, // 19
  );
}

describe("thread timeline", () => {
  it("turns a finished run into the items a person reads, in order", () => {
    const items = buildTimeline(finishedRun());
    assert.deepEqual(kinds(items), [
      "task",
      "text",
      "tool",
      "tool",
      "approval",
      "file-change",
      "tool",
      "retry",
      "text",
      "summary",
      "status",
    ]);
    const [taskItem] = only(items, "task");
    assert.equal(taskItem?.by.name, "Pixel 8");
    assert.equal(taskItem?.mode, "ask");
    assert.equal(taskItem?.model, "gpt-5");
    // "Queued" and "running" are history once the run is over; "done" is worth its line.
    assert.deepEqual(
      only(items, "status").map((s) => s.status),
      ["done"],
    );
    // Keys are stable, so a list re-render keeps each row's open/closed state.
    assert.equal(new Set(items.map((i) => i.key)).size, items.length);
  });

  it("gives each tool call its result, state and duration", () => {
    const tools = only(buildTimeline(finishedRun()), "tool");
    assert.deepEqual(
      tools.map((t) => [t.tool, t.state, t.running, t.result?.durationMs]),
      [
        ["read_file", "ok", false, 12],
        // Approved at 9 s, done at 12 s: the wait for the decision is not the step's time.
        ["edit_file", "ok", false, 3000],
        ["run_command", "failed", false, 4200],
      ],
    );
    assert.equal(tools[2]?.result?.exitCode, 1);
    assert.equal(tools[2]?.title, "npm test");
  });

  it("shows an approval with who decided it", () => {
    const [approval] = only(buildTimeline(finishedRun()), "approval");
    assert.equal(approval?.request.path, "src/date.ts");
    assert.equal(approval?.resolved?.decision, "approve");
    assert.equal(approval?.closed, false);
    assert.equal(decisionWords(approval!.resolved!), "Approved by Pixel 8");
  });

  it("shows a tool as running, with its live output, until its result arrives", () => {
    const events = thread(
      task,
      { type: "status", status: "running" },
      { type: "tool-call", callId: "c9", tool: "run_command", args: { command: "npm test" }, title: "npm test" },
    );
    const live = { output: { c9: "\u001b[32m✓\u001b[0m 12 passing\n", stranger: "not ours" } };
    const [running] = only(buildTimeline(events, live), "tool");
    assert.equal(running?.state, "running");
    assert.equal(running?.running, true);
    assert.equal(running?.liveOutput, live.output.c9);

    const done = [
      ...events,
      {
        seq: 4,
        event: {
          type: "tool-result",
          callId: "c9",
          tool: "run_command",
          ok: true,
          output: "12 passing",
          exitCode: 0,
          at: T0 + 9000,
        },
      },
    ] satisfies NumberedEvent[];
    const [finished] = only(buildTimeline(done, live), "tool");
    assert.equal(finished?.state, "ok");
    assert.equal(finished?.liveOutput, undefined);
    assert.equal(finished?.result?.output, "12 passing");
  });

  it("ignores live output for calls it does not know", () => {
    const events = thread(task, { type: "status", status: "running" });
    const items = buildTimeline(events, { output: { ghost: "boo" } });
    assert.deepEqual(kinds(items), ["task"]);
  });

  it("marks a call waiting for approval, and starts its clock when it is approved", () => {
    const events = thread(
      task,
      { type: "tool-call", callId: "c1", tool: "run_command", args: { command: "rm -rf build" }, title: "rm -rf build" },
      {
        type: "approval-requested",
        approvalId: "a1",
        callId: "c1",
        tool: "run_command",
        kind: "command",
        command: "rm -rf build",
        cwd: ".",
        reason: "Clean build",
        rule: "mode ask: commands ask",
      },
    );
    const [waiting] = only(buildTimeline(events), "tool");
    assert.equal(waiting?.waiting, true);
    assert.equal(runningCommand(events), null, "a command waiting for approval is not running");

    const approved = [
      ...events,
      { seq: 4, event: { type: "approval-resolved", approvalId: "a1", decision: "approve-always", by: phone, at: T0 + 60_000 } },
    ] satisfies NumberedEvent[];
    const [running] = only(buildTimeline(approved), "tool");
    assert.equal(running?.waiting, false);
    assert.equal(running?.startedAt, T0 + 60_000);
    assert.deepEqual(runningCommand(approved, { output: { c1: "removing…\r50%\r100%\n" } }), {
      callId: "c1",
      command: "rm -rf build",
      startedAt: T0 + 60_000,
      lastLine: "100%",
    });
  });

  it("shows the streaming text of the current step until its durable text supersedes it", () => {
    const events = thread(task, { type: "status", status: "running" });
    // The model call began when the thread's last seq was 2.
    const live = { text: { 2: "I will start by reading" } };
    const streaming = buildTimeline(events, live).at(-1);
    assert.equal(streaming?.kind, "text");
    assert.ok(streaming?.kind === "text" && streaming.streaming);
    assert.equal(streaming.text, "I will start by reading");
    assert.equal(streaming.seq, null);

    const landed = [
      ...events,
      { seq: 3, event: { type: "assistant-text", text: "I will start by reading the tests.", at: T0 + 5000 } },
    ] satisfies NumberedEvent[];
    const texts = only(buildTimeline(landed, live), "text");
    assert.deepEqual(
      texts.map((t) => [t.text, t.streaming]),
      [["I will start by reading the tests.", false]],
    );
  });

  it("keeps the streaming text when only a steering message arrived during the step", () => {
    const events = thread(task, { type: "status", status: "running" }, { type: "user-message", text: "use pnpm", by: phone });
    const items = buildTimeline(events, { text: { 2: "Running the tests" } });
    assert.deepEqual(kinds(items), ["task", "message", "text"]);
    assert.equal((items.at(-1) as { streaming: boolean }).streaming, true);
  });

  it("drops streaming text of a step that ended in a tool call or a stop", () => {
    const events = thread(
      task,
      { type: "status", status: "running" },
      { type: "tool-call", callId: "c1", tool: "list_dir", args: { path: "" }, title: "." },
    );
    assert.ok(!buildTimeline(events, { text: { 2: "  " } }).some((i) => i.kind === "text"));
    assert.ok(!buildTimeline(events, { text: { 2: "Looking around" } }).some((i) => i.kind === "text"));
    const stopped = thread(
      task,
      { type: "status", status: "running" },
      { type: "status", status: "stopped", detail: "stopped by Pixel 8" },
    );
    const items = buildTimeline(stopped, { text: { 2: "half a sent" } });
    assert.deepEqual(kinds(items), ["task", "status"]);
  });

  it("renders what is there when events are missing in the middle", () => {
    const all = finishedRun();
    // Catching up: 5–9 (the read, the edit's call and its approval request) have not arrived.
    const holey = all.filter((e) => e.seq < 5 || e.seq > 9);
    const items = buildTimeline(holey);
    // The orphan decision has nothing to show; the orphan result shows under its tool's name.
    assert.ok(!items.some((i) => i.kind === "approval"));
    const tools = only(items, "tool");
    assert.deepEqual(
      tools.map((t) => [t.callId, t.title, t.state]),
      [
        ["c2", "edit_file", "ok"],
        ["c3", "npm test", "failed"],
      ],
    );
    assert.equal(only(items, "summary").length, 1);
    // Out of order and doubled events are put right.
    const shuffled = [...all].reverse().concat(all.slice(0, 3));
    assert.deepEqual(kinds(buildTimeline(shuffled)), kinds(buildTimeline(all)));
  });

  it("marks a call without a result as interrupted once the run ended", () => {
    const events = thread(
      task,
      { type: "tool-call", callId: "c1", tool: "run_command", args: { command: "sleep 100" }, title: "sleep 100" },
      { type: "status", status: "stopped", detail: "interrupted: the host stopped during this run" },
    );
    const [call] = only(buildTimeline(events, { output: { c1: "zzz" } }), "tool");
    assert.equal(call?.state, "stopped");
    assert.equal(call?.interrupted, true);
    assert.equal(call?.liveOutput, undefined);
    const [status] = only(buildTimeline(events), "status");
    assert.equal(status?.detail, "interrupted: the host stopped during this run");
    assert.equal(runningCommand(events), null);
  });

  it("keeps a queued line only while the thread waits", () => {
    const queued = thread(task, { type: "status", status: "queued" });
    assert.deepEqual(
      only(buildTimeline(queued), "status").map((s) => s.status),
      ["queued"],
    );
  });

  it("joins a question with its answer", () => {
    const asked = thread(
      task,
      { type: "tool-call", callId: "c1", tool: "ask_user", args: { question: "Keep the old API?" }, title: "Keep the old API?" },
      { type: "question", questionId: "q1", text: "Keep the old API?" },
      { type: "status", status: "awaiting-answer" },
    );
    assert.equal(pendingQuestion(asked)?.questionId, "q1");
    const answered = [
      ...asked,
      { seq: 5, event: { type: "answer", questionId: "q1", text: "Yes, for a release", by: phone, at: T0 + 9000 } },
    ] satisfies NumberedEvent[];
    assert.equal(pendingQuestion(answered), null);
    const [question] = only(buildTimeline(answered), "question");
    assert.equal(question?.text, "Keep the old API?");
    assert.equal(question?.answer?.text, "Yes, for a release");
    assert.equal(question?.answer?.by.name, "Pixel 8");
  });
});

describe("what the timeline says once", () => {
  it("shows an edit's text as the diff below the call, not again in the call's arguments", () => {
    const items = buildTimeline(
      thread(
        task,
        {
          type: "tool-call",
          callId: "c1",
          tool: "edit_file",
          args: { path: "src/a.ts", old_text: "old", new_text: "new", reason: "rename" },
          title: "src/a.ts",
        },
        {
          type: "file-change",
          path: "src/a.ts",
          change: "modified",
          diff: "@@ -1 +1 @@\n-old\n+new\n",
          added: 1,
          removed: 1,
          truncated: false,
        },
        { type: "tool-result", callId: "c1", tool: "edit_file", ok: true, output: "Edited src/a.ts (+1 −1)." },
        { type: "tool-call", callId: "c2", tool: "write_file", args: { path: "src/b.ts", content: "b" }, title: "src/b.ts" },
        { type: "tool-result", callId: "c2", tool: "write_file", ok: false, output: "Not allowed." },
      ),
    );
    assert.deepEqual(kinds(items), ["task", "tool", "file-change", "tool"]);
    const [edit, write] = only(items, "tool");
    assert.deepEqual(edit?.args, { path: "src/a.ts", reason: "rename" });
    assert.equal(only(items, "file-change")[0]?.diff, "@@ -1 +1 @@\n-old\n+new\n");
    // A write that changed nothing has no diff below it: its content stays where it can be read.
    assert.deepEqual(write?.args, { path: "src/b.ts", content: "b" });
  });

  it("says a command's exit code in the row, not again at the end of its output", () => {
    const run = (callId: string, output: string, exitCode: number | null) =>
      [
        { type: "tool-call", callId, tool: "run_command", args: { command: "npm test" }, title: "npm test" },
        { type: "tool-result", callId, tool: "run_command", ok: exitCode === 0, output, exitCode },
      ] as NewEvent[];
    const tools = only(
      buildTimeline(
        thread(
          task,
          ...run("c1", "1 passing\n\nexit code 0 (1.2 s)", 0),
          ...run("c2", "(no output)\n\nexit code 3 (0.1 s)", 3),
          ...run("c3", "printed exit code 3 (yes)", 3),
          ...run("c4", "x\n\nkilled by SIGKILL after 2.0 s", null),
        ),
      ),
      "tool",
    );
    assert.deepEqual(
      tools.map((t) => [t.result?.output, t.result?.exitCode]),
      [
        ["1 passing", 0],
        ["(no output)", 3],
        // Not the host's closing line: the command's own words stay.
        ["printed exit code 3 (yes)", 3],
        // No exit code to say in the row: the output keeps how it ended.
        ["x\n\nkilled by SIGKILL after 2.0 s", null],
      ],
    );
  });
});

describe("what waits for a person", () => {
  const request = (approvalId: string, command: string): NewEvent => ({
    type: "approval-requested",
    approvalId,
    callId: `call-${approvalId}`,
    tool: "run_command",
    kind: "command",
    command,
    cwd: ".",
    reason: "",
    rule: "mode ask: commands ask",
  });

  it("lists unresolved approvals, oldest first", () => {
    const events = thread(
      task,
      request("a1", "npm ci"),
      { type: "approval-resolved", approvalId: "a1", decision: "deny", message: "use pnpm", by: phone },
      request("a2", "pnpm i"),
      request("a3", "pnpm test"),
    );
    assert.deepEqual(
      pendingApprovals(events).map((a) => a.approvalId),
      ["a2", "a3"],
    );
    const [denied] = only(buildTimeline(events), "approval");
    assert.equal(denied?.resolved?.message, "use pnpm");
    assert.equal(decisionWords(denied!.resolved!), "Denied by Pixel 8");
  });

  it("forgets requests and questions of a run that ended", () => {
    const events = thread(
      task,
      request("a1", "npm ci"),
      { type: "question", questionId: "q1", text: "Which port?" },
      { type: "status", status: "stopped", detail: "interrupted" },
    );
    assert.deepEqual(pendingApprovals(events), []);
    assert.equal(pendingQuestion(events), null);
    const items = buildTimeline(events);
    assert.equal(only(items, "approval")[0]?.closed, true);
    assert.equal(only(items, "question")[0]?.closed, true);
  });
});

describe("files a thread changed", () => {
  const change = (path: string): NewEvent => ({
    type: "file-change",
    path,
    change: "modified",
    diff: "",
    added: 1,
    removed: 0,
    truncated: false,
  });

  it("lists each changed path once, in the order first changed", () => {
    const events = thread(task, change("src/a.ts"), change("src/b.ts"), change("src/a.ts"));
    assert.deepEqual(changedFiles(events), ["src/a.ts", "src/b.ts"]);
  });

  it("drops what a revert put back, and offers Revert only for later changes", () => {
    const events = thread(
      task,
      change("src/a.ts"),
      change("src/b.ts"),
      { type: "status", status: "done" },
      { type: "reverted", files: ["src/a.ts"], skipped: ["src/b.ts"], by: phone },
    );
    // b.ts was skipped (someone changed it after the agent): it is still changed.
    assert.deepEqual(changedFiles(events), ["src/b.ts"]);
    assert.equal(canRevert("done", events), false);
    const more = [...events, { seq: 6, event: { ...change("src/c.ts"), at: T0 } as ThreadEvent }];
    assert.equal(canRevert("done", more), true);
    assert.equal(canRevert("running", more), false);
    const [reverted] = only(buildTimeline(events), "reverted");
    assert.deepEqual(reverted?.skipped, ["src/b.ts"]);
  });

  it("says Reverted after a revert that put files back, until the thread changes a file again", () => {
    const done: NewEvent = { type: "status", status: "done" };
    const revert = (files: string[]): NewEvent => ({ type: "reverted", files, by: phone });
    assert.equal(isReverted(thread(task, change("src/a.ts"), done)), false);
    const events = thread(task, change("src/a.ts"), done, revert(["src/a.ts"]));
    assert.equal(isReverted(events), true);
    // A later run of the same thread that changes a file again is no longer reverted.
    assert.equal(isReverted(thread(task, change("src/a.ts"), done, revert(["src/a.ts"]), change("src/b.ts"), done)), false);
    // A revert that put nothing back (all skipped) leaves the changes where they were.
    assert.equal(isReverted(thread(task, change("src/a.ts"), done, revert([]))), false);
    // In whatever order the events came.
    assert.equal(isReverted([...events].reverse()), true);
  });
});

describe("status words", () => {
  it("names every status and gives it a tone", () => {
    assert.deepEqual(statusWords("awaiting-approval"), { label: "Needs approval", tone: "attention" });
    assert.deepEqual(statusWords("failed"), { label: "Failed", tone: "danger" });
    assert.deepEqual(statusWords("done"), { label: "Done", tone: "success" });
    assert.equal(statusWords("running").tone, "active");
    assert.equal(statusWords("queued").label, "Queued");
  });

  it("says who stopped a run", () => {
    assert.equal(decisionWords({ decision: "stop", by: host }), "Run stopped by laptop");
  });

  it("shows what the host says mid-run (a secret redacted), and no bare running status", () => {
    const note = "secret scan: GitHub token in src/deploy.ts line 2, redacted before it was sent to the model";
    const items = buildTimeline(
      thread(task, { type: "status", status: "running" }, { type: "status", status: "running", detail: note }),
    );
    assert.deepEqual(
      only(items, "status").map((s) => [s.status, s.detail]),
      [["running", note]],
    );
  });
});
