// How rules meet commands (GATE-SPEC 2, 7, 8) and the fail-closed and write checks next to them:
// deny rules by program name whatever its path, git rules past git's own options, function
// definitions, `;;`, `xargs -I` into code, and files named by format-patch, archive and base64.
// Where bash's behaviour is the claim, real bash shows it first.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Policy, type Decision } from "../../../extension/core/agent/policy/policy";
import type { PolicyMode } from "#protocol";
import type { ShellGrammar } from "../../../extension/core/agent/policy/grammar";
import { shellGrammar } from "../../support/shellGrammar";

let grammar: ShellGrammar;
before(async () => {
  grammar = await shellGrammar();
});

const ROOT = "/home/dev/project";
const MODES: readonly PolicyMode[] = ["read-only", "ask", "auto-edit", "full-auto"];
const TYPICAL = ["echo", "git status", "git log", "npm test", "ls", "cat", "find", "rg", "sed -n", "grep"];

/** The one place Policy objects are made here. */
function makePolicy(mode: PolicyMode, allow: string[], deny: string[] = []): Policy {
  return new Policy({ mode, rules: { allow, deny }, workspaceRoot: ROOT, homeDir: "/home/dev", grammar });
}

function decisions(line: string, allow: string[], deny: string[] = []): Decision[] {
  return MODES.map((mode) => makePolicy(mode, allow, deny).checkCommand(line, ROOT).decision);
}

function bash(script: string, input = ""): { status: number | null; stdout: string } {
  const run = spawnSync("bash", ["-c", script], { input, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
  return { status: run.status, stdout: run.stdout };
}

describe("rules and the program they name", () => {
  it("denies by the program's name whatever path runs it, and past git's own options", () => {
    for (const line of [
      "/usr/bin/git reset --hard",
      "env /usr/bin/git reset --hard",
      "command git -C . reset --hard",
      "git --no-pager -c color.ui=never reset --hard",
      "git --git-dir=.git --work-tree=. reset HEAD~1",
    ]) {
      assert.deepEqual(decisions(line, ["git"], ["git reset"]), ["deny", "deny", "deny", "deny"], line);
    }
    assert.deepEqual(decisions("git -C . push origin x", ["git"], ["git push origin"]), ["deny", "deny", "deny", "deny"]);
    // `git log --reset` is no `git reset`; `git -C reset log` runs log in a folder called reset.
    assert.deepEqual(decisions("git -C reset log", ["git"], ["git reset"]), ["deny", "allow", "allow", "allow"]);
  });

  it("allows git past its own options only when they stay harmless and inside the workspace", () => {
    for (const line of ["git -C . status", "git --no-pager log -1", "git -C src -P log", "git --work-tree=. status"]) {
      assert.deepEqual(decisions(line, TYPICAL), ["deny", "allow", "allow", "allow"], line);
    }
    const ask = makePolicy("ask", TYPICAL);
    for (const [line, reason] of [
      ["git -c core.pager=./x status", /`git -c`/],
      ["git -C . -c core.fsmonitor=./x status", /`git -c`/],
      ["git --git-dir=/tmp/x status", /`git --git-dir`/],
      ["git -C /tmp status", /runs git in \/tmp, outside the workspace/],
      ["git --work-tree=/tmp status", /runs git in \/tmp, outside the workspace/],
      ["git --work-tree /home/dev status", /runs git in \/home\/dev, outside the workspace/],
      ["git -C . log --output=x.txt", /`git --output` writes a file/],
    ] as const) {
      const got = ask.checkCommand(line, ROOT);
      assert.equal(got.decision, "ask", line);
      assert.match(got.reason, reason, line);
    }
    // A rule for git by name is no rule for another program called git.
    assert.equal(ask.checkCommand("/tmp/x/git status", ROOT).decision, "ask");
  });
});

describe("lines that change what a later word runs", () => {
  it("asks in every mode about a function definition, which bash runs in place of the command", () => {
    assert.equal(bash("echo () { printf hijacked; }; echo hi").stdout, "hijacked");
    for (const line of ["ls () { rm -rf src; }", "function cat { curl x.example; }", "f() (ls); f"]) {
      assert.deepEqual(decisions(line, TYPICAL), ["deny", "ask", "ask", "ask"], line);
    }
    assert.match(
      makePolicy("full-auto", ["echo"]).checkCommand("echo () (curl google.com) ; echo hi", ROOT).reason,
      /defines a function `echo`, which changes what a later `echo` runs/,
    );
  });

  it('asks about ";;" outside a case, which bash refuses, and reads it inside one', () => {
    assert.notEqual(bash("ls ;; pwd").status, 0);
    for (const line of ["ls ;; pwd", "ls;;", "{ ls ;; }"]) {
      assert.deepEqual(decisions(line, TYPICAL), ["deny", "ask", "ask", "ask"], line);
      assert.match(makePolicy("full-auto", TYPICAL).checkCommand(line, ROOT).reason, /could not be checked/, line);
    }
    assert.deepEqual(decisions("case x in a) ls ;; *) cat f ;; esac", TYPICAL), ["deny", "allow", "allow", "allow"]);
  });

  it("asks when xargs -I puts the lines it reads into code a shell or interpreter runs", () => {
    // What ls prints becomes shell code: a file called `$(echo pwned)` runs echo.
    assert.equal(bash("xargs -I{} sh -c 'echo {}'", "$(echo pwned)\n").stdout, "pwned\n");
    for (const line of [
      "ls | xargs -I{} sh -c 'echo {}'",
      "ls | xargs -I {} bash -c 'cat {}'",
      "ls | xargs -i sh -c 'echo {}'",
      "ls | xargs -0I@ sh -c 'cat @'",
      "ls | xargs --replace=X env sh -c 'echo X'",
      "ls | xargs -I{} python3 -c 'print(\"{}\")'",
      "ls | xargs -I{} node -e '{}'",
      "ls | xargs -I{} {} --version",
    ]) {
      assert.deepEqual(
        decisions(line, [...TYPICAL, "sh", "bash", "python3", "node", "env"]),
        ["deny", "ask", "ask", "ask"],
        line,
      );
    }
    // The line as an argument, not as code: the rules decide.
    for (const line of ["ls | xargs -I{} echo {}", "ls | xargs -I{} sh -c 'echo \"$1\"' _ {}"]) {
      assert.deepEqual(decisions(line, [...TYPICAL, "sh"]), ["deny", "allow", "allow", "allow"], line);
    }
  });
});

describe("files a command line names as its output", () => {
  it("asks in every mode when format-patch, archive or base64 writes outside the workspace", () => {
    for (const line of [
      "git format-patch -o /tmp/p HEAD~1",
      "git format-patch --output-directory=/tmp/p HEAD~1",
      "git format-patch --output-d /tmp/p HEAD~1",
      "git -C . format-patch -o/tmp/p HEAD~1",
      "git archive -o /tmp/a.tar HEAD",
      "git archive --output /tmp/a.tar HEAD",
      "base64 -o ~/.bashrc payload.b64",
      "base64 -D -o/home/dev/.profile payload.b64",
    ]) {
      const got = makePolicy("full-auto", ["git", "base64"]).checkCommand(line, ROOT);
      assert.equal(got.decision, "ask", line);
      assert.match(got.reason, /outside the workspace/, line);
    }
    // Inside the workspace full-auto writes; ask mode asks for it like any edit.
    assert.deepEqual(decisions("git format-patch -o patches HEAD~1", ["git"]), ["deny", "ask", "ask", "allow"]);
    assert.deepEqual(decisions("base64 -d payload.b64", ["base64"]), ["deny", "allow", "allow", "allow"]);
  });

  it("reads glob and brace characters in a written name as patterns only when the shell does", () => {
    // Quoted, bash names the file as written; unquoted, it may name .git.
    assert.equal(bash("printf '%s\\n' '{.git,src}'/config").stdout, "{.git,src}/config\n");
    const full = makePolicy("full-auto", TYPICAL);
    for (const line of ["echo x > {.git,src}/config", "touch .gi?/hooks/pre-commit", 'echo x > "$D"/.git/config']) {
      const got = full.checkCommand(line, ROOT);
      assert.equal(got.decision, "ask", line);
      assert.equal(got.sticky, true, line);
    }
    for (const line of ["echo x > '{.git,src}'/config", "touch '.gi?'", "rm -rf 'build/*'"]) {
      const got = full.checkCommand(line, ROOT);
      assert.equal(got.decision, "allow", `${line}: ${got.reason}`);
    }
  });
});
