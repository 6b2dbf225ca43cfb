import assert from "node:assert/strict";
import { ErrorCode, TetherError, type GitOp, type GitStateResult } from "#protocol";
import { followOp } from "../../../mobile-web/src/git/opPoll";

const base: GitStateResult = {
  type: "git-state",
  repository: true,
  branch: "tether/x",
  ahead: 0,
  behind: 0,
  uncommitted: 0,
  canCreatePullRequest: false,
};

const op = (opId: string, fields: Partial<GitOp>): GitOp => ({
  opId,
  action: "push",
  state: "running",
  by: "Dana's phone",
  startedAt: 1,
  ...fields,
});

/** A fake clock and a host whose answers are read in turn (the last one repeats). */
function host(answers: (GitStateResult | Error)[]) {
  let now = 0;
  let reads = 0;
  const sleeps: number[] = [];
  const progress: string[] = [];
  return {
    sleeps,
    progress,
    reads: () => reads,
    deps: {
      read: async () => {
        const answer = answers[Math.min(reads++, answers.length - 1)]!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      now: () => now,
      onState: (s: GitStateResult) => progress.push(s.op?.progress ?? "-"),
    },
  };
}

describe("following a long git command", () => {
  it("reads about every second, shows progress, and returns the run once it ended", async () => {
    const h = host([
      { ...base, op: op("mine1234", { progress: "Counting objects: 3" }) },
      { ...base, op: op("mine1234", { progress: "Writing objects: 100% (3/3)" }) },
      { ...base, op: op("mine1234", { state: "done", message: "Pushed tether/x to origin" }) },
    ]);
    const ended = await followOp("mine1234", h.deps);
    assert.equal(ended.state, "done");
    assert.equal(ended.message, "Pushed tether/x to origin");
    assert.deepEqual(h.progress, ["Counting objects: 3", "Writing objects: 100% (3/3)"]);
    assert.deepEqual(h.sleeps, [1000, 1000]);
  });

  it("ignores another phone's run in the same place and waits for its own", async () => {
    const h = host([
      { ...base, op: op("other999", { state: "failed", message: "not mine" }) },
      { ...base, op: op("mine1234", { state: "failed", code: "rejected", message: "! [rejected]" }) },
    ]);
    const ended = await followOp("mine1234", h.deps);
    assert.equal(ended.code, "rejected");
    assert.equal(h.reads(), 2);
  });

  it("rides out a few failed reads but gives up after five in a row", async () => {
    const blip = new TetherError(ErrorCode.Timeout, "slow");
    const ok = await followOp("mine1234", host([blip, blip, { ...base, op: op("mine1234", { state: "done" }) }]).deps);
    assert.equal(ok.state, "done");
    const down = host([blip]);
    await assert.rejects(followOp("mine1234", down.deps), /slow/);
    assert.equal(down.reads(), 5);
  });

  it("stops following a run that never ends, saying it goes on", async () => {
    await assert.rejects(followOp("mine1234", host([{ ...base, op: op("mine1234", {}) }]).deps), /goes on on the computer/);
  });
});
