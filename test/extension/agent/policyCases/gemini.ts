// Cases from Gemini CLI's shell policy tests (google-gemini/gemini-cli). Gemini allows a command
// when every part matches an allow prefix, denies when any part matches a deny rule, and asks
// otherwise; Tether agrees on most, and also asks in full-auto where a line writes outside.

import { ALLOWED, ALWAYS_ASKS, allowing, MODE_DECIDES, NEVER, NO_RULES, type PolicyCase } from "./shared";

const SAFETY = "google-gemini/gemini-cli packages/core/src/policy/shell-safety.test.ts: ";
const REGRESSION = "google-gemini/gemini-cli packages/core/src/policy/shell-safety-regression.test.ts: ";
const SUBSTITUTION = "google-gemini/gemini-cli packages/core/src/policy/shell-substitution.test.ts: ";

const GIT_LOG = allowing("git log");
const DANGEROUS_DENIED = { allow: ["echo", "ls"], deny: ["dangerous_cmd", "deep_danger"] };

export const GEMINI_CASES: PolicyCase[] = [
  { line: "git log", rules: GIT_LOG, source: `${SAFETY}SHOULD match "git log" exactly`, expect: ALLOWED },
  { line: "git log --oneline", rules: GIT_LOG, source: `${SAFETY}SHOULD match "git log" with arguments`, expect: ALLOWED },
  { line: "git logout", rules: GIT_LOG, source: `${SAFETY}SHOULD NOT match "git logout"`, expect: MODE_DECIDES },
  { line: "git log && rm -rf /", rules: GIT_LOG, source: `${SAFETY}SHOULD NOT allow "git log && rm -rf /"`, expect: NEVER },
  { line: "git log; rm -rf /", rules: GIT_LOG, source: `${SAFETY}SHOULD NOT allow "git log; rm -rf /"`, expect: NEVER },
  { line: "git log || rm -rf /", rules: GIT_LOG, source: `${SAFETY}SHOULD NOT allow "git log || rm -rf /"`, expect: NEVER },
  {
    line: "git log &&& echo hi",
    rules: allowing("git log", "echo"),
    source: `${SAFETY}SHOULD NOT allow "git log &&& rm -rf /" (parse failure)`,
    note: "payload replaced: the point is the parse error",
    expect: ALWAYS_ASKS,
  },
  { line: "echo $(rm -rf /)", rules: allowing("echo"), source: `${SAFETY}SHOULD NOT allow command substitution`, expect: NEVER },
  {
    line: "echo $(git log)",
    rules: allowing("echo", "git log"),
    source: `${SAFETY}SHOULD allow command substitution if inner command is ALSO allowed`,
    expect: ALLOWED,
  },
  { line: "echo `rm -rf /`", rules: allowing("echo"), source: `${SAFETY}SHOULD NOT allow backticks`, expect: NEVER },
  {
    line: "diff <(git log) <(rm -rf /)",
    rules: allowing("diff", "git log"),
    source: `${SAFETY}process substitution <()`,
    expect: NEVER,
  },
  { line: "tee >(rm -rf /)", rules: allowing("tee"), source: `${SAFETY}process substitution >()`, expect: NEVER },
  { line: "git log | rm -rf /", rules: GIT_LOG, source: `${SAFETY}SHOULD NOT allow piped commands`, expect: NEVER },
  { line: "git log --format=$(rm -rf /)", rules: GIT_LOG, source: `${SAFETY}argument injection via --arg=$()`, expect: NEVER },
  {
    line: "git log && echo $(git log | rm -rf /)",
    rules: allowing("git log", "echo"),
    source: `${SAFETY}SHOULD NOT allow complex nested commands`,
    expect: NEVER,
  },
  {
    line: "git log && echo $(git log)",
    rules: allowing("git log", "echo"),
    source: `${SAFETY}SHOULD allow complex allowed commands`,
    expect: ALLOWED,
  },
  { line: "git log > /tmp/test", rules: GIT_LOG, source: `${SAFETY}SHOULD NOT allow generic redirection`, expect: ALWAYS_ASKS },
  {
    line: "git log @(Get-Process)",
    rules: GIT_LOG,
    source: `${SAFETY}SHOULD NOT allow PowerShell @(...) usage`,
    note: "bash without extglob cannot parse @(",
    expect: ALWAYS_ASKS,
  },
  {
    line: `git commit -m "msg" && git push`,
    rules: { allow: [], deny: ["git push"] },
    source: `${SAFETY}SHOULD match DENY rule even if nested/chained with unknown command`,
    expect: NEVER,
  },
  {
    line: "git status && unknown_command",
    rules: allowing("git status"),
    source: `${SAFETY}SHOULD aggregate ALLOW + ASK_USER to ASK_USER`,
    expect: MODE_DECIDES,
  },
  {
    line: "unknown_command_1 && another_unknown_command",
    rules: NO_RULES,
    source: `${SAFETY}SHOULD aggregate ASK_USER (default) + ASK_USER (rule)`,
    expect: MODE_DECIDES,
  },

  {
    line: "echo hi && ls",
    rules: allowing("echo"),
    source: `${REGRESSION}should block unauthorized chained command with &&`,
    expect: MODE_DECIDES,
  },
  {
    line: "echo hi && ls",
    rules: allowing("echo", "ls"),
    source: `${REGRESSION}should allow authorized chained command with &&`,
    expect: ALLOWED,
  },
  {
    line: "false || ls",
    rules: allowing("false"),
    source: `${REGRESSION}should block unauthorized chained command with ||`,
    expect: MODE_DECIDES,
  },
  {
    line: "echo hi; ls",
    rules: allowing("echo"),
    source: `${REGRESSION}should block unauthorized chained command with ;`,
    expect: MODE_DECIDES,
  },
  {
    line: `echo hi | grep "hi"`,
    rules: allowing("echo"),
    source: `${REGRESSION}should block unauthorized command in pipe |`,
    expect: MODE_DECIDES,
  },
  {
    line: `echo hi | grep "hi"`,
    rules: allowing("echo", "grep"),
    source: `${REGRESSION}should allow authorized command in pipe |`,
    expect: ALLOWED,
  },
  {
    line: "echo hi & ls",
    rules: allowing("echo"),
    source: `${REGRESSION}should block unauthorized chained command with &`,
    expect: MODE_DECIDES,
  },
  {
    line: "echo hi & ls",
    rules: allowing("echo", "ls"),
    source: `${REGRESSION}should allow authorized chained command with &`,
    expect: ALLOWED,
  },
  {
    line: "echo $(cat $(ls))",
    rules: allowing("echo", "cat"),
    source: `${REGRESSION}should block unauthorized command in nested substitution`,
    expect: MODE_DECIDES,
  },
  {
    line: "echo $(cat $(ls))",
    rules: allowing("echo", "cat", "ls"),
    source: `${REGRESSION}should allow authorized command in nested substitution`,
    expect: ALLOWED,
  },
  {
    line: "echo hi > /tmp/test",
    rules: allowing("echo"),
    source: `${REGRESSION}should block command redirection if not explicitly allowed`,
    expect: ALWAYS_ASKS,
  },

  {
    line: "echo $(dangerous_cmd)",
    rules: DANGEROUS_DENIED,
    source: `${SUBSTITUTION}should block echo $(dangerous_cmd)`,
    expect: NEVER,
  },
  {
    line: "echo `dangerous_cmd`",
    rules: DANGEROUS_DENIED,
    source: `${SUBSTITUTION}should block backtick substitution`,
    expect: NEVER,
  },
  {
    line: "(dangerous_cmd)",
    rules: DANGEROUS_DENIED,
    source: `${SUBSTITUTION}should block commands inside subshells`,
    expect: NEVER,
  },
  {
    line: "echo $(ls $(deep_danger))",
    rules: DANGEROUS_DENIED,
    source: `${SUBSTITUTION}should handle nested substitutions deeply`,
    expect: NEVER,
  },
];
