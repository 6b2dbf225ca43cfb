import assert from "node:assert/strict";
import type { ThreadEvent } from "#protocol";
import { aheadBehind, gitRowWords, pushAdvice, type GitEvent } from "../../../mobile-web/src/git/gitWords";
import { buildTimeline } from "../../../mobile-web/src/threads/timeline";

const dana = { id: "p1", name: "Dana's phone" };

function git(fields: Partial<GitEvent> & Pick<GitEvent, "action" | "ok" | "text">): GitEvent {
  return { type: "git", at: 1, by: dana, ...fields };
}

describe("git rows in a thread's history", () => {
  it("says who pushed what, in the host's words after the name", () => {
    const words = gitRowWords(git({ action: "push", ok: true, text: "Pushed tether/add-rate-limiting to origin" }));
    assert.equal(words.headline, "Dana's phone pushed tether/add-rate-limiting to origin");
    assert.equal(words.detail, undefined);
  });

  it("keeps a commit's message and hash in the headline", () => {
    const words = gitRowWords(git({ action: "commit", ok: true, text: "Committed 3 files as 1a2b3c4: Add rate limiting" }));
    assert.equal(words.headline, "Dana's phone committed 3 files as 1a2b3c4: Add rate limiting");
  });

  it("shows git's own text under a failure", () => {
    const text = " ! [rejected]        tether/x -> tether/x (fetch first)\nerror: failed to push some refs";
    const words = gitRowWords(git({ action: "push", ok: false, text }));
    assert.equal(words.headline, "Dana's phone could not push");
    assert.equal(words.detail, text.trim());
  });

  it("says what happened itself when the host's text is no verb phrase", () => {
    const words = gitRowWords(
      git({
        action: "worktree",
        ok: true,
        text: "",
        branch: "tether/fix-dates",
        baseBranch: "main",
        by: { id: "h", name: "laptop" },
      }),
    );
    assert.equal(words.headline, "laptop started this task in a worktree of its own on tether/fix-dates (from main)");
    const push = gitRowWords(git({ action: "push", ok: true, text: "origin: tether/x", branch: "tether/x" }));
    assert.equal(push.headline, "Dana's phone pushed tether/x");
    assert.equal(push.detail, "origin: tether/x");
  });

  it("is a row of its own in the timeline, in order", () => {
    const events: ThreadEvent[] = [
      { type: "status", status: "done", at: 1 },
      git({ action: "pull-request", ok: true, text: "Opened pull request #7", url: "https://github.com/a/b/pull/7" }),
    ];
    const items = buildTimeline(events.map((event, i) => ({ seq: i + 1, event })));
    assert.deepEqual(
      items.map((i) => i.kind),
      ["status", "git"],
    );
    const row = items[1]!;
    assert.ok(row.kind === "git" && row.git.url === "https://github.com/a/b/pull/7");
  });
});

describe("a worktree made while the task was queued", () => {
  it("drops the queued line once the task runs, and keeps the worktree's row", () => {
    const events: ThreadEvent[] = [
      { type: "status", status: "queued", at: 1 },
      git({ action: "worktree", ok: true, text: "", branch: "tether/x", baseBranch: "main" }),
      { type: "status", status: "running", at: 3 },
    ];
    const items = buildTimeline(events.map((event, i) => ({ seq: i + 1, event })));
    assert.deepEqual(
      items.map((i) => i.kind),
      ["git"],
    );
  });
});

describe("push and branch words", () => {
  it("explains a rejected push without offering to force it", () => {
    const advice = pushAdvice("rejected") ?? "";
    assert.match(advice, /Update the branch on the computer/);
    assert.doesNotMatch(advice, /force/i);
    assert.equal(pushAdvice("something-else"), null);
  });

  it("says where a branch stands against its upstream", () => {
    assert.equal(aheadBehind({ upstream: "origin/main", ahead: 2, behind: 1 }), "2 ahead, 1 behind");
    assert.equal(aheadBehind({ upstream: "origin/main", ahead: 0, behind: 0 }), "up to date");
    assert.equal(aheadBehind({ ahead: 3, behind: 0 }), "");
  });
});
