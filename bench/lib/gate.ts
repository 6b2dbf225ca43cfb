// The approval gate's own cost: judging one realistic command line (about 1 KB: several
// commands, pipes, substitutions, quotes, a loop), parse and all, as the host does for every
// command the agent asks to run, before any person sees it.

import { loadShellGrammar } from "../../extension/core/agent/policy/grammar";
import { Policy } from "../../extension/core/agent/policy/policy";
import { splitCommand } from "../../extension/core/agent/policy/shell";
import { now, summarize, type Summary } from "./stats";

const ROOT = "/home/dev/project";

export const GATE_LINE = [
  `cd "$(git rev-parse --show-toplevel)" && git status --porcelain | grep -E '^( M|\\?\\?) ' | awk '{print $2}'`,
  `| while read -r f; do if [ -f "$f" ]; then wc -l "$f"; fi; done;`,
  `npm test -- --grep "policy gate" 2>&1 | tee build/test.log | tail -n 40;`,
  `find src -name '*.ts' -not -path '*/node_modules/*' -exec grep -l "TODO" {} + | sort | head -20;`,
  `echo "done at $(date +%H:%M:%S) on \${HOSTNAME:-unknown}";`,
  `for p in extension relay protocol; do (cd "$p" && ls -la | head -5); done;`,
  `git log --oneline -n 5 --format='%h %s' -- extension/core/agent/policy/ | cat;`,
  `diff <(sort a.txt) <(sort b.txt) > /dev/null || echo "they differ";`,
  `test -d dist && du -sh dist/* | sort -h | tail -3; printf '%s\\n' "$(node --version)" "$(npm --version)";`,
  `rg -n --glob '!*.map' "splitCommand\\(" extension test | cut -d: -f1 | uniq -c | sort -rn;`,
  `[[ -n "$CI" ]] || echo "local run" && git diff --stat HEAD~1 -- . ':(exclude)package-lock.json' | tail -1`,
].join(" ");

export async function measureGate(samples: number): Promise<{ summary: Summary; bytes: number; commands: number }> {
  const grammar = await loadShellGrammar();
  const policy = new Policy({
    mode: "ask",
    rules: { allow: ["git status", "git log", "git diff", "npm test", "ls", "cat", "grep", "rg", "find"], deny: ["git push"] },
    workspaceRoot: ROOT,
    homeDir: "/home/dev",
    grammar,
  });
  for (let i = 0; i < 50; i++) policy.checkCommand(GATE_LINE, ROOT);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = now();
    policy.checkCommand(GATE_LINE, ROOT);
    times.push(now() - t0);
  }
  const parsed = splitCommand(GATE_LINE, grammar);
  if (parsed.error !== undefined) throw new Error(`the gate cannot read the bench line: ${parsed.error}`);
  return { summary: summarize(times), bytes: Buffer.byteLength(GATE_LINE), commands: parsed.commands.length };
}
