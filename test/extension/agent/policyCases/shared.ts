// The shape of one row of the approval gate's policy table, and the few answers rows share.
// Every row names the decision in each of the four modes, after GATE-SPEC: the strictest part of
// a line wins, built-in denials and fail-closed asks hold in every mode, and allow rules only
// turn "ask" into "allow" outside read-only mode.

import type { Decision } from "../../../../extension/core/agent/policy/policy";
import type { PolicyMode } from "#protocol";

export type Expect = Record<PolicyMode, Decision>;

export interface CaseRules {
  allow: string[];
  deny: string[];
}

export interface PolicyCase {
  line: string;
  /** Absolute; the workspace when absent. */
  cwd?: string;
  /** Where the case comes from: `owner/repo path test-name`, `owner/repo#issue`, or `tether: <class>`. */
  source: string;
  /** Why the expectation is what it is, when it is not obvious or differs from the peer's. */
  note?: string;
  expect: Expect;
  /** "typical" when absent. */
  rules?: "typical" | "none" | CaseRules;
  /** posix when absent. */
  platform?: "posix" | "win32";
}

export const WORKSPACE = "/home/dev/project";
export const HOME = "/home/dev";

/** The allow rules a developer typically has; no deny rules. */
export const TYPICAL_RULES: CaseRules = {
  allow: ["echo", "git status", "npm test", "git", "ls", "cat", "grep", "rg", "find", "sed -n"],
  deny: [],
};

export const NO_RULES: CaseRules = { allow: [], deny: [] };

/** Rules that allow exactly these commands and deny nothing. */
export function allowing(...allow: string[]): CaseRules {
  return { allow, deny: [] };
}

/** An allow rule covers every part: runs without asking, except in read-only mode. */
export const ALLOWED: Expect = { "read-only": "deny", ask: "allow", "auto-edit": "allow", "full-auto": "allow" };

/** No rule covers a part (or an option the rule never covers): the mode decides. */
export const MODE_DECIDES: Expect = { "read-only": "deny", ask: "ask", "auto-edit": "ask", "full-auto": "allow" };

/** A covered command that writes inside the workspace: an edit, which auto-edit allows. */
export const WORKSPACE_EDIT: Expect = { "read-only": "deny", ask: "ask", "auto-edit": "allow", "full-auto": "allow" };

/** Fail closed, a protected place, a write outside, a risky environment: asks even in full-auto. */
export const ALWAYS_ASKS: Expect = { "read-only": "deny", ask: "ask", "auto-edit": "ask", "full-auto": "ask" };

/** A built-in or user deny: never runs. */
export const NEVER: Expect = { "read-only": "deny", ask: "deny", "auto-edit": "deny", "full-auto": "deny" };

type Extra = Omit<PolicyCase, "line" | "source" | "expect">;

/** Tether's own rows of one class: `[line, expect, extra]` each, the class as their source. */
export function cases(kind: string, rows: [line: string, expect: Expect, extra?: Extra][]): PolicyCase[] {
  return rows.map(([line, expect, extra]) => ({ line, source: `tether: ${kind}`, expect, ...extra }));
}
