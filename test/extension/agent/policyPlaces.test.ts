// Variables set for a command (GATE-SPEC 6), protected places (4) and Windows hosts (9).

import assert from "node:assert/strict";
import { Policy, type Decision, type PolicyRules } from "../../../extension/core/agent/policy/policy";
import type { PolicyMode } from "#protocol";
import type { ShellGrammar } from "../../../extension/core/agent/policy/grammar";
import { shellGrammar } from "../../support/shellGrammar";

let grammar: ShellGrammar;
before(async () => {
  grammar = await shellGrammar();
});

const ROOT = "/home/dev/project";
const MODES: readonly PolicyMode[] = ["read-only", "ask", "auto-edit", "full-auto"];

/** The one place Policy objects are made here. */
function makePolicy(mode: PolicyMode, allow: string[] = [], platform?: "posix" | "win32", deny: string[] = []): Policy {
  const rules: PolicyRules = { allow, deny };
  return new Policy({ mode, rules, workspaceRoot: ROOT, homeDir: "/home/dev", grammar, ...(platform ? { platform } : {}) });
}

function decisions(command: string, allow: string[], platform?: "posix" | "win32"): Decision[] {
  return MODES.map((mode) => makePolicy(mode, allow, platform).checkCommand(command, ROOT).decision);
}

const RULES = ["git status", "git diff", "git log", "npm test", "ls", "echo", "bash", "cat", "git", "cd"];

describe("variables set for a command", () => {
  it("asks in every mode when a name changes what runs", () => {
    const lines: [string, RegExp][] = [
      [
        "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0=cmd git status",
        /^GIT_CONFIG_COUNT set before git changes what it runs\.$/,
      ],
      ["GIT_EXTERNAL_DIFF=./d.sh git diff", /GIT_EXTERNAL_DIFF set before git/],
      ["GIT_PAGER='touch x' git log", /GIT_PAGER/],
      ["LD_PRELOAD=./evil.so ls", /LD_PRELOAD/],
      ["PATH=/tmp/evil:$PATH git status", /PATH/],
      ["BASH_ENV=./x.sh bash -c 'ls'", /BASH_ENV/],
      ["env GIT_PAGER=x git log", /GIT_PAGER set before git/],
      ["export PATH=/tmp/evil; git status", /PATH set in this command line/],
      ["declare -x NODE_OPTIONS=--require=./x.js; npm test", /NODE_OPTIONS/],
      ["for PATH in /tmp/evil; do git status; done", /PATH/],
      ["echo /tmp/evil | { read PATH; git status; }", /PATH/],
      ["printf -v IFS x; ls", /IFS/],
      ["git status; GIT_DIR=/tmp/evil", /GIT_DIR/],
      ["npm_config_script_shell=./sh npm test", /npm_config_script_shell/],
    ];
    for (const [line, reason] of lines) {
      assert.deepEqual(decisions(line, RULES), ["deny", "ask", "ask", "ask"], line);
      assert.match(makePolicy("full-auto", RULES).checkCommand(line, ROOT).reason, reason, line);
    }
  });

  it("lets harmless names stand before an allowed command, and no others", () => {
    for (const line of ["CI=1 npm test", "NODE_ENV=test FORCE_COLOR=1 npm test", "LC_ALL=C ls", "TZ=UTC git log -1"]) {
      assert.deepEqual(decisions(line, RULES), ["deny", "allow", "allow", "allow"], line);
    }
    for (const line of ["FOO=1 npm test", "env X=1 npm test", "export X=1; npm test", "X=1; npm test", "declare -x X=1; ls"]) {
      assert.deepEqual(decisions(line, RULES), ["deny", "ask", "ask", "allow"], line);
    }
    assert.equal(
      makePolicy("ask", RULES).checkCommand("env X=1 npm test", ROOT).reason,
      "X is set for npm, and allow rules only cover commands run without it.",
    );
  });

  it("stops placing paths once PWD, HOME or CDPATH is set", () => {
    const full = makePolicy("full-auto", RULES);
    const moved = full.checkCommand("PWD=~/.ssh; echo k >> $PWD/authorized_keys", ROOT);
    assert.equal(moved.decision, "ask");
    assert.match(moved.reason, /PWD set in this command line|cannot be checked/);
    for (const line of [
      "HOME=/tmp/x; echo k > ~/notes.txt",
      "CDPATH=/home/dev; cd .ssh && echo k > authorized_keys",
      "HOME=/home/dev/.ssh bash -c 'echo k > ~/authorized_keys'",
    ]) {
      assert.equal(full.checkCommand(line, ROOT).decision, "ask", line);
    }
    // Without them, the same writes are placed inside the workspace.
    assert.equal(full.checkCommand("echo k >> $PWD/notes.txt", ROOT).decision, "allow");
    assert.equal(full.checkCommand("cd src && echo k > notes.txt", ROOT).decision, "allow");
  });
});

describe("protected places", () => {
  const WRITES = [
    "echo x > .git/config",
    "echo x >> .git/hooks/pre-commit",
    "ls > sub/.git/hooks/post-checkout",
    "cd .git && echo x > config",
    "echo x > $PWD/.vscode/settings.json",
    "git status | tee .vscode/tasks.json",
    "cp hook.sh .husky/pre-commit",
    "mv hook.sh .GIT/hooks/pre-push",
    "ln -s ../../hook.sh .git/hooks/pre-commit",
    "install -m 755 hook.sh .git/hooks/pre-push",
    "sed -i s/a/b/ .git/config",
    "perl -pi -e s/a/b/ .github/workflows/ci.yml",
    "touch .envrc",
    "dd if=a of=.devcontainer/devcontainer.json",
    "truncate -s 0 .tether/state.json",
    "chmod +x .git/hooks/pre-commit",
    "rm -rf .git",
    "tar -xf a.tar -C .git",
    "unzip a.zip -d .vscode",
    "echo x > .gi?/config",
    "echo x > {.git,src}/config",
    "git config core.fsmonitor 'touch x'",
    "git config --local core.pager cat",
    "git remote set-url origin https://example.com/other.git",
    "git -c user.name=x status > .github/x",
    "sed -n 'w .git/hooks/pre-commit' a.txt",
    "sed 's/a/b/w .envrc' a.txt",
    "find . -fprint .vscode/x",
    "rsync -a hooks/ .git/hooks/",
  ];

  it("asks in every mode for shell writes, whatever the rules", () => {
    const rules = [...RULES, "tee", "cp", "mv", "ln", "install", "sed", "perl", "touch", "dd", "truncate", "chmod"];
    const more = [...rules, "rm", "tar", "unzip", "git config", "git remote", "find", "rsync"];
    for (const line of WRITES) {
      assert.deepEqual(decisions(line, more), ["deny", "ask", "ask", "ask"], line);
      const verdict = makePolicy("full-auto", more).checkCommand(line, ROOT);
      assert.equal(verdict.sticky, true, line);
      assert.match(verdict.reason, /a protected place/, line);
    }
  });

  it("leaves reads and writes elsewhere alone", () => {
    const full = makePolicy("full-auto", RULES);
    for (const line of [
      "cat .git/config",
      "git config --get core.pager",
      "git config user.name",
      "git remote -v",
      "echo x > src/.gitignore",
      "echo x > .github-notes.md",
      "cp .vscode/settings.json backup.json",
      "find . -name '*.ts' -exec echo {} +",
    ]) {
      const verdict = full.checkCommand(line, ROOT);
      assert.equal(verdict.decision, "allow", `${line}: ${verdict.reason}`);
    }
    assert.equal(full.checkCommand("git config --global core.pager cat", ROOT).rule, "write outside the workspace");
  });

  it("asks for file-tool edits in every mode, with a verdict no blanket lifts", () => {
    for (const path of [
      ".vscode/settings.json",
      ".git/config",
      ".github/workflows/ci.yml",
      "sub/.husky/pre-commit",
      ".devcontainer/devcontainer.json",
      ".envrc",
      ".tether/x",
      ".GIT/config",
      ".git./config",
      "GIT~1/config",
      ".git::$INDEX_ALLOCATION/config",
      ".github\\workflows\\ci.yml",
    ]) {
      const verdicts = MODES.map((mode) => makePolicy(mode).checkEdit(path));
      assert.deepEqual(
        verdicts.map((verdict) => verdict.decision),
        ["deny", "ask", "ask", "ask"],
        path,
      );
      assert.equal(verdicts[3]?.sticky, true, path);
    }
    const edit = makePolicy("full-auto").checkEdit(".vscode/settings.json");
    assert.equal(edit.reason, "The agent wants to change .vscode/settings.json, in .vscode/, a protected place.");
    assert.deepEqual(
      MODES.map((mode) => makePolicy(mode).checkEdit("src/.github.ts").decision),
      ["deny", "ask", "allow", "allow"],
    );
  });
});

describe("Windows hosts", () => {
  it("asks for every command but a plain one a rule covers, and still denies", () => {
    assert.deepEqual(decisions("npm test", RULES, "win32"), ["deny", "allow", "allow", "allow"]);
    assert.deepEqual(decisions("git status --short", RULES, "win32"), ["deny", "allow", "allow", "allow"]);
    for (const line of ["dir", "npm test & del x", "npm test > out.txt", "echo %PATH%", 'git log "a b"', "ls src\\x"]) {
      assert.deepEqual(decisions(line, RULES, "win32"), ["deny", "ask", "ask", "ask"], line);
    }
    assert.match(
      makePolicy("full-auto", RULES, "win32").checkCommand("dir", ROOT).reason,
      /^Commands on Windows are not analysed/,
    );
    assert.deepEqual(decisions("git -c core.pager=x log", RULES, "win32"), ["deny", "ask", "ask", "ask"]);
    assert.deepEqual(decisions("rm -rf /", RULES, "win32"), ["deny", "deny", "deny", "deny"]);
    assert.equal(makePolicy("full-auto", RULES, "win32", ["git push"]).checkCommand("git push origin x", ROOT).decision, "deny");
    // The same lines on a POSIX host.
    assert.deepEqual(decisions("dir", RULES), ["deny", "ask", "ask", "allow"]);
  });
});
