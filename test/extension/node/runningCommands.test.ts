// The record of running commands: written while a command runs and gone when it ends, and at
// start only a group whose leader is still the recorded process is killed.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { interruptedDetail } from "../../../extension/core/threads/threadManager";
import { createProcessRunner } from "../../../extension/node/processRunner";
import { processStartTime, reapRunning, RunningCommands } from "../../../extension/node/runningCommands";
import { until } from "../../support/wait";

const posix = process.platform !== "win32";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("running commands on disk", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tether-running-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("records a command while it runs, with its thread, and removes it when it ends", async function () {
    if (!posix) this.skip();
    const runner = createProcessRunner({ running: new RunningCommands(dir) });
    const file = join(dir, "running.json");
    let seen: unknown;
    const done = runner.run({
      command: "echo started; sleep 0.5",
      cwd: dir,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      threadId: "t1",
      onOutput: () => {
        seen ??= JSON.parse(readFileSync(file, "utf8"));
      },
    });
    const result = await done;
    assert.equal(result.exitCode, 0);
    const [record] = seen as { pid: number; started: string; command: string; threadId: string }[];
    assert.equal(record!.command, "echo started; sleep 0.5");
    assert.equal(record!.threadId, "t1");
    assert.ok(record!.started.length > 0);
    assert.ok(!existsSync(file), "the record is gone once the command ended");
  });

  it("kills a recorded group whose leader is the same process, not one whose pid was reused", async function () {
    if (!posix) this.skip();
    const ours = spawn("/bin/sh", ["-c", "sleep 600 & wait"], { detached: true, stdio: "ignore" });
    const other = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
    try {
      await Promise.all([ours, other].map((p) => new Promise((r) => p.once("spawn", r))));
      await until("our command's start time in /proc", () => processStartTime(ours.pid!));
      const records = [
        { pid: ours.pid!, started: processStartTime(ours.pid!)!, command: "npm test", threadId: "t1" },
        { pid: other.pid!, started: "1", command: "npm run build", threadId: "t2" },
      ];
      writeFileSync(join(dir, "running.json"), JSON.stringify(records));
      const reaped = await reapRunning(dir, 1000);
      assert.deepEqual(
        reaped.map((r) => [r.record.command, r.killed]),
        [
          ["npm test", true],
          ["npm run build", false],
        ],
      );
      await until("our command's group to be gone", () => !alive(ours.pid!));
      assert.ok(alive(other.pid!), "the other program lives");
      assert.ok(!existsSync(join(dir, "running.json")));
    } finally {
      for (const p of [ours, other]) {
        try {
          process.kill(-p.pid!, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  });

  it("says which commands of an interrupted run were stopped", () => {
    assert.equal(interruptedDetail([]), "interrupted: the host stopped during this run");
    assert.equal(
      interruptedDetail(["npm test"]),
      "interrupted: the host stopped during this run; the command `npm test` that was running was stopped",
    );
    assert.match(interruptedDetail(["a", "b"]), /the commands `a`, `b` that were running were stopped$/);
  });
});
