// What a notification says and how it is tagged, for the cases a lock screen makes hard: long
// commands, deep paths, long ids.

import assert from "node:assert/strict";
import { idSchema, type ThreadEvent } from "#protocol";
import { tags } from "../../../extension/core/notify/tags";
import { approvalBody, approvalTitle, finishedBody } from "../../../extension/core/notify/wording";

type Asked = Extract<ThreadEvent, { type: "approval-requested" }>;
const asked = (fields: Partial<Asked>): Asked => ({
  type: "approval-requested",
  at: 0,
  approvalId: "ap1",
  callId: "c1",
  tool: "run_command",
  kind: "command",
  reason: "run the tests",
  rule: "mode ask: commands ask",
  ...fields,
});

describe("notification wording", () => {
  it("shortens a long command so the title still fits a line and ends with the workspace", () => {
    const command = "npm test -- --grep 'rate limiter keeps per-IP buckets' --reporter spec --bail --timeout 60000";
    const title = approvalTitle(asked({ command }), "api-service");
    assert.match(title, /^Approve `npm test -- --grep.*…` in api-service\?$/);
    assert.ok(title.length <= 64, `${title.length} characters: ${title}`);
  });

  it("puts a multi-line command on one line", () => {
    assert.equal(
      approvalTitle(asked({ command: "git add .\n  && git commit" }), "api"),
      "Approve `git add . && git commit` in api?",
    );
  });

  it("keeps the file name of a deep path in an edit's title", () => {
    const title = approvalTitle(
      asked({ kind: "edit", tool: "edit_file", path: "packages/server/src/middleware/rate-limiting/bucketStore.ts" }),
      "api-service",
    );
    assert.match(title, /^Allow edit of …\/.*bucketStore\.ts in api-service\?$/);
  });

  it("says where a command runs, below the agent's reason, within the body's limit", () => {
    assert.equal(approvalBody(asked({ cwd: "packages/web" }), "api"), "run the tests\nRuns in api/packages/web");
    const long = approvalBody(asked({ reason: "why ".repeat(300), cwd: "." }), "api");
    assert.ok(long.length <= 500);
    assert.match(long, /…\nRuns in api$/);
  });

  it("tells a run's summary, not an earlier run's", () => {
    const events = [
      { type: "task", text: "t", title: "t", workspace: "w", mode: "ask", model: "m", by: { id: "p", name: "P" } },
      { type: "summary", text: "First run." },
      { type: "status", status: "done" },
      { type: "user-message", text: "again", by: { id: "p", name: "P" } },
      { type: "assistant-text", text: "Nothing to change." },
      { type: "status", status: "done" },
    ].map((e, i) => ({ seq: i + 1, event: { ...e, at: 0 } as ThreadEvent }));
    assert.equal(finishedBody("done", events, 3), "First run.");
    assert.equal(finishedBody("done", events, 6), "Nothing to change.");
  });
});

describe("notification tags", () => {
  it("are the same for the same event and valid ids even for the longest thread ids", () => {
    const longThread = "t".repeat(64);
    const tag = tags.finished(longThread, 12345);
    assert.equal(tag, tags.finished(longThread, 12345));
    assert.notEqual(tag, tags.finished(longThread, 12346));
    for (const t of [tag, tags.approval("ap1"), tags.question("q/1 with spaces"), tags.settled(tag)]) {
      assert.ok(idSchema.safeParse(t).success, t);
    }
    assert.equal(tags.approval("ap1"), "a-ap1");
    assert.equal(tags.finished("th1", 7), "f-th1-7");
    assert.notEqual(tags.settled(tags.approval("x")), tags.settled(tags.question("x")));
  });
});
