// Holds the approval gate's verdict on a line against what a real shell did with it (shellOracle.ts).
// A verdict of ask or deny accounts for anything: a person decides. A verdict of allow must
// account for every program the shell ran, every variable it handed them, and every file it wrote:
// - mode ask with allow rules: each program, its real argv judged alone, is itself allowed; no
//   variable but the harmless ones was set for it; nothing at all was written;
// - mode full-auto: no program judged alone is denied; no variable that changes what a line runs
//   was set; nothing was written outside the workspace or into a protected place;
// - in both, no shell or interpreter was fed code on stdin.

import { posix } from "node:path";
import { Policy, type Verdict } from "../../extension/core/agent/policy/policy";
import type { PolicyMode } from "#protocol";
import { shellGrammar } from "./shellGrammar";
import { CHROOT_HOME, CHROOT_WORKSPACE, type Execution, type ShellRun } from "./shellOracle";

/** GATE-SPEC item 7's typical allow rules. */
export const ORACLE_ALLOW_RULES = ["echo", "git status", "npm test", "git", "ls", "cat", "find", "rg", "sed -n", "grep"];

/** The one place the oracle builds the gate, so a new constructor option is a one-line change. */
export async function oraclePolicy(mode: PolicyMode, allow: readonly string[]): Promise<Policy> {
  return new Policy({
    mode,
    rules: { allow, deny: [] },
    workspaceRoot: CHROOT_WORKSPACE,
    homeDir: CHROOT_HOME,
    grammar: await shellGrammar(),
  });
}

export interface OracleGate {
  /** Mode ask with ORACLE_ALLOW_RULES. */
  ask: Policy;
  /** Mode full-auto, no rules. */
  fullAuto: Policy;
}

export async function oracleGate(): Promise<OracleGate> {
  return { ask: await oraclePolicy("ask", ORACLE_ALLOW_RULES), fullAuto: await oraclePolicy("full-auto", []) };
}

export type OracleMode = "ask" | "full-auto";

export interface Disagreement {
  line: string;
  shell: string;
  mode: OracleMode;
  verdict: Verdict;
  kind: "ran" | "env" | "wrote" | "stdin";
  /** What the shell did that the verdict did not account for, in words. */
  detail: string;
}

const HARMLESS_ENV =
  /^(CI|NODE_ENV|FORCE_COLOR|NO_COLOR|LANG|LC_[A-Z_]+|TZ|TERM|COLUMNS|DEBUG|RUST_BACKTRACE|RUST_LOG|PYTHONUNBUFFERED)$/;
const LINE_READING_ENV =
  /^(PATH|PWD|OLDPWD|HOME|CDPATH|IFS|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|LD_.*|DYLD_.*|GIT_.*|NODE_OPTIONS|PYTHONPATH|PYTHONSTARTUP|PERL5OPT|RUBYOPT)$/;
const PROTECTED = new Set([".git", ".vscode", ".tether", ".github", ".husky", ".devcontainer"]);

/** Single-quoted for sh: any text, read back as exactly one word. */
export function quoteWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The argv a program really got, as a command line of its own: its name (not its path) and its arguments. */
export function commandOf(execution: Execution): string {
  return [execution.program, ...execution.argv.slice(1)].map(quoteWord).join(" ");
}

/**
 * Variables a line set (or removed) for a program: those that differ from what the same shell hands
 * a program on a plain line (`baseline`). The shell's own bookkeeping is left out: `_`, SHLVL,
 * OLDPWD, and PWD while it names the folder the program really runs in.
 */
export function envSetByLine(execution: Execution, baseline: ReadonlyMap<string, string>): string[] {
  const names = new Set([...execution.env.keys(), ...baseline.keys()]);
  return [...names].filter((name) => {
    if (name === "_" || name === "SHLVL" || name === "OLDPWD") return false;
    const value = execution.env.get(name);
    // `cd //` leaves PWD as `//`: the same folder.
    if (name === "PWD" && value !== undefined && posix.normalize(value).replace(/(.)\/$/, "$1") === execution.cwd) {
      return false;
    }
    return value !== baseline.get(name);
  });
}

/** Whether writing `path` (absolute, in the chroot) is outside the workspace or into a protected place. */
export function writeNeedsAsking(path: string): string | undefined {
  if (path !== CHROOT_WORKSPACE && !path.startsWith(`${CHROOT_WORKSPACE}/`)) return "outside the workspace";
  const segments = path.slice(CHROOT_WORKSPACE.length + 1).split("/");
  const place = segments.find((segment) => PROTECTED.has(segment));
  if (place) return `into ${place}/, a protected place`;
  if (segments.at(-1) === ".envrc") return "into .envrc, a protected place";
  return undefined;
}

export function judge(
  run: ShellRun,
  verdicts: Record<OracleMode, Verdict>,
  gate: OracleGate,
  baseline: ReadonlyMap<string, string>,
) {
  const found: Disagreement[] = [];
  for (const mode of ["ask", "full-auto"] as const) {
    const verdict = verdicts[mode];
    if (verdict.decision !== "allow") continue;
    const report = (kind: Disagreement["kind"], detail: string) =>
      found.push({ line: run.line, shell: run.shell, mode, verdict, kind, detail });
    for (const execution of run.executed) {
      const command = commandOf(execution);
      const where = execution.cwd === CHROOT_WORKSPACE ? "" : ` in ${execution.cwd}`;
      const alone = judgeAlone(execution, mode, gate);
      if (mode === "ask" ? alone.decision !== "allow" : alone.decision === "deny") {
        report("ran", `ran ${command}${where}, which alone is ${alone.decision} (${alone.rule})`);
      }
      const names = envSetByLine(execution, baseline).filter((name) =>
        mode === "ask" ? !HARMLESS_ENV.test(name) : LINE_READING_ENV.test(name),
      );
      if (names.length > 0) {
        const values = names.map((name) => `${name}=${JSON.stringify(execution.env.get(name) ?? "(unset)")}`);
        report("env", `ran ${command} with ${values.join(" ")}`);
      }
      if (execution.stdin.trim() !== "") {
        report("stdin", `fed ${execution.program} code on stdin: ${JSON.stringify(execution.stdin.slice(0, 120))}`);
      }
    }
    for (const path of run.written) {
      const why = mode === "ask" ? "while nothing may be written" : writeNeedsAsking(path);
      if (why) report("wrote", `wrote ${path} (${why})`);
    }
  }
  return found;
}

/** The gate's verdict on one executed program alone, where it really ran (full-auto sees the folder too). */
function judgeAlone(execution: Execution, mode: OracleMode, gate: OracleGate): Verdict {
  const command = commandOf(execution);
  const inside = execution.cwd === CHROOT_WORKSPACE || execution.cwd.startsWith(`${CHROOT_WORKSPACE}/`);
  if (mode === "ask") return gate.ask.checkCommand(command, inside ? execution.cwd : CHROOT_WORKSPACE);
  // `rm -rf dev` in /home differs from `rm -rf dev` in the workspace: say where it ran.
  return gate.fullAuto.checkCommand(inside ? command : `cd ${quoteWord(execution.cwd)} && ${command}`, CHROOT_WORKSPACE);
}

/** One disagreement, readable at a glance in a test's output. */
export function describeDisagreement(disagreement: Disagreement): string {
  const { line, shell, mode, verdict, detail } = disagreement;
  return `${shell} ${mode}: ${JSON.stringify(line)}\n    gate: ${verdict.decision} (${verdict.rule})\n    shell: ${visible(detail)}`;
}

/** Control characters spelled out, so a `\r` in an argument cannot rewrite the line it is printed on. */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
