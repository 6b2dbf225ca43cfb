// The approval policy (DESIGN.md, "Approvals"): for each command line and file edit the agent
// wants, allow, ask a person, or deny. A command line is split into every simple command it
// would run (shell.ts, wrappers.ts); each is judged, and the strictest answer wins with the rule
// that gave it. For one command, precedence runs: the built-in deny list, which no mode or rule
// lifts; the person's deny rules, checked on the command and on every wrapper around it; asks
// that no mode or rule lifts, because the answer is only known at run time, lies outside the
// workspace or in a protected place (protectedPlaces.ts), or a variable set for it changes what
// runs (environment.ts); writes into the workspace, which the mode decides; and last the mode,
// where allow rules turn an ask into an allow (never in read-only mode, where nothing runs)
// unless the command shows an option the rule does not cover (programs.ts).
//
// Over 300 lines on purpose: the precedence above is one function's order, and reading it in one
// place is what makes it reviewable; the tables it consults live in the modules named.

import type { PolicyMode } from "#protocol";
import { builtInCheck, DISK_DEVICE, forkBomb, HARMLESS_DEVICES } from "./builtins";
import {
  commandAssignments,
  dangerousAssignment,
  isDangerous,
  movesPlaces,
  rulesOff,
  shellAssignments,
  type Assigned,
} from "./environment";
import { computerRuleFor } from "./computerRule";
import { failClosed } from "./constructs";
import type { ShellGrammar } from "./grammar";
import { absolute, Places } from "./places";
import { gitFolders, gitNamedWrites, gitSubcommand } from "./gitOptions";
import { PROGRAM_TABLES, uncoveredOption } from "./programs";
import {
  changedFiles,
  gitSettingsWrite,
  protectedEdit,
  protectedPlace,
  protectedWrite,
  REPOSITORY_SETTINGS,
  type Target,
} from "./protectedPlaces";
import { compileRules, findAllowRule, findDenyRule, findRule, type MatchedRule, type Rule } from "./rules";
import { splitCommand, type Redirect, type SimpleCommand } from "./shell";
import { builtIn, NO_PROGRAM, strictest, unanalysable, verdict, type Verdict } from "./verdict";
import { basename, findActions, MAX_SCRIPT_DEPTH, unwrapCommand, xargsFeedsCode, type Unwrapped } from "./wrappers";

export type { Decision, Verdict } from "./verdict";
export { parseRuleList } from "./rules";

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
  /** Where paths point; swapped for `blind` while a line that moves `~` or `$PWD` is checked. */
  private places: Places;
  private readonly seeing: Places;
  private readonly blind: Places;
  /** Why allow rules do not apply to the command being checked (a variable set for it), if so. */
  private ruleless: string | undefined;
  /** Shared with every copy `withMode` makes, so a rule added while the host runs reaches runs already going. */
  private allowRules: { rules: Rule[] };
  private readonly denyRules: Rule[];

  constructor(private readonly options: PolicyOptions) {
    this.mode = options.mode;
    this.seeing = new Places(options.workspaceRoot, options.homeDir);
    this.blind = new Places(options.workspaceRoot, undefined);
    this.places = this.seeing;
    this.allowRules = { rules: compileRules(options.rules?.allow ?? [], options.grammar) };
    this.denyRules = compileRules(options.rules?.deny ?? [], options.grammar);
  }

  /** `cwd` is absolute, inside the workspace. */
  checkCommand(command: string, cwd: string): Verdict {
    this.places = this.seeing;
    this.ruleless = undefined;
    const verdicts = command.trim() === "" ? [] : this.line(command, absolute(cwd), 0);
    if (verdicts.length === 0) return EMPTY;
    if (this.mode === "read-only") verdicts.push(READ_ONLY_COMMANDS);
    if (this.options.platform === "win32") return this.windows(command, verdicts);
    return strictest(verdicts) ?? EMPTY;
  }

  /**
   * On Windows commands run through cmd.exe, whose grammar this does not analyse: the analysis
   * above only finds what to deny. The rest asks, but for one program with plain words that an
   * allow rule covers.
   */
  private windows(command: string, verdicts: Verdict[]): Verdict {
    const denied = strictest(verdicts.filter((candidate) => candidate.decision === "deny"));
    if (denied) return denied;
    const words = command.trim().split(/ +/);
    const rule = /^[A-Za-z0-9_./:=@+ -]+$/.test(command.trim()) ? findRule(this.allowRules.rules, words) : undefined;
    if (rule && !uncoveredOption(basename(words[0] ?? ""), words, rule.words.length)) {
      return verdict("allow", `allow rule "${rule.text}"`, `Your rule "${rule.text}" allows it.`);
    }
    return verdict(
      "ask",
      "windows: not analysed",
      "Commands on Windows are not analysed, so each one asks unless it is a single program with plain words that a rule of yours allows.",
    );
  }

  /** `path` is workspace-relative; the caller has checked that it stays inside. */
  checkEdit(path: string): Verdict {
    if (this.mode === "read-only") return READ_ONLY_EDITS;
    const where = protectedPlace(path);
    if (where) return protectedEdit(where, path);
    if (this.mode === "ask") return verdict("ask", "mode ask: edits ask", `The agent wants to change ${path}.`);
    return verdict("allow", `mode ${this.mode}: edits allowed`, `${MODE_NAMES[this.mode]} mode changes files without asking.`);
  }

  /** A copy with another mode, same rules (a task can pick its mode), rules added later included. */
  withMode(mode: PolicyMode): Policy {
    const copy = new Policy({ ...this.options, mode });
    copy.allowRules = this.allowRules;
    return copy;
  }

  /**
   * A copy for a task that works in a folder of its own (its git worktree): "outside the
   * workspace" then means outside that folder. Same mode and rules, rules added later included.
   */
  withWorkspace(workspaceRoot: string): Policy {
    const copy = new Policy({ ...this.options, workspaceRoot });
    copy.allowRules = this.allowRules;
    return copy;
  }

  /**
   * Replaces the allow rules, for this policy and every copy of it: runs already going check
   * their next command against the new list (a rule added by "Always on this computer", or one
   * the person removed on the computer).
   */
  setAllowRules(texts: readonly string[]): void {
    this.allowRules.rules = compileRules(texts, this.options.grammar);
  }

  /**
   * The allow rule "Always on this computer" would add for `command` (`npm test`), or undefined
   * when none is offered: the gate must have asked only because of the mode, the command must be
   * plain enough to name by its program and subcommand (computerRule.ts), and the rule must then
   * allow it. `cwd` is absolute.
   */
  computerRule(command: string, cwd: string): string | undefined {
    if (this.mode === "read-only" || this.options.platform === "win32") return undefined;
    const asked = this.checkCommand(command, cwd);
    if (asked.decision !== "ask" || asked.rule !== `mode ${this.mode}: commands ask`) return undefined;
    const text = computerRuleFor(command, this.options.grammar);
    if (text === undefined) return undefined;
    const deny = this.options.rules?.deny ?? [];
    const withRule = new Policy({ ...this.options, rules: { allow: [text], deny } });
    return withRule.checkCommand(command, cwd).decision === "allow" ? text : undefined;
  }

  /** A verdict per command of the line, in order; none when it runs nothing at all. */
  private line(text: string, cwd: string | undefined, depth: number): Verdict[] {
    if (depth > MAX_SCRIPT_DEPTH) return [unanalysable("it nests shell commands too deeply")];
    const parsed = splitCommand(text, this.options.grammar);
    const verdicts: Verdict[] = [];
    const bomb = forkBomb(text);
    if (bomb) verdicts.push(bomb);
    const units = parsed.commands.map((command) => ({ command, unwrapped: unwrapCommand(command) }));
    // Whole-line: a loop runs its body again after an assignment that comes later in the text.
    const inShell = [
      ...units.flatMap(({ command, unwrapped }) => shellAssignments(command, unwrapped)),
      ...(parsed.loopVariables ?? []).map((name) => ({ name })),
    ];
    const outer = { places: this.places, ruleless: this.ruleless };
    if (movesPlaces(inShell.map((assigned) => assigned.name))) this.places = this.blind;
    let dir = this.places === this.blind ? undefined : cwd;
    try {
      for (const { command, unwrapped } of units) {
        const own = commandAssignments(command, unwrapped);
        const assigned = [...own, ...inShell];
        verdicts.push(...dangerous(assigned));
        this.ruleless = outer.ruleless ?? rulesOff(assigned) ?? layerOption(unwrapped);
        // `HOME=/x bash -c 'echo > ~/f'`: the line that shell runs sees the new HOME.
        if (unwrapped.kind === "script" && movesPlaces(own.map((a) => a.name))) this.places = this.blind;
        verdicts.push(this.command(command, unwrapped, dir, depth));
        if (this.places === this.blind && !movesPlaces(inShell.map((a) => a.name))) this.places = outer.places;
        dir = this.nextDir(unwrapped, dir);
      }
    } finally {
      this.places = outer.places;
      this.ruleless = outer.ruleless;
    }
    if (parsed.error !== undefined) verdicts.push(unanalysable(parsed.error));
    // `echo () { curl …; }; echo hi`: a later word that looks like a known command runs the body instead.
    for (const name of parsed.functions.slice(0, 1)) {
      verdicts.push(unanalysable(`it defines a function \`${name}\`, which changes what a later \`${name}\` runs`));
    }
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
      const rule = findDenyRule(this.denyRules, words);
      if (rule) checks.push(verdict("deny", `deny rule "${rule.text}"`, `Your rule "${rule.text}" denies it.`));
    }
    if (xargsFeedsCode(unwrapped)) {
      checks.push(unanalysable("xargs -I puts each line it reads into code that runs, so that code is only known when it runs"));
    }
    if (program?.dynamic[0]) {
      checks.push(verdict("ask", "dynamic command", `The program to run (${program.words[0]}) is only known when it runs.`));
    }
    checks.push(...command.redirects.map((redirect) => this.redirect(redirect, cwd)));
    if (program) checks.push(...this.program(program, programCwd, depth));
    if (program) checks.push(this.modeVerdict(program, programCwd));
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
    const checks = namedWrites(program).map((file) => this.write(file, cwd, "write"));
    // Files changed in place are the mode's and the rules' business, but for protected places and places outside.
    checks.push(...changedFiles(program).map((file) => this.write(file, cwd, "change")));
    const settings = gitSettingsWrite(program);
    if (settings === "repository") checks.push(REPOSITORY_SETTINGS);
    else if (settings) checks.push(this.write(settings, cwd, "write"));
    if (basename(program.words[0] ?? "") === "find" && !program.dynamic[0]) {
      checks.push(...this.findCommands(program, cwd, depth));
    }
    return checks;
  }

  /**
   * Last, the mode: an allow rule turns its ask into an allow, unless the command shows an
   * option the rule does not cover (programs.ts), a wrapper changes how it runs, a variable is
   * set for it, or it runs outside the workspace, where the rule's meaning is not known.
   */
  private modeVerdict(program: Program, cwd: string | undefined): Verdict {
    if (this.mode === "read-only") return READ_ONLY_COMMANDS;
    const { words } = program;
    const matched = findAllowRule(this.allowRules.rules, words);
    const rule = matched?.rule;
    const name = basename(words[0] ?? "");
    const uncovered = matched && this.uncovered(program, matched, cwd);
    if (rule && !uncovered) return verdict("allow", `allow rule "${rule.text}"`, `Your rule "${rule.text}" allows it.`);
    if (this.mode === "full-auto") {
      return verdict("allow", "mode full-auto: commands allowed", "Full-auto mode runs commands without asking.");
    }
    const option = uncoveredOption(name, words, 0);
    if (uncovered ?? option) {
      const text = uncovered ?? `\`${name} ${option?.row.option ?? ""}\` ${option?.row.does ?? ""}.`;
      return verdict(
        "ask",
        rule ? `not covered by allow rule "${rule.text}"` : `option: ${name} ${option?.row.option ?? ""}`,
        text,
      );
    }
    return verdict("ask", `mode ${this.mode}: commands ask`, `${MODE_NAMES[this.mode]} mode asks before running a command.`);
  }

  /** Why `rule` does not cover this run of its command, in plain words; undefined when it does. */
  private uncovered(program: Program, matched: MatchedRule, cwd: string | undefined): string | undefined {
    const { words, layers } = program;
    const { rule } = matched;
    const name = basename(words[0] ?? "");
    if (this.ruleless) return this.ruleless;
    for (const [k, layer] of layers.entries()) {
      // Only the wrapper's own words: `env CI=1 npm i -S x` has no `env -S`.
      const own = layer.slice(0, layer.length - (layers[k + 1] ?? words).length);
      const option = uncoveredOption(basename(layer[0] ?? ""), own, 1);
      if (option) return `\`${basename(layer[0] ?? "")} ${option.row.option}\` ${option.row.does}.`;
    }
    // Matched past git's own options (`git -C . status` by `git status`): those options are none of the rule's.
    const option = matched.pastGlobals
      ? (uncoveredOption(name, words.slice(0, gitSubcommand(words)), 1) ??
        uncoveredOption(name, matched.pastGlobals, rule.words.length))
      : uncoveredOption(name, words, rule.words.length);
    if (option) return `\`${name} ${option.row.option}\` ${option.row.does}.`;
    if (program.extraArgs && PROGRAM_TABLES.has(name)) {
      return `\`xargs\` adds arguments to ${name} that are only known when it runs, and some of ${name}'s options run programs or write files.`;
    }
    // `git -C dir` reads dir's repository and its settings, which may run programs.
    // So does `--work-tree dir`, whose files git then reads or changes.
    const gitDirs = name === "git" ? gitFolders(words) : [];
    for (const { at, folder } of gitDirs) {
      const dir = this.places.resolve(folder, program.dynamic[at] ?? false, cwd);
      if (dir === undefined || !this.places.inWorkspace(dir))
        return `It runs git in ${folder}, outside the workspace, where your rules do not apply.`;
    }
    if (cwd === undefined || !this.places.inWorkspace(cwd)) {
      return `It runs in ${cwd ?? "a folder only known when it runs"}, outside the workspace, where your rules do not apply.`;
    }
    return undefined;
  }

  private redirect(redirect: Redirect, cwd: string | undefined): Verdict | undefined {
    const { op, target } = redirect;
    // `<`, `<<<`, here-documents and `<&` read; `2>&1` and `>&-` copy or close a descriptor.
    if (op === "<" || op === "<<<" || op === "<<" || op === "<<-" || op === "<&" || (op === ">&" && /^([0-9]+|-)$/.test(target)))
      return undefined;
    return this.write({ target, dynamic: redirect.dynamic, expands: redirect.expands ?? false }, cwd, "redirect");
  }

  /** A file written by a redirection or named on the command line (`namedWrites`): outside the workspace always asks. */
  private write(
    { target, dynamic, expands }: Target,
    cwd: string | undefined,
    kind: "redirect" | "write" | "change",
  ): Verdict | undefined {
    // A process substitution (`> >(cmd)`) writes into a command, which is judged on its own.
    if (HARMLESS_DEVICES.has(target) || (dynamic && /^[<>]\(/.test(target))) return undefined;
    const outside = `${kind === "change" ? "write" : kind} outside the workspace`;
    const path = this.places.resolve(target, dynamic, cwd);
    if (path === undefined) {
      // `> {.git,src}/config`, `> "$D/.git/config"`: whatever else it names, it may name a protected place.
      const where = protectedPlace(target, expands);
      if (where) return protectedWrite(where, target);
      return verdict("ask", outside, `It writes to ${target}, which cannot be checked before it runs.`);
    }
    if (HARMLESS_DEVICES.has(path)) return undefined;
    if (DISK_DEVICE.test(path)) return builtIn("writes straight to a disk", `It writes over ${path}.`);
    if (!this.places.inWorkspace(path)) return verdict("ask", outside, `It writes to ${target}, outside the workspace.`);
    const where = protectedPlace(path.slice(this.places.root.length), expands);
    if (where) return protectedWrite(where, target);
    if (kind === "change") return undefined;
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

/** `env -S '…'`, `env -C dir sh -c '…'`: a wrapper option no rule covers, for the line the script runs. */
function layerOption(unwrapped: Unwrapped): string | undefined {
  if (unwrapped.kind !== "script") return undefined;
  for (const layer of unwrapped.layers) {
    const name = basename(layer[0] ?? "");
    const option = uncoveredOption(name, layer, 1);
    if (option) return `\`${name} ${option.row.option}\` ${option.row.does}.`;
  }
  return undefined;
}

function dangerous(assigned: readonly Assigned[]): Verdict[] {
  const first = assigned.find((candidate) => isDangerous(candidate.name));
  return first ? [dangerousAssignment(first)] : [];
}

/**
 * Files a program writes that its command line names, checked like redirections: `tee FILE…`,
 * `dd of=FILE`, `--output=FILE` (git diff/show/log, many more), `curl -o FILE`, `wget -O FILE`,
 * the destination of cp/ln/install and every operand of mv. Other programs that write the files
 * they are given (`sed -i`, `touch`, `rsync`…) are judged by mode and rules like any command.
 */
function namedWrites({ words, dynamic, expands }: Program): Target[] {
  const name = basename(words[0] ?? "");
  const copies = ["cp", "mv", "ln", "install"].includes(name);
  const files: Target[] = [];
  const add = (i: number, target = words[i]) =>
    target !== undefined && files.push({ target, dynamic: dynamic[i] ?? false, expands: expands[i] ?? false });
  if (name === "git") for (const { at, target } of gitNamedWrites(words)) add(at, target);
  const operands: number[] = [];
  let options = true;
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? "";
    const named = /^--(?:output|output-document|output-file|target-directory)=(.*)$/s.exec(word)?.[1];
    // base64 (BSD, macOS) `-o FILE`, `-oFILE`, `-Do FILE`.
    const attached = name === "base64" ? /^-[dDhnrv]*o(.+)$/s.exec(word)?.[1] : undefined;
    const output = named ?? attached ?? (name === "dd" && word.startsWith("of=") ? word.slice(3) : undefined);
    if (output !== undefined) add(i, output);
    else if (
      /^--(output|output-document|output-file)$/.test(word) ||
      (name === "curl" && /^-[a-zA-Z]*o$/.test(word)) ||
      (name === "wget" && /^-[a-zA-Z]*O$/.test(word)) ||
      (name === "base64" && /^-[dDhnrv]*o$/.test(word)) ||
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
