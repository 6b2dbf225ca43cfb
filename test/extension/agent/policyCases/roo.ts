// Cases from Roo Code's command validation tests (RooCodeInc/Roo-Code). Roo lets the longest
// matching prefix win between its allow and deny lists; in Tether a deny rule always wins, so a
// few rows differ on purpose. zsh-only syntax (`=(…)`, glob qualifiers) does not parse in bash,
// the shell Tether judges by, and asks.

import { ALLOWED, ALWAYS_ASKS, allowing, MODE_DECIDES, NEVER, type CaseRules, type PolicyCase } from "./shared";

const VALIDATION = "RooCodeInc/Roo-Code webview-ui/src/utils/__tests__/command-validation.spec.ts (before 6e634134): ";

const NPM_ECHO: CaseRules = { allow: ["npm", "echo"], deny: ["npm test"] };
const DECISION = `${VALIDATION}getCommandDecision `;

export const ROO_CASES: PolicyCase[] = [
  {
    line: "npm install",
    rules: NPM_ECHO,
    source: `${DECISION}returns auto_approve for commands with all sub-commands auto-approved`,
    expect: ALLOWED,
  },
  {
    line: "npm install && echo done",
    rules: NPM_ECHO,
    source: `${DECISION}returns auto_approve for commands with all sub-commands auto-approved`,
    expect: ALLOWED,
  },
  {
    line: "echo ${var@P}",
    rules: NPM_ECHO,
    source: `${DECISION}prevents auto-approve for commands with dangerous parameter expansion`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "echo hello",
    rules: NPM_ECHO,
    source: `${DECISION}prevents auto-approve for commands with dangerous parameter expansion`,
    expect: ALLOWED,
  },
  {
    line: "npm install ${var@P}",
    rules: NPM_ECHO,
    source: `${DECISION}prevents auto-approve for commands with dangerous parameter expansion`,
    expect: ALWAYS_ASKS,
  },
  {
    line: 'echo "${var1=\\140whoami\\140c}${var1@P}"',
    rules: NPM_ECHO,
    source: `${DECISION}prevents auto-approve for commands with dangerous parameter expansion`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "npm test ${var@P}",
    rules: NPM_ECHO,
    source: `${DECISION}does NOT override auto_deny decisions with dangerous patterns`,
    expect: NEVER,
  },
  {
    line: 'npm test "${var=\\140ls\\140}"',
    rules: NPM_ECHO,
    source: `${DECISION}does NOT override auto_deny decisions with dangerous patterns`,
    expect: NEVER,
  },
  {
    line: "npm test --coverage",
    rules: NPM_ECHO,
    source: `${DECISION}does NOT override auto_deny decisions with dangerous patterns`,
    expect: NEVER,
  },
  {
    line: 'echo "${var=\\140ls\\140}"',
    rules: NPM_ECHO,
    source: `${DECISION}prevents auto-approval for various dangerous substitution types`,
    note: "Roo asks; in bash the word is the literal text \\140ls\\140, which runs nothing",
    expect: ALLOWED,
  },
  {
    line: 'npm run "${var:=\\140pwd\\140}"',
    rules: NPM_ECHO,
    source: `${DECISION}prevents auto-approval for various dangerous substitution types`,
    note: "in bash \\140 stays literal inside ${…} in double quotes: the script named is `\\140pwd\\140`, and the rule `npm` covers `npm run`",
    expect: ALLOWED,
  },
  {
    line: "echo ${!var}",
    rules: NPM_ECHO,
    source: `${DECISION}prevents auto-approval for various dangerous substitution types`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "cat <<<$(whoami)",
    rules: allowing("cat"),
    source: `${DECISION}prevents auto-approval for various dangerous substitution types`,
    note: "the substitution runs whoami, which no rule covers",
    expect: MODE_DECIDES,
  },
  {
    line: "echo ${var}",
    rules: NPM_ECHO,
    source: `${DECISION}allows safe parameter expansions to follow normal rules`,
    expect: ALLOWED,
  },
  {
    line: "echo ${var:-default}",
    rules: NPM_ECHO,
    source: `${DECISION}allows safe parameter expansions to follow normal rules`,
    expect: ALLOWED,
  },
  {
    line: "npm install ${package_name}",
    rules: NPM_ECHO,
    source: `${DECISION}allows safe parameter expansions to follow normal rules`,
    expect: ALLOWED,
  },
  {
    line: "echo test <<<$var",
    rules: NPM_ECHO,
    source: `${DECISION}allows safe parameter expansions to follow normal rules`,
    expect: ALLOWED,
  },
  {
    line: "npm install && echo ${var@P}",
    rules: NPM_ECHO,
    source: `${DECISION}handles command chains correctly with dangerous patterns`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "npm test ${var@P} && echo safe",
    rules: NPM_ECHO,
    source: `${DECISION}handles command chains correctly with dangerous patterns`,
    expect: NEVER,
  },
  {
    line: "npm install && npm test ${var@P}",
    rules: NPM_ECHO,
    source: `${DECISION}handles command chains correctly with dangerous patterns`,
    expect: NEVER,
  },
  {
    line: "ls =(open -a Calculator)",
    rules: allowing("ls", "echo"),
    source: `${DECISION}prevents auto-approval for zsh process substitution exploits`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "cat =(whoami)",
    rules: allowing("cat"),
    source: `${DECISION}prevents auto-approval for zsh process substitution exploits`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "diff =(cmd1) =(cmd2)",
    rules: allowing("diff"),
    source: `${DECISION}prevents auto-approval for zsh process substitution exploits`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "echo test =(date)",
    rules: allowing("echo"),
    source: `${DECISION}prevents auto-approval for zsh process substitution exploits`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "ls *(e:whoami:)",
    rules: allowing("ls", "echo"),
    source: `${DECISION}prevents auto-approval for zsh glob qualifier exploits`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "cat ?(e:rm -rf /:)",
    rules: allowing("cat"),
    source: `${DECISION}prevents auto-approval for zsh glob qualifier exploits`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "echo +(e:date:)",
    rules: allowing("echo"),
    source: `${DECISION}prevents auto-approval for zsh glob qualifier exploits`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "touch @(e:pwd:)",
    rules: allowing("touch"),
    source: `${DECISION}prevents auto-approval for zsh glob qualifier exploits`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "npm test",
    rules: NPM_ECHO,
    source: `${DECISION}returns auto_deny for commands with any sub-command auto-denied`,
    expect: NEVER,
  },
  {
    line: "npm install && npm test",
    rules: NPM_ECHO,
    source: `${DECISION}returns auto_deny for commands with any sub-command auto-denied`,
    expect: NEVER,
  },
  {
    line: "dangerous",
    rules: NPM_ECHO,
    source: `${DECISION}returns ask_user for commands with mixed or unknown sub-commands`,
    expect: MODE_DECIDES,
  },
  {
    line: "npm install && dangerous",
    rules: NPM_ECHO,
    source: `${DECISION}returns ask_user for commands with mixed or unknown sub-commands`,
    expect: MODE_DECIDES,
  },
  {
    line: "npm install $(echo test)",
    rules: NPM_ECHO,
    source: `${DECISION}properly validates subshell commands`,
    expect: ALLOWED,
  },
  {
    line: "npm install `echo test`",
    rules: NPM_ECHO,
    source: `${DECISION}properly validates subshell commands`,
    expect: ALLOWED,
  },
  { line: "npm install $(npm test)", rules: NPM_ECHO, source: `${DECISION}properly validates subshell commands`, expect: NEVER },
  {
    line: "npm install `npm test --coverage`",
    rules: NPM_ECHO,
    source: `${DECISION}properly validates subshell commands`,
    expect: NEVER,
  },
  { line: "npm test $(echo hello)", rules: NPM_ECHO, source: `${DECISION}properly validates subshell commands`, expect: NEVER },
  {
    line: "npm install && echo success && npm run build",
    rules: allowing("npm", "echo"),
    source: `${DECISION}handles complex chained commands`,
    note: "the rule `npm` covers `npm run`",
    expect: ALLOWED,
  },
  {
    line: "npm install && npm test && echo done",
    rules: NPM_ECHO,
    source: `${DECISION}handles complex chained commands`,
    expect: NEVER,
  },
];
