// Cases from Roo Code's command validator scenarios and auto-approval tests
// (RooCodeInc/Roo-Code): a developer's allow and deny lists, a read-only production list, and
// the longest-prefix rule, where Tether lets a deny rule win whatever its length.

import { ALLOWED, ALWAYS_ASKS, allowing, MODE_DECIDES, NEVER, type CaseRules, type PolicyCase } from "./shared";

const VALIDATION = "RooCodeInc/Roo-Code webview-ui/src/utils/__tests__/command-validation.spec.ts (before 6e634134): ";
const AUTO_APPROVAL = "RooCodeInc/Roo-Code src/core/auto-approval/__tests__/commands.spec.ts: ";

const DEV: CaseRules = { allow: ["npm", "git", "echo", "ls", "cat"], deny: ["git push", "rm", "sudo", "npm publish"] };
const PREFIXES: CaseRules = {
  allow: ["git", "git push", "git push --dry-run", "npm", "npm test"],
  deny: ["git push", "npm test --coverage"],
};

export const ROO_VALIDATOR_CASES: PolicyCase[] = [
  {
    line: "git add .",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation allows common development commands`,
    expect: ALLOWED,
  },
  {
    line: "git commit -m 'fix'",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation allows common development commands`,
    expect: ALLOWED,
  },
  {
    line: "ls -la",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation allows common development commands`,
    expect: ALLOWED,
  },
  {
    line: "cat package.json",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation allows common development commands`,
    expect: ALLOWED,
  },
  {
    line: "git push origin main",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation blocks dangerous commands`,
    expect: NEVER,
  },
  {
    line: "rm -rf node_modules",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation blocks dangerous commands`,
    expect: NEVER,
  },
  {
    line: "sudo apt install",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation blocks dangerous commands`,
    expect: NEVER,
  },
  {
    line: "npm publish",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation blocks dangerous commands`,
    expect: NEVER,
  },
  {
    line: "docker run",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation requires user input for unknown commands`,
    expect: MODE_DECIDES,
  },
  {
    line: "python script.py",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation requires user input for unknown commands`,
    expect: MODE_DECIDES,
  },
  {
    line: "curl https://api.example.com",
    rules: DEV,
    source: `${VALIDATION}Development workflow validation requires user input for unknown commands`,
    expect: MODE_DECIDES,
  },
  {
    line: "tail -f /var/log/app.log",
    rules: allowing("ls", "cat", "grep", "tail"),
    source: `${VALIDATION}Production environment validation allows only read-only commands`,
    note: "reading outside the workspace is no write",
    expect: ALLOWED,
  },
  {
    line: "git push --dry-run origin main",
    rules: PREFIXES,
    source: `${VALIDATION}Longest prefix match demonstrates longest prefix match resolution`,
    note: "Roo lets the longer allow win; in Tether a deny rule always wins",
    expect: NEVER,
  },
  {
    line: "npm test basic",
    rules: PREFIXES,
    source: `${VALIDATION}Longest prefix match demonstrates longest prefix match resolution`,
    expect: ALLOWED,
  },
  {
    line: "npm test --coverage --watch",
    rules: PREFIXES,
    source: `${VALIDATION}Longest prefix match demonstrates longest prefix match resolution`,
    expect: NEVER,
  },
  {
    line: "git status && git push origin",
    rules: PREFIXES,
    source: `${VALIDATION}Longest prefix match handles command chains with mixed decisions`,
    expect: NEVER,
  },
  {
    line: "git status && unknown-command",
    rules: PREFIXES,
    source: `${VALIDATION}Longest prefix match handles command chains with mixed decisions`,
    expect: MODE_DECIDES,
  },

  {
    line: "files=(a b c)",
    source: `${AUTO_APPROVAL}should auto_approve array assignment command with wildcard allowlist`,
    note: "an assignment alone runs no program",
    expect: ALLOWED,
  },
  {
    line: `node -e "const a=(b)=>b"`,
    rules: allowing("node"),
    source: `${AUTO_APPROVAL}should return false for node -e with simple arrow function`,
    note: "Roo approves; the rule `node` never covers -e, which runs code",
    expect: MODE_DECIDES,
  },
  {
    line: `echo "\${var@P}"`,
    rules: allowing("echo"),
    source: `${AUTO_APPROVAL}should flag dangerous parameter expansion \${var@P}`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "echo ${!prefix}",
    rules: allowing("echo"),
    source: `${AUTO_APPROVAL}should flag indirect variable reference \${!var}`,
    expect: ALWAYS_ASKS,
  },
  {
    line: "echo $(whoami)",
    rules: allowing("echo"),
    source: `${AUTO_APPROVAL}should ask user for echo $(whoami) because subshell whoami is not in the allowlist`,
    expect: MODE_DECIDES,
  },
];
