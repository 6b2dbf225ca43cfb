// The approval policy (DESIGN.md, "Approvals"): for each command line and file edit the agent
// wants, allow, ask a person, or deny. A command line is split into every simple command it
// would run (shell.ts, wrappers.ts); each is judged, and the strictest answer wins with the rule
// that gave it. For one command, precedence runs: the built-in deny list, which no mode or rule
// lifts; the person's deny rules, checked on the command and on every wrapper around it; asks
// that no mode or rule lifts, because the answer is only known at run time or lies outside the
// workspace; writes into the workspace, which the mode decides; and last the mode, where allow
// rules turn an ask into an allow (never in read-only mode, where nothing runs).

import type { PolicyMode } from "../../../../protocol/index";
import { builtInCheck, DISK_DEVICE, forkBomb, HARMLESS_DEVICES } from "./builtins";
import { failClosed } from "./constructs";
import type { ShellGrammar } from "./grammar";
import { absolute, Places } from "./places";
import { splitCommand, type Redirect, type SimpleCommand } from "./shell";
import { builtIn, NO_PROGRAM, strictest, unanalysable, verdict, type Verdict } from "./verdict";
import { basename, findActions, MAX_SCRIPT_DEPTH, unwrapCommand, type Unwrapped } from "./wrappers";

export type { Decision, Verdict } from "./verdict";

/** Command rules: a rule matches a command whose words start with the rule's words (`npm test` matches `npm test -- x`). */
export interface PolicyRules {
  allow: readonly string[];
  deny: readonly string[];
}

export interface PolicyOptions {
  mode: PolicyMode;
  rules?: PolicyRules;
  /** Absolute. */
  workspaceRoot: string;
  /** Where `~` and `$HOME` point. Without it, writes there cannot be placed and ask. */
  homeDir?: string;
  /** The bash grammar command lines are parsed with, loaded once by the host (`loadShellGrammar`). */
  grammar: ShellGrammar;
  /** Where commands run: on Windows they go through cmd.exe, whose grammar is not analysed (default posix). */
  platform?: "posix" | "win32";
}

interface Rule {
  text: string;
  words: string[];
}

type Program = Extract<Unwrapped, { kind: "program" }>;

const MODE_NAMES: Record<PolicyMode, string> = {
  "read-only": "Read-only",
  ask: "Ask",
  "auto-edit": "Auto-edit",
  "full-auto": "Full-auto",
};
const EMPTY = verdict("deny", "empty command", "There is no command to run.");
const READ_ONLY_COMMANDS = verdict("deny", "mode read-only: no commands", "Read-only mode: the agent may not run commands.");
const READ_ONLY_EDITS = verdict("deny", "mode read-only: no edits", "Read-only mode: the agent may not change files.");

export class Policy {
  readonly mode: PolicyMode;
  private readonly places: Places;
  private readonly allowRules: Rule[];
  private readonly denyRules: Rule[];

  constructor(private readonly options: PolicyOptions) {
    this.mode = options.mode;
    this.places = new Places(options.workspaceRoot, options.homeDir);
    this.allowRules = compileRules(options.rules?.allow ?? [], options.grammar);
    this.denyRules = compileRules(options.rules?.deny ?? [], options.grammar);
  }

  /** `cwd` is absolute, inside the workspace. */
  checkCommand(command: string, cwd: string): Verdict {
    const verdicts = command.trim() === "" ? [] : this.line(command, absolute(cwd), 0);
    if (verdicts.length === 0) return EMPTY;
    if (this.options.platform === "win32") return this.windows(command, verdicts);
    if (this.mode === "read-only") verdicts.push(READ_ONLY_COMMANDS);
    return strictest(verdicts) ?? EMPTY;
  }

  /** `path` is workspace-relative; the caller has checked that it stays inside. */
  checkEdit(path: string): Verdict {
    if (this.mode === "read-only") return READ_ONLY_EDITS;
    if (this.mode === "ask") return verdict("ask", "mode ask: edits ask", `The agent wants to change ${path}.`);
    return verdict("allow", `mode ${this.mode}: edits allowed`, `${MODE_NAMES[this.mode]} mode changes files without asking.`);
  }

  /**
   * cmd.exe reads a line by other rules than bash (`^` escapes, `%VAR%`, `&` anywhere): only the
   * denials found by reading it as bash are kept, and the rest asks, except one program with plain
   * words that an allow rule covers.
   */
  private windows(command: string, verdicts: Verdict[]): Verdict {
    const denied = strictest(verdicts.filter((candidate) => candidate.decision === "deny"));
    if (denied) return denied;
    if (this.mode === "read-only") return READ_ONLY_COMMANDS;
    const words = command.trim().split(/\s+/);
    const rule = /^[A-Za-z0-9_./:=@+ -]+$/.test(command.trim()) ? findRule(this.allowRules, words) : undefined;
    if (rule) return verdict("allow", `allow rule "${rule.text}"`, `Your rule "${rule.text}" allows it.`);
    return verdict(
      "ask",
      "windows: not analysed",
      "Commands on Windows are not analysed (cmd.exe reads them by other rules), so each one asks unless an allow rule covers a single program with plain words.",
    );
  }

  /** A copy with another mode, same rules (a task can pick its mode). */
  withMode(mode: PolicyMode): Policy {
    return new Policy({ ...this.options, mode });
  }

  /** A verdict per command of the line, in order; none when it runs nothing at all. */
  private line(text: string, cwd: string | undefined, depth: number): Verdict[] {
    if (depth > MAX_SCRIPT_DEPTH) return [unanalysable("it nests shell commands too deeply")];
    const parsed = splitCommand(text, this.options.grammar);
    const verdicts: Verdict[] = [];
    const bomb = forkBomb(text);
    if (bomb) verdicts.push(bomb);
    let dir = cwd;
    for (const command of parsed.commands) {
      const unwrapped = unwrapCommand(command);
      verdicts.push(this.command(command, unwrapped, dir, depth));
      dir = this.nextDir(unwrapped, dir);
    }
    if (parsed.error !== undefined) verdicts.push(unanalysable(parsed.error));
    return verdicts;
  }

  private command(command: SimpleCommand, unwrapped: Unwrapped, cwd: string | undefined, depth: number): Verdict {
    const program = unwrapped.kind === "program" ? unwrapped : undefined;
    // Redirections are opened by the shell, in its directory; `env -C dir` moves only the program.
    const programCwd = program?.cwdChanged ? undefined : cwd;
    const checks: (Verdict | undefined)[] = [
      builtInCheck(command, unwrapped, this.places, programCwd, this.options.grammar),
      failClosed(command, unwrapped),
    ];
    for (const words of [...unwrapped.layers, ...(program ? [program.words] : [])]) {
      const rule = findRule(this.denyRules, words);
      if (rule) checks.push(verdict("deny", `deny rule "${rule.text}"`, `Your rule "${rule.text}" denies it.`));
    }
    if (program?.dynamic[0]) {
      checks.push(verdict("ask", "dynamic command", `The program to run (${program.words[0]}) is only known when it runs.`));
    }
    checks.push(...command.redirects.map((redirect) => this.redirect(redirect, cwd)));
    if (program) checks.push(...this.program(program, programCwd, depth));
    if (unwrapped.kind === "script") {
      if (unwrapped.dynamic) {
        checks.push(
          verdict("ask", "dynamic script", `The command line it runs (${unwrapped.text}) is only complete when it runs.`),
        );
      }
      checks.push(...this.line(unwrapped.text, cwd, depth + 1));
    }
    return strictest(checks) ?? NO_PROGRAM;
  }

  private program(program: Program, cwd: string | undefined, depth: number): (Verdict | undefined)[] {
    const checks = namedWrites(program).map((file) => this.write(file.target, file.dynamic, cwd, "write"));
    if (basename(program.words[0] ?? "") === "find" && !program.dynamic[0]) {
      checks.push(...this.findCommands(program, cwd, depth));
    }
    checks.push(this.modeVerdict(program.words));
    return checks;
  }

  private modeVerdict(words: readonly string[]): Verdict {
    if (this.mode === "read-only") return READ_ONLY_COMMANDS;
    const rule = findRule(this.allowRules, words);
    if (rule) return verdict("allow", `allow rule "${rule.text}"`, `Your rule "${rule.text}" allows it.`);
    if (this.mode === "full-auto") {
      return verdict("allow", "mode full-auto: commands allowed", "Full-auto mode runs commands without asking.");
    }
    return verdict("ask", `mode ${this.mode}: commands ask`, `${MODE_NAMES[this.mode]} mode asks before running a command.`);
  }

  private redirect(redirect: Redirect, cwd: string | undefined): Verdict | undefined {
    const { op, target } = redirect;
    // `<`, `<<<`, here-documents and `<&` read; `2>&1` and `>&-` copy or close a descriptor.
    if (op === "<" || op === "<<<" || op === "<<" || op === "<<-" || op === "<&" || (op === ">&" && /^([0-9]+|-)$/.test(target)))
      return undefined;
    return this.write(target, redirect.dynamic, cwd, "redirect");
  }

  /** A file written by a redirection or named on the command line (`namedWrites`): outside the workspace always asks. */
  private write(target: string, dynamic: boolean, cwd: string | undefined, kind: "redirect" | "write"): Verdict | undefined {
    // A process substitution (`> >(cmd)`) writes into a command, which is judged on its own.
    if (HARMLESS_DEVICES.has(target) || (dynamic && /^[<>]\(/.test(target))) return undefined;
    const outside = `${kind} outside the workspace`;
    const path = this.places.resolve(target, dynamic, cwd);
    if (path === undefined) return verdict("ask", outside, `It writes to ${target}, which cannot be checked before it runs.`);
    if (HARMLESS_DEVICES.has(path)) return undefined;
    if (DISK_DEVICE.test(path)) return builtIn("writes straight to a disk", `It writes over ${path}.`);
    if (!this.places.inWorkspace(path)) return verdict("ask", outside, `It writes to ${target}, outside the workspace.`);
    if (this.mode === "read-only") return READ_ONLY_EDITS;
    if (this.mode === "ask") return verdict("ask", "mode ask: edits ask", `It writes to ${target}.`);
    return undefined;
  }

  /** `find … -exec cmd {} ;`: cmd is judged like any command; `{}` stays inside when every start point is inside. */
  private findCommands(program: Program, cwd: string | undefined, depth: number): Verdict[] {
    const { starts, commands } = findActions(program);
    const inside = starts.every((start) => {
      const path = this.places.resolve(start.text, start.dynamic, cwd);
      return path !== undefined && this.places.inWorkspace(path);
    });
    return commands.map(({ words, dynamic, expands }) => {
      const found = words.map((word, i) => (dynamic[i] ?? false) || (!inside && word.includes("{}")));
      const command: SimpleCommand = { words, dynamic: found, expands, redirects: [], stdinFrom: [], inner: [] };
      return this.command(command, unwrapCommand(command), cwd, depth);
    });
  }

  /**
   * Where later commands of the line run after a `cd`; undefined once it cannot be known (`cd "$X"`,
   * `cd -`, `popd`). A `cd` inside `( … )` is taken to last, which only makes later checks stricter.
   */
  private nextDir(unwrapped: Unwrapped, cwd: string | undefined): string | undefined {
    if (unwrapped.kind !== "program") return cwd;
    const name = basename(unwrapped.words[0] ?? "");
    if (name !== "cd" && name !== "pushd" && name !== "popd") return cwd;
    const i = unwrapped.words.findIndex((word, index) => index > 0 && !/^-[LPe@]+$/.test(word));
    if (i < 0) return name === "cd" ? this.places.home : undefined;
    const dir = unwrapped.words[i] ?? "";
    return name === "popd" || dir === "-" ? undefined : this.places.resolve(dir, unwrapped.dynamic[i] ?? false, cwd);
  }
}

/** Parses a comma- or newline-separated rule list from a flag or setting. */
export function parseRuleList(text: string): string[] {
  const rules = text.split(/[,\n]/).map((rule) => rule.trim());
  return [...new Set(rules.filter((rule) => rule !== ""))];
}

/** Rules are split like commands, so `npm "test"` and `npm test` are the same rule. */
function compileRules(texts: readonly string[], grammar: ShellGrammar): Rule[] {
  return texts.flatMap((raw) => {
    const text = raw.trim();
    const parsed = splitCommand(text, grammar);
    const only = parsed.commands[0];
    const simple = parsed.error === undefined && parsed.commands.length === 1 && only?.redirects.length === 0;
    const words = simple && only ? only.words : text.split(/\s+/).filter((word) => word !== "");
    return words.length > 0 ? [{ text, words }] : [];
  });
}

/** The first rule whose words start `words`, compared whole word by whole word. */
function findRule(rules: readonly Rule[], words: readonly string[]): Rule | undefined {
  return rules.find((rule) => rule.words.length <= words.length && rule.words.every((word, i) => word === words[i]));
}

/**
 * Files a program writes that its command line names, checked like redirections: `tee FILE…`,
 * `dd of=FILE`, `--output=FILE` (git diff/show/log, many more), `curl -o FILE`, `wget -O FILE`,
 * the destination of cp/ln/install and every operand of mv. Other programs that write the files
 * they are given (`sed -i`, `touch`, `rsync`…) are judged by mode and rules like any command.
 */
function namedWrites({ words, dynamic }: Program): { target: string; dynamic: boolean }[] {
  const name = basename(words[0] ?? "");
  const copies = ["cp", "mv", "ln", "install"].includes(name);
  const files: { target: string; dynamic: boolean }[] = [];
  const add = (i: number, target = words[i]) => target !== undefined && files.push({ target, dynamic: dynamic[i] ?? false });
  const operands: number[] = [];
  let options = true;
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? "";
    const named = /^--(?:output|output-document|output-file|target-directory)=(.*)$/s.exec(word)?.[1];
    const output = named ?? (name === "dd" && word.startsWith("of=") ? word.slice(3) : undefined);
    if (output !== undefined) add(i, output);
    else if (
      /^--(output|output-document|output-file)$/.test(word) ||
      (name === "curl" && /^-[a-zA-Z]*o$/.test(word)) ||
      (name === "wget" && /^-[a-zA-Z]*O$/.test(word)) ||
      (copies && (word === "-t" || word === "--target-directory"))
    ) {
      add(++i);
    } else if (options && word === "--") options = false;
    else if (!options || !/^-./.test(word)) operands.push(i);
  }
  if (name === "tee" || name === "mv") for (const i of operands) add(i);
  else if (copies && operands.length >= 2) add(operands.at(-1) ?? 0);
  return files;
}
