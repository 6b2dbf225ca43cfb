// "Tether: Merge Worktree…" without an editor: the quick pick's choices, the `worktree` command
// each one sends (checked against the protocol's own schema), and the words of its outcome.

import assert from "node:assert/strict";
import { commandSchema } from "#protocol";
import {
  discardQuestion,
  opOutcome,
  outcomeNotice,
  worktreeChoices,
  worktreeCommand,
  worktreeOutcome,
} from "../../../extension/vscode/worktreeChoices";

const names = { branch: "tether/count-nests", baseBranch: "main" };

describe("the editor's Merge Worktree choices", () => {
  it("offers merge (the host's way, or always a merge commit), keep and discard, naming the base branch", () => {
    const choices = worktreeChoices(names, 3);
    assert.deepEqual(
      choices.map((c) => [c.action, c.strategy]),
      [
        ["merge", undefined],
        ["merge", "merge-commit"],
        ["keep", undefined],
        ["discard", undefined],
      ],
    );
    assert.match(choices[0]!.label, /Merge into main$/);
    assert.match(choices[1]!.label, /Merge into main with a merge commit$/);
    assert.match(choices[3]!.detail, /with the 3 files the task changed\.$/);
    assert.match(worktreeChoices(names, 1)[3]!.detail, /with the 1 file the task changed\.$/);
  });

  it("turns each choice into a worktree command the host accepts, the discard with the count shown", () => {
    const [ff, mergeCommit, keep, discard] = worktreeChoices(names, 3);
    const sent = [ff!, mergeCommit!, keep!, discard!].map((choice) => worktreeCommand("thread-one", choice, { changedFiles: 3 }));
    for (const command of sent) assert.deepEqual(commandSchema.parse(command), command);
    assert.deepEqual(
      sent.map(({ opId: _opId, ...rest }) => rest),
      [
        { type: "worktree", threadId: "thread-one", action: "merge" },
        { type: "worktree", threadId: "thread-one", action: "merge", strategy: "merge-commit" },
        { type: "worktree", threadId: "thread-one", action: "keep" },
        { type: "worktree", threadId: "thread-one", action: "discard", changedFiles: 3 },
      ],
    );
    // Each run has its own op id, so its outcome is not mistaken for an earlier one's.
    assert.equal(new Set(sent.map((c) => c.opId)).size, 4);
    assert.equal(worktreeCommand("thread-one", keep!, { force: true }).force, true);
  });

  it("asks before a discard with the number of files lost", () => {
    assert.equal(
      discardQuestion("tether/count-nests", 2),
      "Discard tether/count-nests and its worktree? 2 files changed by the task will be lost.",
    );
  });

  it("finds the outcome among the thread's events, and says a conflict with its files", () => {
    const at = { at: 1, by: { id: "editor", name: "Code" } };
    assert.equal(worktreeOutcome({ ...at, type: "git", action: "commit", ok: true, text: "Committed" }), undefined);
    const conflict = worktreeOutcome({
      ...at,
      type: "git",
      action: "merge",
      ok: false,
      text: "Merging tether/count-nests into main stopped on conflicts.",
      files: ["wren-notes.md", "README.md"],
    });
    assert.ok(conflict);
    const notice = outcomeNotice(conflict, "merge", false);
    assert.equal(notice.ok, false);
    assert.equal(
      notice.message,
      "Tether: Merging tether/count-nests into main stopped on conflicts. Files: wren-notes.md, README.md.",
    );
    // A conflict is never forced; a removal refused for uncommitted files may be, once.
    assert.equal(notice.offerForce, false);
    const dirty = { ok: false, text: "The task has uncommitted changes.", files: ["a.txt"] };
    assert.equal(outcomeNotice(dirty, "keep", false).offerForce, true);
    assert.equal(outcomeNotice({ ...dirty, code: "worktree-dirty" }, "discard", false).offerForce, true);
    assert.equal(outcomeNotice(dirty, "keep", true).offerForce, false);
    // A discard refused because the count changed is asked again, not forced.
    assert.equal(outcomeNotice({ ...dirty, code: "count-mismatch" }, "discard", false).offerForce, false);
    const many = Array.from({ length: 13 }, (_, i) => `f${i}.txt`);
    assert.match(outcomeNotice({ ok: false, text: "Conflicts.", files: many }, "merge", false).message, /f9\.txt and 3 more\.$/);
    // The host's words may name the files already: they are not listed twice.
    const named = { ok: false, text: "Could not merge: conflicts in wren-notes.md", files: ["wren-notes.md"] };
    assert.equal(outcomeNotice(named, "merge", false).message, "Tether: Could not merge: conflicts in wren-notes.md");
    assert.deepEqual(outcomeNotice({ ok: true, text: "Merged tether/count-nests into main.", files: many }, "merge", false), {
      ok: true,
      message: "Tether: Merged tether/count-nests into main.",
      offerForce: false,
    });
  });

  it("takes the outcome from git-state's run only once that run, by its op id, has ended", () => {
    const op = { opId: "op-12345678", action: "merge", by: "Code", startedAt: 1 } as const;
    assert.equal(opOutcome(undefined, op.opId), undefined);
    assert.equal(opOutcome({ ...op, state: "running" }, op.opId), undefined);
    assert.equal(opOutcome({ ...op, state: "done", message: "Merged" }, "op-other-one"), undefined);
    assert.deepEqual(opOutcome({ ...op, state: "failed", message: "fatal: bad object", code: "failed" }, op.opId), {
      ok: false,
      text: "fatal: bad object",
      files: undefined,
      code: "failed",
    });
  });
});
