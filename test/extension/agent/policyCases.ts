// The approval gate's policy table: command lines gathered from other coding agents' command
// safety tests and from bypasses reported against them, each with the decision Tether must give
// in every mode (GATE-SPEC), plus Tether's own rows for every class of the spec. The rows live in
// policyCases/, one file per source; this file joins them.

import { CLAUDE_CODE_CASES } from "./policyCases/claudeCode";
import { CLINE_CASES } from "./policyCases/cline";
import { CLINE_CHARACTER_CASES } from "./policyCases/clineCharacters";
import { CODEX_CASES } from "./policyCases/codex";
import { GEMINI_CASES } from "./policyCases/gemini";
import { GEMINI_SHELL_UTILS_CASES } from "./policyCases/geminiShellUtils";
import { ROO_CASES } from "./policyCases/roo";
import { ROO_VALIDATOR_CASES } from "./policyCases/rooValidator";
import type { PolicyCase } from "./policyCases/shared";
import { TETHER_CASES } from "./policyCases/tether";
import { TETHER_RULE_CASES } from "./policyCases/tetherRules";

export { HOME, NO_RULES, TYPICAL_RULES, WORKSPACE, type CaseRules, type Expect, type PolicyCase } from "./policyCases/shared";

export const POLICY_CASES: PolicyCase[] = [
  ...CODEX_CASES,
  ...GEMINI_CASES,
  ...GEMINI_SHELL_UTILS_CASES,
  ...ROO_CASES,
  ...ROO_VALIDATOR_CASES,
  ...CLINE_CASES,
  ...CLINE_CHARACTER_CASES,
  ...CLAUDE_CODE_CASES,
  ...TETHER_CASES,
  ...TETHER_RULE_CASES,
];
