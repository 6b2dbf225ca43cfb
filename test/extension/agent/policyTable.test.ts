// Runs the policy table (policyCases.ts) through the approval gate: every row in every mode, each
// row one test, so a failure names the line, the modes that differ, what the gate answered, its
// rule and reason, and where the row comes from.

import assert from "node:assert/strict";
import { Policy, type PolicyRules, type Verdict } from "../../../extension/core/agent/policy/policy";
import type { PolicyMode } from "#protocol";
import { shellGrammar } from "../../support/shellGrammar";
import { HOME, NO_RULES, POLICY_CASES, TYPICAL_RULES, WORKSPACE, type PolicyCase } from "./policyCases";

const MODES: readonly PolicyMode[] = ["read-only", "ask", "auto-edit", "full-auto"];
const MINIMUM_ROWS = 200;

type PolicyFor = (mode: PolicyMode, row: PolicyCase) => Policy;

/** The one place the table builds a Policy, with the bash grammar a host loads once at start. */
async function policyBuilder(): Promise<PolicyFor> {
  const grammar = await shellGrammar();
  return (mode, row) => {
    const options = {
      mode,
      rules: rulesOf(row),
      workspaceRoot: WORKSPACE,
      homeDir: HOME,
      grammar,
      ...(row.platform === undefined ? {} : { platform: row.platform }),
    };
    return new Policy(options);
  };
}

function rulesOf(row: PolicyCase): PolicyRules {
  if (row.rules === "none") return NO_RULES;
  if (row.rules === undefined || row.rules === "typical") return TYPICAL_RULES;
  return row.rules;
}

/** Where a row comes from, coarsely: the peer's repository, or Tether's own class. */
function origin(row: PolicyCase): string {
  return row.source.startsWith("tether:") ? "tether" : (row.source.split(/[\s#]/)[0] ?? row.source);
}

function describeRules(row: PolicyCase): string {
  if (typeof row.rules !== "object") return row.rules ?? "typical";
  const deny = row.rules.deny.length > 0 ? `; deny ${row.rules.deny.join(", ")}` : "";
  return `allow ${row.rules.allow.join(", ") || "nothing"}${deny}`;
}

function mismatch(row: PolicyCase, mode: PolicyMode, got: Verdict): string {
  return [
    `  ${mode}: expected ${row.expect[mode]}, got ${got.decision}`,
    `    rule: ${got.rule}`,
    `    reason: ${got.reason}`,
  ].join("\n");
}

describe("policy table", () => {
  let policyFor: PolicyFor;

  before(async () => {
    policyFor = await policyBuilder();
  });

  it(`has at least ${MINIMUM_ROWS} rows, each with a source and an answer in every mode`, () => {
    assert.ok(POLICY_CASES.length >= MINIMUM_ROWS, `only ${POLICY_CASES.length} rows`);
    for (const row of POLICY_CASES) {
      assert.ok(row.source.trim() !== "", `row ${JSON.stringify(row.line)} has no source`);
      for (const mode of MODES) assert.ok(row.expect[mode], `row ${JSON.stringify(row.line)} has no answer in ${mode}`);
    }
    const counts = new Map<string, number>();
    for (const row of POLICY_CASES) counts.set(origin(row), (counts.get(origin(row)) ?? 0) + 1);
    console.log(`      policy table: ${POLICY_CASES.length} rows`);
    for (const [source, count] of counts) console.log(`        ${source}: ${count}`);
  });

  for (const row of POLICY_CASES) {
    const cwd = row.cwd ?? WORKSPACE;
    const title = `${JSON.stringify(row.line)} [${describeRules(row)}${row.platform === "win32" ? ", win32" : ""}] (${origin(row)})`;
    it(title, () => {
      const problems = MODES.flatMap((mode) => {
        const got = policyFor(mode, row).checkCommand(row.line, cwd);
        return got.decision === row.expect[mode] ? [] : [mismatch(row, mode, got)];
      });
      const context = [
        `line: ${JSON.stringify(row.line)}`,
        `cwd: ${cwd}`,
        `rules: ${describeRules(row)}`,
        `source: ${row.source}`,
      ];
      if (row.note) context.push(`note: ${row.note}`);
      if (problems.length > 0) assert.fail([...context, ...problems].join("\n"));
    });
  }
});
