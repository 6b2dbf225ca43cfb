// Constructs that run code the gate cannot see, found on a simple command once its wrappers are
// peeled off. Each asks in every mode (deny in read-only): no allow rule and no full-auto lifts it,
// because the command line alone does not say what will run. The syntax-level cases (arithmetic
// over variables, `${!x}`, quotes inside `${…}`, control characters) are found while parsing
// (shell.ts, words.ts); these need to know which program runs.

import type { SimpleCommand } from "./commandLine";
import { unanalysable, type Verdict } from "./verdict";
import { ARITHMETIC_OVER_VARIABLES } from "./words";
import { basename, findActions, SHELLS, type Unwrapped } from "./wrappers";

type Program = Extract<Unwrapped, { kind: "program" }>;

// Builtins that take variable names: `read 'a[$(id)]'` evaluates the subscript, and so runs id.
const NAME_TAKERS = new Set([
  "declare",
  "typeset",
  "local",
  "export",
  "readonly",
  "unset",
  "read",
  "mapfile",
  "readarray",
  "getopts",
  "wait",
]);
const DECLARERS = new Set(["declare", "typeset", "local", "readonly"]);
const SUBSCRIPTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*\[/;
const ARITHMETIC_TESTS = new Set(["-eq", "-ne", "-lt", "-le", "-gt", "-ge"]);
const INTERPRETERS = /^(python[0-9.]*|perl|ruby|node|nodejs|php|deno|bun|lua)$/;
// Options after which an interpreter takes its code from the command line, not from stdin.
const CODE_OPTIONS: [RegExp, RegExp][] = [
  [/^python/, /^-[a-zA-Z]*[cm]/],
  [/^(perl|ruby)$/, /^-[a-zA-Z]*[eE]/],
  [/^(node|nodejs|bun|deno)$/, /^(-[ep]|--eval|--print)/],
  [/^php$/, /^-[rf]/],
  [/^lua$/, /^-e/],
];
const STDIN_REDIRECTS = new Set(["<", "<<", "<<-", "<<<", "<&"]);

export function failClosed(command: SimpleCommand, unwrapped: Unwrapped): Verdict | undefined {
  const names = [...unwrapped.layers, ...(unwrapped.kind === "program" ? [unwrapped.words] : [])].map((words) => words[0] ?? "");
  for (const name of names) {
    // Non-ASCII letters can look like ASCII ones (a Cyrillic `с` in `сurl`) and run another program.
    if (/[^\x20-\x7e]/.test(name)) return unanalysable(`the program name ${JSON.stringify(name)} holds characters outside ASCII`);
    const base = basename(name);
    if (base === "eval" || base === "source" || base === ".") {
      return unanalysable(`${base} runs text as commands, and what that text is may differ from what the line shows`);
    }
    if (base === "coproc") return unanalysable("coproc starts a command the checker does not follow");
    if (base === "let") return unanalysable(ARITHMETIC_OVER_VARIABLES);
  }
  return unwrapped.kind === "program" ? program(command, unwrapped) : undefined;
}

function program(command: SimpleCommand, program: Program): Verdict | undefined {
  const { words, expands } = program;
  const name = basename(words[0] ?? "");
  const args = words.slice(1);
  if (expands[0])
    return unanalysable(
      `the program name ${words[0] ?? ""} holds glob or brace characters, so what runs is only known when it runs`,
    );
  if (NAME_TAKERS.has(name) || (name === "printf" && args.includes("-v"))) {
    if (args.some((arg) => SUBSCRIPTED_NAME.test(arg)))
      return unanalysable("it names an array element, whose subscript bash evaluates and can run commands");
  }
  const rereads = changesReading(name, args);
  if (rereads) return unanalysable(rereads);
  if (DECLARERS.has(name) && args.some((arg) => /^-[a-zA-Z]*[in]/.test(arg))) {
    return unanalysable("declare -i and -n make later assignments evaluate arithmetic or follow names");
  }
  if (name === "test" || name === "[" || name === "[[") {
    if (args.includes("-v")) return unanalysable("a -v test evaluates the variable name it is given, which can run commands");
    if (name === "[[" && args.some((arg, i) => ARITHMETIC_TESTS.has(arg) && !plainNumbers(args[i - 1], args[i + 1]))) {
      return unanalysable(ARITHMETIC_OVER_VARIABLES);
    }
  }
  if (
    readsCodeFromStdin(name, args) &&
    (command.stdinFrom.length > 0 || command.redirects.some((r) => STDIN_REDIRECTS.has(r.op)))
  ) {
    return unanalysable(`${name} runs the text it is given on stdin as code, which the checker does not see`);
  }
  return destructiveGlob(program, name);
}

// Shell options that only change globbing, tracing or error handling; the others change how later
// lines are read or what they run (`expand_aliases`, `extglob`, `set -k` taking `X=1` anywhere as
// an assignment, `set -a` exporting every one).
const PLAIN_SHOPT = new Set(
  "dotglob nullglob failglob globstar nocaseglob nocasematch globasciiranges inherit_errexit lastpipe checkwinsize histappend".split(
    " ",
  ),
);
const PLAIN_SET_OPTIONS = new Set(
  "errexit nounset xtrace verbose pipefail noglob noclobber noexec hashall notify monitor braceexpand errtrace physical onecmd privileged ignoreeof vi emacs".split(
    " ",
  ),
);
const PLAIN_SET_LETTERS = /^[euxvfCnhbmBEPtp]$/;

/** Why a builtin changes how the shell reads the rest of the line or what a later word runs, if it does. */
function changesReading(name: string, args: string[]): string | undefined {
  if (name === "alias" && args.some((arg) => arg.includes("="))) {
    return "alias changes what a later word of the line runs, which the checker does not follow";
  }
  if (name === "enable" && args.some((arg) => !/^-[aps]+$/.test(arg))) {
    return "enable loads or switches off shell builtins, which changes what a later word of the line runs";
  }
  if (name === "shopt" && args.some((arg) => /^-[a-z]*[suo]/.test(arg))) {
    const options = args.filter((arg) => !arg.startsWith("-"));
    const setOption = args.some((arg) => /^-[a-z]*o/.test(arg));
    if (options.some((option) => !(setOption ? PLAIN_SET_OPTIONS : PLAIN_SHOPT).has(option)))
      return "shopt changes how the shell reads the rest of the line, which the checker does not follow";
  }
  if (name === "set") {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] ?? "";
      if (arg === "--" || !/^[-+][a-zA-Z]+$/.test(arg)) break;
      // `-euo pipefail`: each o in the cluster takes the next word as an option's name.
      for (const letter of arg.slice(1)) {
        // `set -o` alone lists the options.
        const plain =
          letter === "o" ? i + 1 >= args.length || PLAIN_SET_OPTIONS.has(args[++i] ?? "") : PLAIN_SET_LETTERS.test(letter);
        if (!plain)
          return "set changes how the shell reads the rest of the line or what it runs, which the checker does not follow";
      }
    }
  }
  return undefined;
}

function plainNumbers(...operands: (string | undefined)[]): boolean {
  return operands.every((operand) => operand !== undefined && /^-?[0-9]+$/.test(operand));
}

/** A shell with neither `-c` nor a script file, or an interpreter with no script and no code option. */
function readsCodeFromStdin(name: string, args: string[]): boolean {
  if (SHELLS.has(name)) {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] ?? "";
      if (arg === "--") return args[i + 1] === undefined || args[i + 1] === "-";
      // `sh -` reads its script from stdin; any other operand is a script file.
      if (!/^[-+]./.test(arg)) return arg === "-";
      if (/^-[^-]*s/.test(arg)) return true;
      if (/^-[^-]*c/.test(arg)) return false;
      if (["-o", "+o", "-O", "+O", "--rcfile", "--init-file"].includes(arg)) i++;
    }
    return true;
  }
  if (!INTERPRETERS.test(name)) return false;
  const code = CODE_OPTIONS.find(([program]) => program.test(name))?.[1];
  if (args.some((arg) => code?.test(arg))) return false;
  const operands = args.filter((arg) => arg === "-" || !arg.startsWith("-"));
  // deno and bun need a subcommand (`deno run -`) to read stdin; any operand is taken as a script.
  return operands.length === 0 || operands[0] === "-";
}

/** `rm -rf {a,~}`, `chmod -R 777 /u*`, `find ~/.c* -delete`: the targets are only known once the shell expands them. */
function destructiveGlob(program: Program, name: string): Verdict | undefined {
  const { words, expands } = program;
  const ask = (what: string) =>
    unanalysable(
      `it ${what} ${words.filter((_, i) => expands[i]).join(" ")}, whose glob or brace characters only say what they name when it runs`,
    );
  if (name === "rm" && words.some((w) => w === "--recursive" || /^-[a-zA-Z]*[rR]/.test(w)) && expands.some(Boolean))
    return ask("deletes");
  if (
    ["chmod", "chown", "chgrp"].includes(name) &&
    words.some((w) => w === "--recursive" || /^-[a-zA-Z]*R/.test(w)) &&
    expands.some(Boolean)
  ) {
    return ask("changes everything in");
  }
  if (name === "find") {
    const actions = findActions(program);
    if (actions.deletes && actions.starts.some((start) => start.expands)) return ask("deletes from");
  }
  return undefined;
}
