// Variables a command line sets (GATE-SPEC 6). An allow rule for `git status` means git status
// as it normally runs; `GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0=cmd
// git status` runs cmd. So only a few harmless names may stand before an allowed command; any
// other assignment, in front of it, through `env`, `export` or `read`, or anywhere else in the
// line (a loop can run a command again after it), switches allow rules off for the line. Names
// that change how the shell reads the line or what a program runs ask in every mode.

import type { SimpleCommand } from "./commandLine";
import { verdict, type Verdict } from "./verdict";
import { basename, isAssignment, type Unwrapped } from "./wrappers";

/** Names that may stand before a command an allow rule covers. */
const HARMLESS =
  /^(CI|NODE_ENV|FORCE_COLOR|NO_COLOR|LANG|LC_[A-Z_]+|TZ|TERM|COLUMNS|DEBUG|RUST_BACKTRACE|RUST_LOG|PYTHONUNBUFFERED)$/;

/**
 * Names that change what runs: the shell's own (PATH, IFS, BASH_ENV…), the loader's (LD_*,
 * DYLD_*), git's (GIT_CONFIG_*, GIT_EXTERNAL_DIFF, GIT_PAGER, GIT_DIR…), and the startup hooks of
 * interpreters, pagers and editors programs start on their own (LESSOPEN, PAGER, EDITOR,
 * npm_config_script_shell…).
 */
const DANGEROUS = new RegExp(
  "^(" +
    [
      "PATH|PWD|OLDPWD|HOME|CDPATH|IFS|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|GLOBIGNORE|ZDOTDIR",
      "LD_\\w*|DYLD_\\w*|GIT_\\w*",
      "NODE_OPTIONS|NODE_PATH|PYTHONPATH|PYTHONSTARTUP|PYTHONHOME|PERL5OPT|PERL5LIB|RUBYOPT|RUBYLIB",
      "LESSOPEN|LESSCLOSE|PAGER|MANPAGER|EDITOR|VISUAL|BROWSER|SSH_ASKPASS|[Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_\\w*",
    ].join("|") +
    ")$",
);

/** Names after which `~`, `$HOME`, `$PWD` and relative paths no longer point where they seem to. */
const PLACES = new Set(["PWD", "OLDPWD", "HOME", "CDPATH"]);

export function isHarmless(name: string): boolean {
  return HARMLESS.test(name);
}

export function isDangerous(name: string): boolean {
  return DANGEROUS.test(name);
}

export function movesPlaces(names: readonly string[]): boolean {
  return names.some((name) => PLACES.has(name));
}

/** A variable set for one program (`X=1 cmd`, `env X=1 cmd`): its name and the program's. */
export interface Assigned {
  name: string;
  /** The program it is set for; undefined when it stays set in the shell for the rest of the line. */
  program?: string;
}

function nameOf(word: string): string {
  return /^[^=[+]*/.exec(word)?.[0] ?? word;
}

/** Variables set just for this command's program: `X=1 cmd` and `env X=1 cmd`. */
export function commandAssignments(command: SimpleCommand, unwrapped: Unwrapped): Assigned[] {
  if (unwrapped.kind === "nothing") return [];
  const program = unwrapped.kind === "program" ? basename(unwrapped.words[0] ?? "") : "the command line it runs";
  const found: Assigned[] = [];
  for (const word of command.words) {
    if (!isAssignment(word)) break;
    found.push({ name: nameOf(word), program });
  }
  for (const layer of unwrapped.layers) {
    if (basename(layer[0] ?? "") !== "env") continue;
    for (const word of layer.slice(1)) if (isAssignment(word)) found.push({ name: nameOf(word), program });
  }
  return found;
}

const DECLARES = new Set(["export", "declare", "typeset", "local", "readonly", "unset"]);

/**
 * Variables this command sets in the shell itself, for what runs after it: `X=1` alone,
 * `export`, `declare`, `unset`, `read`, `printf -v`, `mapfile`, `getopts`. The variable of
 * `for X in` comes from the parser (`ParsedCommandLine.loopVariables`), which reads no loop header as a command.
 */
export function shellAssignments(command: SimpleCommand, unwrapped: Unwrapped): Assigned[] {
  const words = command.words.filter(
    (word, i) => !(i === 0 && ["!", "if", "then", "do", "while", "until", "elif", "else"].includes(word)),
  );
  if (unwrapped.kind === "nothing") {
    const loop = words[0] === "for" || words[0] === "select" ? [words[1] ?? ""] : [];
    return [...words.filter(isAssignment).map(nameOf), ...loop].map((name) => ({ name }));
  }
  if (unwrapped.kind !== "program") return [];
  const [first, ...args] = unwrapped.words;
  const name = basename(first ?? "");
  const operands = args.filter((arg) => !/^[-+]/.test(arg));
  let names: string[] = [];
  if (DECLARES.has(name)) names = operands.map(nameOf);
  else if (name === "read") names = [...operands, ...valuesOf(args, "-a"), ...(operands.length === 0 ? ["REPLY"] : [])];
  else if (name === "printf") names = valuesOf(args, "-v");
  else if (name === "mapfile" || name === "readarray") names = [operands.at(-1) ?? "MAPFILE"];
  else if (name === "getopts") names = operands.slice(1, 2);
  return names.map((found) => ({ name: found }));
}

function valuesOf(args: readonly string[], option: string): string[] {
  return args.flatMap((arg, i) =>
    arg === option ? [args[i + 1] ?? ""] : arg.startsWith(option) && arg.length > 2 ? [arg.slice(2)] : [],
  );
}

/** The ask for a name that changes what runs, in every mode. */
export function dangerousAssignment(assigned: Assigned): Verdict {
  const what = assigned.program ? `set before ${assigned.program}` : "set in this command line";
  return verdict(
    "ask",
    `environment: ${assigned.name}`,
    `${assigned.name} ${what} changes what it runs${assigned.program ? "" : " after it"}.`,
  );
}

/** Why allow rules stop applying, for the first name that is not harmless. */
export function rulesOff(assigned: readonly Assigned[]): string | undefined {
  const first = assigned.find((candidate) => !isHarmless(candidate.name));
  if (!first) return undefined;
  return first.program
    ? `${first.name} is set for ${first.program}, and allow rules only cover commands run without it.`
    : `${first.name} is set in this command line, and allow rules only cover commands run without it.`;
}
