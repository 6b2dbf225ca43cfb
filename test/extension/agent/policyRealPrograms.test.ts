// What the gate claims about programs, checked against the real ones: each line really runs a
// program or writes a file (real bash, git, find, GNU sed, awk, tar, npm in a temporary folder),
// and the gate asks for it although a rule allows the program.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Policy, type Verdict } from "../../../extension/core/agent/policy/policy";
import type { PolicyMode } from "#protocol";
import type { ShellGrammar } from "../../../extension/core/agent/policy/grammar";
import { shellGrammar } from "../../support/shellGrammar";

let grammar: ShellGrammar;
before(async () => {
  grammar = await shellGrammar();
});

/** The one place Policy objects are made here. */
function makePolicy(mode: PolicyMode, allow: string[], root: string): Policy {
  return new Policy({ mode, rules: { allow, deny: [] }, workspaceRoot: root, homeDir: "/nonexistent-home", grammar });
}

function bash(line: string, cwd: string): void {
  const run = spawnSync("bash", ["-c", line], { cwd, encoding: "utf8", env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
  assert.equal(run.error, undefined);
}

describe("the gate against real programs", function () {
  this.timeout(30_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tether-gate-"));
    bash("git init -q . && git -c user.email=a@b -c user.name=a commit -q --allow-empty -m start", dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `line` for real, checks it made `made`, and returns the gate's verdict under `rule` in `mode`. */
  function judged(line: string, made: string, rule: string, mode: PolicyMode = "ask"): Verdict {
    bash(line, dir);
    assert.ok(existsSync(join(dir, made)), `${line} did not make ${made}`);
    return makePolicy(mode, [rule], dir).checkCommand(line, dir);
  }

  it("git -c core.fsmonitor runs a program on git status", () => {
    const verdict = judged("git -c core.fsmonitor='touch pwned' status", "pwned", "git");
    assert.equal(verdict.decision, "ask");
    assert.match(verdict.reason, /`git -c`/);
  });

  it("GIT_CONFIG_COUNT before git status runs a program, and asks even in full-auto", () => {
    const line = "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0='touch pwned' git status";
    const verdict = judged(line, "pwned", "git status", "full-auto");
    assert.equal(verdict.decision, "ask");
    assert.equal(verdict.reason, "GIT_CONFIG_COUNT set before git changes what it runs.");
  });

  it("GIT_EXTERNAL_DIFF runs a program on git diff", () => {
    bash("echo a > f && git add f && git -c user.email=a@b -c user.name=a commit -qm f && echo b > f", dir);
    const verdict = judged("GIT_EXTERNAL_DIFF='touch pwned;:' git diff", "pwned", "git diff", "full-auto");
    assert.equal(verdict.decision, "ask");
  });

  it("git config writes a setting that git status then runs, and that write is a protected place's", () => {
    const line = "git config core.fsmonitor 'touch pwned'";
    bash(`${line} && git status`, dir);
    assert.ok(existsSync(join(dir, "pwned")));
    const verdict = makePolicy("full-auto", ["git"], dir).checkCommand(line, dir);
    assert.deepEqual([verdict.decision, verdict.sticky], ["ask", true]);
  });

  it("git fetch takes --upload-pack abbreviated and runs it; git show --text is no --textconv", () => {
    const verdict = judged("git fetch --upload-p='touch pwned;:' .", "pwned", "git fetch");
    assert.deepEqual([verdict.decision, verdict.reason], ["ask", "`git --upload-pack` runs a program."]);
    const textconv = spawnSync("git", ["show", "--textc", "HEAD"], { cwd: dir });
    assert.notEqual(textconv.status, 0, "git refuses abbreviated diff options");
    assert.equal(makePolicy("ask", ["git show"], dir).checkCommand("git show --text HEAD", dir).decision, "allow");
  });

  it("find -exec runs a program", () => {
    const verdict = judged("find . -maxdepth 0 -exec touch pwned ';'", "pwned", "find");
    assert.deepEqual([verdict.decision, verdict.reason], ["ask", "`find -exec` runs a program."]);
  });

  it("sed s///e runs the pattern space, a [/] in the regex included; w writes a file", () => {
    assert.equal(judged("echo 'touch pwned' | sed 's/x/y/;e'", "pwned", "sed").decision, "ask");
    assert.equal(judged("echo 'touch pw/' | sed 's/[/]//e'", "pw", "sed").decision, "ask");
    assert.equal(judged("echo x | sed -n 'w written'", "written", "sed").decision, "ask");
  });

  it("sed a\\ text that looks like e is only text, and the gate agrees", () => {
    const line = "printf 'touch pwned\\n' | sed 'a\\\ne'";
    bash(line, dir);
    assert.equal(existsSync(join(dir, "pwned")), false);
    const policy = makePolicy("ask", ["sed", "printf"], dir);
    assert.equal(policy.checkCommand(line, dir).decision, "allow");
  });

  it("awk system() runs a program", () => {
    assert.equal(judged(`awk 'BEGIN { system("touch pwned") }'`, "pwned", "awk").decision, "ask");
  });

  it("tar --to-command runs a program for each file", () => {
    bash("echo a > f && tar -cf a.tar f && rm f", dir);
    assert.equal(judged("tar -xf a.tar --to-command='touch pwned'", "pwned", "tar").decision, "ask");
  });

  it("npm test --script-shell runs another program than the test script", () => {
    writeFileSync(join(dir, "package.json"), '{ "name": "x", "scripts": { "test": "echo hi" } }\n');
    writeFileSync(join(dir, "sh.sh"), "#!/bin/sh\ntouch pwned\n");
    chmodSync(join(dir, "sh.sh"), 0o755);
    const verdict = judged("npm test --script-shell=./sh.sh", "pwned", "npm test");
    assert.equal(verdict.decision, "ask");
    assert.match(verdict.reason, /`npm --script-shell`/);
  });

  it("$PWD follows an assignment of PWD, so the write lands elsewhere", () => {
    mkdirSync(join(dir, "elsewhere"));
    mkdirSync(join(dir, "ws"));
    const line = `PWD=${dir}/elsewhere; echo k >> $PWD/authorized_keys`;
    bash(line, join(dir, "ws"));
    assert.ok(existsSync(join(dir, "elsewhere/authorized_keys")));
    const verdict = makePolicy("full-auto", ["echo"], join(dir, "ws")).checkCommand(line, join(dir, "ws"));
    assert.equal(verdict.decision, "ask");
  });
});
