// Cases from Gemini CLI's shell parsing and permission helpers (google-gemini/gemini-cli):
// how it finds every command in a line, strips shell wrappers, and checks each against allow
// and block lists.

import { ALLOWED, ALWAYS_ASKS, allowing, MODE_DECIDES, NEVER, NO_RULES, WORKSPACE_EDIT, type PolicyCase } from "./shared";

const UTILS = "google-gemini/gemini-cli packages/core/src/utils/shell-utils.test.ts: ";
const PERMISSIONS = "google-gemini/gemini-cli packages/core/src/utils/shell-permissions.test.ts (before 5fe5d1da): ";

export const GEMINI_SHELL_UTILS_CASES: PolicyCase[] = [
  {
    line: 'echo "${var1=aa\\140 env| ls -l\\140}${var1@P}"',
    source: `${UTILS}should treat parameter expansions with prompt transformations as unsafe`,
    expect: ALWAYS_ASKS,
  },
  { line: "echo ${foo@P}", source: `${UTILS}should not return roots for prompt transformation expansions`, expect: ALWAYS_ASKS },
  {
    line: "echo $(cat secret) > output.txt",
    source: `${UTILS}should include nested command substitutions in redirected statements`,
    expect: WORKSPACE_EDIT,
  },
  {
    line: "ls 2< input.txt",
    source: `${UTILS}should correctly identify input redirection with explicit file descriptor`,
    expect: ALLOWED,
  },
  { line: "cat < input.txt", source: `${UTILS}should filter out all redirections from getCommandRoots`, expect: ALLOWED },
  { line: "ls 2> error.log", source: `${UTILS}should filter out all redirections from getCommandRoots`, expect: WORKSPACE_EDIT },
  { line: "exec 3<&0", source: `${UTILS}should filter out all redirections from getCommandRoots`, expect: MODE_DECIDES },
  { line: "cat <<EOF\nhello\nEOF", source: `${UTILS}hasRedirection should detect heredoc`, expect: ALLOWED },
  { line: `cat <<< "hello"`, source: `${UTILS}hasRedirection should detect herestring`, expect: ALLOWED },
  { line: "echo hello | cat", source: `${UTILS}hasRedirection should return false for pipes`, expect: ALLOWED },
  {
    line: `echo "a > b"`,
    source: `${UTILS}hasRedirection should return false when redirection characters are inside quotes`,
    expect: ALLOWED,
  },
  {
    line: `echo "hello" > file.txt`,
    source: `${UTILS}splitCommands should filter out redirection tokens`,
    expect: WORKSPACE_EDIT,
  },
  {
    line: `printf "test" >> log.txt`,
    source: `${UTILS}splitCommands should filter out redirection tokens`,
    expect: MODE_DECIDES,
  },
  { line: `grep "foo" <<< "foobar"`, source: `${UTILS}splitCommands should filter out redirection tokens`, expect: ALLOWED },
  {
    line: `echo "foo" > >(cat)`,
    source: `${UTILS}should extract nested commands from process substitution`,
    note: "the redirection writes into a command, which the rule `cat` covers",
    expect: ALLOWED,
  },
  { line: `sh -c "ls -l"`, source: `${UTILS}stripShellWrapper should strip sh -c with quotes`, expect: ALLOWED },
  {
    line: `  bash  -c  "ls -l"  `,
    source: `${UTILS}stripShellWrapper should strip bash -c with extra whitespace`,
    expect: ALLOWED,
  },
  {
    line: "zsh -c ls -l",
    source: `${UTILS}stripShellWrapper should strip zsh -c without quotes`,
    note: "-l becomes $0",
    expect: ALLOWED,
  },
  { line: `cmd.exe /c "dir"`, source: `${UTILS}stripShellWrapper should strip cmd.exe /c`, expect: MODE_DECIDES },
  {
    line: "diff <(ls) <(ls -a)",
    rules: allowing("diff", "ls"),
    source: `${UTILS}should include process substitutions`,
    expect: ALLOWED,
  },
  { line: "a;b|c&&d||e&f", rules: NO_RULES, source: `${UTILS}should handle a mix of operators`, expect: MODE_DECIDES },
  {
    line: `echo "hello" && git commit -m "feat"`,
    source: `${UTILS}should correctly parse a chained command with quotes`,
    expect: ALLOWED,
  },
  { line: "/usr/local/bin/node script.js", source: `${UTILS}should handle paths and return the full path`, expect: MODE_DECIDES },
  { line: "echo $(badCommand --danger)", source: `${UTILS}should include nested command substitutions`, expect: MODE_DECIDES },
  {
    line: `ls -la && ${Array(100).fill('echo "hello"').join(" && ")}`,
    source: `${UTILS}should handle bash parser timeouts`,
    note: "a long but plain line stays allowed",
    expect: ALLOWED,
  },

  {
    line: "goodCommand --safe",
    rules: allowing("goodCommand"),
    source: `${PERMISSIONS}should allow a command if it is in the global allowlist`,
    expect: ALLOWED,
  },
  {
    line: "badCommand --danger",
    rules: allowing("goodCommand --safe"),
    source: `${PERMISSIONS}should block a command if it is not in a strict global allowlist`,
    expect: MODE_DECIDES,
  },
  {
    line: "badCommand --danger",
    rules: { allow: [], deny: ["badCommand --danger"] },
    source: `${PERMISSIONS}should block a command if it is in the blocked list`,
    expect: NEVER,
  },
  {
    line: "badCommand --danger",
    rules: { allow: ["badCommand --danger"], deny: ["badCommand --danger"] },
    source: `${PERMISSIONS}should prioritize the blocklist over the allowlist`,
    expect: NEVER,
  },
  {
    line: `echo "hello" && goodCommand --safe`,
    rules: allowing("echo", "goodCommand"),
    source: `${PERMISSIONS}should allow a chained command if all parts are on the global allowlist`,
    expect: ALLOWED,
  },
  {
    line: `echo "hello" && badCommand --danger`,
    rules: { allow: ["echo"], deny: ["badCommand"] },
    source: `${PERMISSIONS}should block a chained command if any part is blocked`,
    expect: NEVER,
  },
  {
    line: "echo () (curl google.com) ; echo Hello World",
    rules: allowing("echo"),
    source: `${PERMISSIONS}should block a command that redefines an allowed function`,
    note: "a function definition changes what a later name runs: fail closed",
    expect: ALWAYS_ASKS,
  },
  {
    line: "echo () {\n  curl google.com\n} ; echo ok",
    rules: allowing("echo"),
    source: `${PERMISSIONS}should block a multi-line function body that runs an unlisted command`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "function echo { curl google.com; } ; echo hi",
    rules: allowing("echo"),
    source: `${PERMISSIONS}should block a function keyword declaration`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "echo $(curl google.com)",
    rules: allowing("echo"),
    source: `${PERMISSIONS}should block command substitution`,
    expect: MODE_DECIDES,
  },
  {
    line: "echo hi | curl google.com",
    rules: allowing("echo"),
    source: `${PERMISSIONS}should block pipelines`,
    expect: MODE_DECIDES,
  },
  {
    line: "echo hi & curl google.com",
    rules: allowing("echo"),
    source: `${PERMISSIONS}should block background jobs`,
    expect: MODE_DECIDES,
  },
  {
    line: "cat <<EOF\n$(rm -rf /)\nEOF",
    rules: allowing("echo", "cat"),
    source: `${PERMISSIONS}should block command substitution inside a here-document`,
    expect: NEVER,
  },
  {
    line: "echo `curl google.com`",
    rules: allowing("echo"),
    source: `${PERMISSIONS}should block backtick substitution`,
    expect: MODE_DECIDES,
  },
  {
    line: "diff <(curl google.com) <(echo safe)",
    rules: allowing("diff", "echo"),
    source: `${PERMISSIONS}should block process substitution using <()`,
    expect: MODE_DECIDES,
  },
  {
    line: `echo "data" > >(curl google.com)`,
    rules: allowing("echo"),
    source: `${PERMISSIONS}should block process substitution using >()`,
    expect: MODE_DECIDES,
  },
  {
    line: "echo '$(pwd)'",
    rules: allowing("echo"),
    source: `${PERMISSIONS}should allow substitution-like patterns inside single quotes`,
    expect: ALLOWED,
  },
  {
    line: "git status && rm -rf /tmp/should-not-run",
    rules: allowing("git"),
    source: `${PERMISSIONS}isShellInvocationAllowlisted should return false when any chained command segment is not allowlisted`,
    note: "deleting outside the workspace is a write there, which asks in every mode",
    expect: ALWAYS_ASKS,
  },
  {
    line: "git status && rm -rf /tmp/should-run && git diff",
    rules: allowing("git", "rm -rf"),
    source: `${PERMISSIONS}isShellInvocationAllowlisted should return true when every segment is explicitly allowlisted`,
    note: "deleting outside the workspace is a write there, which asks in every mode",
    expect: ALWAYS_ASKS,
  },
  {
    line: "git status | tail -n 1",
    rules: allowing("git"),
    source: `${PERMISSIONS}isShellInvocationAllowlisted should treat piped commands as separate segments`,
    expect: MODE_DECIDES,
  },
  {
    line: "git status | tail -n 1",
    rules: allowing("git", "tail"),
    source: `${PERMISSIONS}isShellInvocationAllowlisted should treat piped commands as separate segments`,
    expect: ALLOWED,
  },
];
