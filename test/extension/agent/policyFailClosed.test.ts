// Lines that run a program the command line does not show. Each is first run by the real shells
// (bash, and dash where the construct is POSIX) with a stub `hidden` on PATH that leaves a mark,
// to show the claim holds; then the gate must ask in every mode (deny in read-only), even with
// allow rules for every visible program and in full-auto.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { ShellGrammar } from "../../../extension/core/agent/policy/grammar";
import { Policy } from "../../../extension/core/agent/policy/policy";
import type { PolicyMode } from "#protocol";
import { hiddenStubs, type HiddenStubs, type Shell } from "../../support/hiddenStubs";
import { shellGrammar } from "../../support/shellGrammar";

const ROOT = "/home/dev/project";
const MODES: readonly PolicyMode[] = ["read-only", "ask", "auto-edit", "full-auto"];
// Every program these lines name is allowed by a rule: only the fail-closed checks can make them ask.
const ALLOW = ["echo", "eval", "source", ".", "coproc", "let", "test", "[[", "printf", "read", "unset", "declare", "sh", "bash"];
const RULES = { allow: [...ALLOW, "python3", "rm", "chmod", "find", "hidden", "x", "wait", "сurl"], deny: [] };

interface Case {
  what: string;
  line: string;
  /** The shells that run `hidden` (or the look-alike program) for this line. */
  runs: Shell[];
}

const CASES: Case[] = [
  { what: "a carriage return before #", line: "echo x\r# ; hidden", runs: ["bash", "dash"] },
  { what: "a vertical tab", line: "echo x\v; hidden", runs: ["bash", "dash"] },
  { what: "single quotes inside ${…} in double quotes", line: `echo "\${u:-'$(hidden)'}"`, runs: ["bash", "dash"] },
  { what: "a substitution inside ${…} in double quotes", line: `echo "\${u:-$(hidden)}"`, runs: ["bash", "dash"] },
  { what: "eval", line: 'eval "hid""den"', runs: ["bash", "dash"] },
  { what: "source", line: "echo hidden > s.sh; . ./s.sh", runs: ["bash", "dash"] },
  { what: "coproc", line: "coproc hidden; wait", runs: ["bash"] },
  { what: "${x@P}", line: "x='$(hidden)'; echo ${x@P}", runs: ["bash"] },
  { what: "${!x}", line: "x='a[$(hidden)]'; echo ${!x}", runs: ["bash"] },
  { what: "$((x))", line: "x='a[$(hidden)]'; echo $((x))", runs: ["bash"] },
  { what: "((x))", line: "x='a[$(hidden)]'; ((x))", runs: ["bash"] },
  { what: "let", line: "x='a[$(hidden)]'; let x", runs: ["bash"] },
  { what: "[[ -eq ]]", line: "x='a[$(hidden)]'; [[ $x -eq 1 ]]", runs: ["bash"] },
  { what: "declare -i", line: "x='a[$(hidden)]'; declare -i y; y=x", runs: ["bash"] },
  { what: "a substring offset", line: "x='a[$(hidden)]'; y=abc; echo ${y:x}", runs: ["bash"] },
  { what: "an array subscript", line: "x='a[$(hidden)]'; a=(1); echo ${a[x]}", runs: ["bash"] },
  { what: "test -v", line: "test -v 'a[$(hidden)]'", runs: ["bash"] },
  { what: "printf -v", line: "printf -v 'a[$(hidden)]' x", runs: ["bash"] },
  { what: "read into a subscript", line: "read 'a[$(hidden)]' <<< x", runs: ["bash"] },
  { what: "unset of a subscript", line: "a=(1 2); unset 'a[$(hidden)]'", runs: ["bash"] },
  { what: "declare of a subscript", line: "declare 'a[$(hidden)]=1'", runs: ["bash"] },
  { what: "brace expansion in the program name", line: "{hidden,}", runs: ["bash"] },
  { what: "a glob in the program name", line: "./bin/hidde?", runs: ["bash", "dash"] },
  { what: "a program name from a substitution", line: "$(echo hidden)", runs: ["bash", "dash"] },
  { what: "a non-ASCII program name", line: "сurl x", runs: ["bash", "dash"] },
  { what: "text piped into sh", line: "echo hidden | sh", runs: ["bash", "dash"] },
  { what: "a here-string into sh", line: "sh <<< hidden", runs: ["bash"] },
  { what: "text piped into sh -", line: "echo hidden | sh -", runs: ["bash", "dash"] },
  { what: "a here-document into bash", line: "bash <<EOF\nhidden\nEOF", runs: ["bash", "dash"] },
  {
    what: "a here-document into python3 -",
    line: `python3 - <<'EOF'\nimport os; os.system("hidden")\nEOF`,
    runs: ["bash", "dash"],
  },
  { what: "text piped into python3", line: `echo 'import os; os.system("hidden")' | python3`, runs: ["bash", "dash"] },
];

describe("the gate fails closed on what bash would run unseen", () => {
  let grammar: ShellGrammar;
  let stubs: HiddenStubs;
  before(async () => {
    grammar = await shellGrammar();
    // `сurl` starts with a Cyrillic letter: it looks like curl and is another program.
    stubs = hiddenStubs(["hidden", "сurl"]);
  });
  after(() => stubs.remove());
  const runsHidden = (shell: Shell, line: string): boolean => stubs.runsHidden(shell, line);

  for (const { what, line, runs } of CASES) {
    it(`${what}: ${JSON.stringify(line)}`, () => {
      for (const shell of ["bash", "dash"] as const) {
        assert.equal(
          runsHidden(shell, line),
          runs.includes(shell),
          `${shell} ${runs.includes(shell) ? "should" : "should not"} run it`,
        );
      }
      const verdicts = MODES.map((mode) =>
        new Policy({ mode, rules: RULES, workspaceRoot: ROOT, homeDir: "/home/dev", grammar }).checkCommand(line, ROOT),
      );
      assert.deepEqual(
        verdicts.map((v) => v.decision),
        ["deny", "ask", "ask", "ask"],
        verdicts.map((v, i) => `${MODES[i]}: ${v.decision} (${v.rule}: ${v.reason})`).join("; "),
      );
      assert.match(verdicts[3]?.reason ?? "", /could not be checked|only known when it runs/);
    });
  }

  it("asks about globs and braces in what a recursive delete or chmod names", () => {
    // bash turns {a,~} into the home folder: the target is not the word as written.
    const shown = spawnSync("bash", ["-c", "printf '%s\\n' {a,~}"], { env: { HOME: "/home/dev" }, encoding: "utf8" });
    assert.deepEqual(shown.stdout.trim().split("\n"), ["a", "/home/dev"]);
    const full = new Policy({ mode: "full-auto", rules: RULES, workspaceRoot: ROOT, homeDir: "/home/dev", grammar });
    for (const line of ["rm -rf {a,~}", "rm -rf ./*", "chmod -R 777 src/*", "find ./.c* -delete", "rm -r build/{a,b}"]) {
      assert.equal(full.checkCommand(line, ROOT).decision, "ask", line);
    }
    // Not recursive, or quoted: the word is what runs.
    for (const line of ["rm ./*.log", "rm -rf 'build/*'", "ls {a,b}", "cp *.ts src/"]) {
      assert.equal(full.checkCommand(line, ROOT).decision, "allow", line);
    }
  });

  it("still reads what it understands, so the fail-closed checks do not ask about everything", () => {
    const full = new Policy({ mode: "full-auto", rules: RULES, workspaceRoot: ROOT, homeDir: "/home/dev", grammar });
    for (const line of [
      "echo $((1 + 2))",
      "[[ -f package.json && $x == y ]]",
      '[ "$x" -eq 1 ]',
      'for f in *.ts; do echo "$f"; done',
      "case $x in a|b) echo a;; *) echo b;; esac",
      "declare -a list=(1 2)",
      "printf -v out '%s' x",
      'echo "${x:-default}" ${y#prefix} ${#z}',
      "sh -c 'echo hi'",
      "python3 script.py < input.txt",
      "cat <<EOF | grep x\nhello\nEOF",
    ]) {
      assert.equal(full.checkCommand(line, ROOT).decision, "allow", `${line}: ${full.checkCommand(line, ROOT).reason}`);
    }
  });
});
