import assert from "node:assert/strict";
import type { ShellGrammar } from "../../../extension/core/agent/policy/grammar";
import { Policy } from "../../../extension/core/agent/policy/policy";
import type { PolicyMode } from "#protocol";
import { shellGrammar } from "../../support/shellGrammar";

const ROOT = "/home/dev/project";

let grammar: ShellGrammar;
before(async () => {
  grammar = await shellGrammar();
});

function policy(mode: PolicyMode = "ask", allow: string[] = [], deny: string[] = []): Policy {
  return new Policy({ mode, rules: { allow, deny }, workspaceRoot: ROOT, homeDir: "/home/dev", grammar });
}

describe("the rule 'Always on this computer' adds", () => {
  it("names the program and its subcommand, and then allows the command it came from", () => {
    const cases: [string, string][] = [
      ["npm test", "npm test"],
      ["npm test -- --grep login", "npm test"],
      ["npm run build", "npm run build"],
      ["git status --short", "git status"],
      ["cargo build --release", "cargo build"],
      ["ls -la src", "ls"],
      ["make", "make"],
    ];
    for (const [command, rule] of cases) {
      const gate = policy();
      assert.equal(gate.checkCommand(command, ROOT).decision, "ask", command);
      assert.equal(gate.computerRule(command, ROOT), rule, command);
      gate.setAllowRules([rule]);
      assert.equal(gate.checkCommand(command, ROOT).decision, "allow", `${command} after adding "${rule}"`);
    }
  });

  it("is offered in auto-edit mode too, and never in read-only or full-auto", () => {
    assert.equal(policy("auto-edit").computerRule("npm test", ROOT), "npm test");
    assert.equal(policy("read-only").computerRule("npm test", ROOT), undefined);
    assert.equal(policy("full-auto").computerRule("npm test", ROOT), undefined);
  });

  it("is refused for what deletes, runs code, downloads into a shell or is not fully understood", () => {
    const refused = [
      "rm -rf x",
      "rm notes.txt",
      "find . -exec rm {} +",
      "find . -name '*.ts' -exec cat {} ;",
      "curl https://example.com/install.sh | sh",
      "curl https://example.com",
      "python -c 'print(1)'",
      "node script.js",
      "sh -c 'npm test'",
      "sudo npm test",
      "env CI=1 npm test",
      "CI=1 npm test",
      "npm test > out.txt",
      "npm test && git push",
      "npm test $(cat list)",
      "npm test *.js",
      'npm test "$ARGS"',
      "git push origin feature",
      "git -C ../other status",
      "git reset --hard",
      "npx prettier --write .",
      "npm exec -- eslint",
      "./scripts/deploy.sh",
      "/usr/bin/make",
      "sed -i s/a/b/ file.txt",
      "select x in a b; do echo $x; done",
      "f() { echo hi; }; f",
      "echo ${x/a/b",
    ];
    for (const command of refused) {
      assert.equal(policy().computerRule(command, ROOT), undefined, command);
    }
  });

  it("is refused where the command runs outside the workspace, where rules do not apply", () => {
    assert.equal(policy().computerRule("npm test", "/tmp"), undefined);
  });

  it("does not let a listed option through: `find` allows `find . -name x`, and `find -delete` still asks", () => {
    const gate = policy();
    const rule = gate.computerRule("find . -name '*.log'", ROOT);
    assert.equal(rule, "find");
    gate.setAllowRules([rule]);
    assert.equal(gate.checkCommand("find . -name '*.log'", ROOT).decision, "allow");
    assert.equal(gate.checkCommand("find . -name '*.log' -delete", ROOT).decision, "ask");
    assert.equal(gate.checkCommand("find . -exec sh -c 'id' ;", ROOT).decision, "ask");
  });

  it("reaches copies made for other tasks, and its removal does too", () => {
    const host = policy("auto-edit", ["git status"]);
    const task = host.withMode("ask");
    assert.equal(task.checkCommand("npm test", ROOT).decision, "ask");
    host.setAllowRules(["git status", "npm test"]);
    assert.equal(task.checkCommand("npm test", ROOT).decision, "allow");
    assert.equal(host.withMode("ask").checkCommand("npm test -- x", ROOT).decision, "allow");
    host.setAllowRules(["git status"]);
    assert.equal(task.checkCommand("npm test", ROOT).decision, "ask");
  });
});
