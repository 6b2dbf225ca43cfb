// The shell oracle itself must be able to fail: a verdict of allow on a line whose shell runs a
// hidden program, writes a file, hands a program a variable or feeds a shell code is reported;
// a line that does none of that is not. And whatever a line does stays inside the chroot.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { Verdict } from "../../../extension/core/agent/policy/policy";
import { judge, oracleGate, type OracleGate } from "../../support/oracleJudge";
import { oracleUnavailable, ShellOracle, type OracleShell, type ShellRun } from "../../support/shellOracle";

const ALLOW: Verdict = { decision: "allow", rule: "hand-made", reason: "A verdict made up for this test." };
const SHELLS: readonly OracleShell[] = ["bash", "dash"];

describe("shell oracle harness", function () {
  this.timeout(120_000);
  let oracle: ShellOracle | undefined;
  let gate: OracleGate;
  const baselines = new Map<OracleShell, ReadonlyMap<string, string>>();

  before(async function () {
    const why = oracleUnavailable();
    if (why) {
      console.warn(`    skipped: ${why}`);
      this.skip();
    }
    oracle = ShellOracle.create();
    gate = await oracleGate();
    for (const shell of SHELLS) {
      const [probe] = await oracle.run(shell, ["ls"], { parallel: 1 });
      baselines.set(shell, probe?.executed[0]?.env ?? new Map());
    }
  });

  after(() => oracle?.dispose());

  async function runBoth(line: string): Promise<ShellRun[]> {
    if (!oracle) throw new Error("no oracle");
    return (await Promise.all(SHELLS.map((shell) => oracle!.run(shell, [line], { parallel: 1 })))).flat();
  }

  function disagreementsOf(run: ShellRun) {
    return judge(run, { ask: ALLOW, "full-auto": ALLOW }, gate, baselines.get(run.shell) ?? new Map());
  }

  it("reports the program a carriage return hides from the gate behind #", async () => {
    for (const run of await runBoth("echo x\r# ; rm -rf ~")) {
      assert.deepEqual(
        run.executed.map((execution) => execution.argv),
        [["rm", "-rf", "/home/dev"]],
        `${run.shell} runs rm`,
      );
      const found = disagreementsOf(run);
      assert.ok(
        found.some((d) => d.mode === "ask" && d.kind === "ran" && d.detail.includes("'rm' '-rf' '/home/dev'")),
        `${run.shell}: ${JSON.stringify(found)}`,
      );
      // Full-auto too: `rm -rf ~` judged alone is a built-in deny.
      assert.ok(
        found.some((d) => d.mode === "full-auto" && d.kind === "ran"),
        `${run.shell} full-auto`,
      );
    }
  });

  it("finds nothing to report when the shell did only what an allowed line says", async () => {
    for (const run of await runBoth("echo hi > /dev/null; ls -la < /dev/zero; git status")) {
      assert.equal(run.executed.length, 2, `${run.shell}: echo is built in, ls and git run`);
      assert.deepEqual(disagreementsOf(run), []);
    }
  });

  it("reports writes, variables and code on stdin, and follows background programs", async () => {
    const cases: [string, string, string][] = [
      ["echo k > ~/.ssh/authorized_keys", "wrote", "/home/dev/.ssh/authorized_keys"],
      ["echo k > .git/config", "wrote", "/home/dev/project/.git/config"],
      ["FOO=1 ls", "env", "FOO"],
      ["PATH=/bin:$PATH ls", "env", "PATH"],
      ["echo 'import os' | python3", "stdin", "import os"],
      // The shells are real: what they are handed runs, and its programs are recorded.
      ["echo 'rm -rf ~' | sh", "ran", "'rm' '-rf' '/home/dev'"],
      ["echo 'rm -rf ~' | sh", "stdin", "rm -rf ~"],
      ["echo 'echo hi' | bash -s", "stdin", "echo hi"],
      ["bash -c 'echo x\r# ; touch ~/.ssh/x'", "ran", "'touch' '/home/dev/.ssh/x'"],
      ["ls & rm -rf / &", "ran", "'rm' '-rf' '/'"],
    ];
    for (const [line, kind, mention] of cases) {
      for (const run of await runBoth(line)) {
        const found = disagreementsOf(run).filter((d) => d.kind === kind && d.detail.includes(mention));
        assert.ok(found.length > 0, `${run.shell} ${JSON.stringify(line)}: ${JSON.stringify(run)}`);
      }
    }
  });

  it("keeps every line inside its chroot and stops it at the time limit", async () => {
    const escape = `/tmp/tether-oracle-escape-${process.pid}`;
    for (const run of await runBoth(`echo x > ${escape}; cd /; echo y > ${escape}-2; while :; do :; done`)) {
      assert.equal(run.status, 137, `${run.shell} was stopped by the time limit`);
      assert.deepEqual(run.written.sort(), [escape, `${escape}-2`]);
    }
    for (const run of await runBoth(":(){ :|:& };:")) {
      assert.ok(run.status === 137 || run.status < 128, `${run.shell}: a fork bomb is held and stopped`);
    }
    assert.equal(existsSync(escape), false, "nothing reached the real /tmp");
    assert.equal(existsSync(`${escape}-2`), false);
  });
});
