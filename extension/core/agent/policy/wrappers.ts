// What a simple command actually runs. Wrappers run the command after them (`env X=1 nohup
// cmd`), shells and eval run a string as a command line of its own (`sh -c '…'`), and find runs
// its `-exec` commands. Deny rules are checked against every layer; the rest against the inner one.

import type { SimpleCommand } from "./commandLine";

/** What a simple command runs once reserved words, assignments and wrappers are peeled off. */
export type Unwrapped =
  | {
      kind: "program";
      words: string[];
      dynamic: boolean[];
      /** `expands[i]`: `words[i]` holds unquoted glob or brace characters (see SimpleCommand). */
      expands: boolean[];
      /** The words of each wrapper peeled off, outermost first, for deny rules (`["env", "X=1", "rm", "x"]`). */
      layers: string[][];
      /** More arguments are added when it runs (`xargs cmd`). */
      extraArgs: boolean;
      /** It runs in another directory (`env -C dir cmd`). */
      cwdChanged: boolean;
    }
  /**
   * `sh -c '…'`, `eval …`, `env -S '…'`: the text is a command line of its own. `dynamic` when
   * the text holds an expansion of the outer shell, which could smuggle in any syntax.
   */
  | { kind: "script"; text: string; dynamic: boolean; layers: string[][] }
  /** Only assignments or a loop header: no program runs. */
  | { kind: "nothing"; layers: string[][] };

/** Shells whose `-c` string is a command line of their own. */
export const SHELLS: ReadonlySet<string> = new Set("sh bash zsh dash ksh ash mksh yash fish csh tcsh".split(" "));
const RESERVED_WORDS = new Set(["!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "esac"]);
const LOOP_HEADERS = new Set(["for", "select"]);

export function basename(word: string): string {
  return word.slice(word.lastIndexOf("/") + 1);
}

export function isAssignment(word: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(word);
}

export function unwrapCommand(command: Pick<SimpleCommand, "words" | "dynamic" | "expands">): Unwrapped {
  let words = [...command.words];
  let dynamic = [...command.dynamic];
  let expands = [...command.expands];
  const layers: string[][] = [];
  let extraArgs = false;
  let cwdChanged = false;
  for (;;) {
    let skip = 0;
    for (; skip < words.length; skip++) {
      const word = words[skip] ?? "";
      if (!isAssignment(word) && (dynamic[skip] || !RESERVED_WORDS.has(word))) break;
    }
    words = words.slice(skip);
    dynamic = dynamic.slice(skip);
    expands = expands.slice(skip);
    const name = words[0];
    if (name === undefined || (!dynamic[0] && LOOP_HEADERS.has(name))) return { kind: "nothing", layers };
    const step = dynamic[0] ? undefined : unwrapStep(basename(name), words);
    // A wrapper with nothing after it (`env`, `xargs`) is the program itself.
    if (step === undefined || ("start" in step && step.start >= words.length)) {
      return { kind: "program", words, dynamic, expands, layers, extraArgs, cwdChanged };
    }
    layers.push(words);
    if ("script" in step) {
      const [from, to] = step.span;
      return { kind: "script", text: step.script, dynamic: dynamic.slice(from, to).some(Boolean), layers };
    }
    extraArgs ||= basename(name) === "xargs";
    cwdChanged ||= step.cwdChanged === true;
    words = words.slice(step.start);
    dynamic = dynamic.slice(step.start);
    expands = expands.slice(step.start);
  }
}

/** Where the wrapped command starts (always after the wrapper's name), or the script it runs and the words it is made of. */
type Step = { start: number; cwdChanged?: boolean } | { script: string; span: [number, number] };

function unwrapStep(name: string, words: string[]): Step | undefined {
  switch (name) {
    case "nohup":
    case "builtin":
    case "coproc":
    case "setsid":
    case "unbuffer":
      return { start: words[1] === "--" ? 2 : 1 };
    case "time":
      return { start: skipOptions(words, ["-f", "-o", "--format", "--output"]) };
    case "command":
      // `command -v rm` looks rm up; it does not run it.
      return words[1] === "-v" || words[1] === "-V" ? undefined : { start: skipOptions(words, []) };
    case "exec":
      return { start: skipOptions(words, ["-a"]) };
    case "nice":
      return { start: skipOptions(words, ["-n", "--adjustment"]) };
    case "stdbuf":
      return { start: skipOptions(words, ["-i", "-o", "-e"]) };
    case "timeout":
      return { start: skipOptions(words, ["-s", "-k", "--signal", "--kill-after"]) + 1 };
    case "ionice":
      return { start: skipOptions(words, ["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"]) };
    case "strace":
    case "ltrace":
      return { start: skipOptions(words, ["-o", "-e", "-p", "-s", "-u", "-E", "-a", "-P", "-S", "-X"]) };
    case "watch":
      // watch runs its arguments, joined, with `sh -c`.
      return joined(words, skipOptions(words, ["-n", "--interval", "-q", "--equexit"]));
    case "flock": {
      const file = skipOptions(words, ["-w", "-E", "--timeout", "--conflict-exit-code"]);
      const command = words[file + 1];
      return command === "-c" || command === "--command"
        ? { script: words[file + 2] ?? "", span: [file + 2, file + 3] }
        : { start: file + 1 };
    }
    case "xargs":
      return { start: skipOptions(words, XARGS_OPTIONS_WITH_ARGUMENT) };
    case "sudo":
    case "doas":
      return { start: skipOptions(words, ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "--user", "--group"]) };
    case "env":
      return unwrapEnv(words);
    case "eval":
      // eval joins its arguments with spaces and parses the result again, as this does.
      return joined(words, 1);
    default:
      return SHELLS.has(name) ? shellScript(words) : undefined;
  }
}

function joined(words: string[], from: number): Step {
  return { script: words.slice(from).join(" "), span: [from, words.length] };
}

const XARGS_OPTIONS_WITH_ARGUMENT = [
  ...["-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s"],
  ...["--arg-file", "--delimiter", "--max-args", "--max-chars", "--max-lines", "--max-procs"],
];

/**
 * The text `xargs -I R`, `-i[R]` or `--replace[=R]` replaces with each input line (`{}` by
 * default for the last two), or undefined when xargs only appends its input as arguments.
 */
export function xargsReplaceString(layer: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 1; i < layer.length; i++) {
    const word = layer[i] ?? "";
    if (word === "--" || !word.startsWith("-") || word === "-") break;
    const long = /^--([a-z-]+)(?:=(.*))?$/s.exec(word);
    if (long) {
      const name = long[1] ?? "";
      // GNU getopt takes any unambiguous prefix; only --replace starts with r.
      if (name.startsWith("r") && "replace".startsWith(name)) found = long[2] ?? "{}";
      else if (long[2] === undefined && XARGS_OPTIONS_WITH_ARGUMENT.includes(word)) i++;
      continue;
    }
    // Bundled short options (`-0I{}`): a letter that takes a value takes the rest of the word.
    for (const [k, letter] of [...word.slice(1)].entries()) {
      const rest = word.slice(k + 2);
      if (letter === "i") found = rest === "" ? "{}" : rest;
      else if (letter === "I") found = rest === "" ? (layer[++i] ?? "") : rest;
      else if ("aEdLnPs".includes(letter) && rest === "") i++;
      if ("aEdLnPsIiel".includes(letter)) break;
    }
  }
  return found;
}

/**
 * `xargs -I{} sh -c 'echo {}'`: xargs puts each input line into code a shell or interpreter
 * runs, so that code, which can be any command, is only known when it runs.
 */
export function xargsFeedsCode(unwrapped: Unwrapped): boolean {
  const at = unwrapped.layers.findIndex((layer) => basename(layer[0] ?? "") === "xargs");
  const replace = at < 0 ? undefined : xargsReplaceString(unwrapped.layers[at] ?? []);
  if (replace === undefined) return false;
  const holds = (word: string) => replace === "" || word.includes(replace);
  // Every layer inside xargs: `xargs -I{} env sh -c '{}'`.
  const inner = [...unwrapped.layers.slice(at + 1), ...(unwrapped.kind === "program" ? [unwrapped.words] : [])];
  if (unwrapped.kind === "script" && holds(unwrapped.text)) return true;
  return inner.some((words) => {
    const name = basename(words[0] ?? "");
    if (holds(words[0] ?? "")) return true;
    if (CODE_RUNNERS.test(name) && words.slice(1).some(holds)) return true;
    return words.some((word, i) => i > 0 && holds(word) && CODE_OPTION.test(words[i - 1] ?? ""));
  });
}

// Programs whose operands are code (a script, a program text); and options that take code.
const CODE_RUNNERS = /^(python[0-9.]*|perl|ruby|node|nodejs|php|deno|bun|lua|awk|gawk|mawk|nawk|sed|eval)$/;
const CODE_OPTION = /^(-[a-zA-Z]*[ceE]|--eval|--command|--exec|-exec|-execdir|-ok|-okdir)$/;

/** The index of the first word after the options of `words[0]`. */
function skipOptions(words: string[], withArgument: readonly string[]): number {
  let i = 1;
  while (i < words.length) {
    const word = words[i] ?? "";
    if (word === "--") return i + 1;
    if (!word.startsWith("-") || word === "-") return i;
    i += withArgument.includes(word) ? 2 : 1;
  }
  return i;
}

function unwrapEnv(words: string[]): Step {
  let cwdChanged = false;
  let i = 1;
  for (; i < words.length; i++) {
    const word = words[i] ?? "";
    const split = /^(?:-S|--split-string=?)(.*)$/s.exec(word);
    if (split) return { script: [...(split[1] ? [split[1]] : []), ...words.slice(i + 1)].join(" "), span: [i, words.length] };
    if (word === "--") return { start: i + 1, cwdChanged };
    if (word === "-u" || word === "--unset" || word === "-C" || word === "--chdir") {
      cwdChanged ||= word === "-C" || word === "--chdir";
      i++;
      continue;
    }
    cwdChanged ||= word.startsWith("--chdir=") || /^-C./.test(word);
    if (!word.startsWith("-") && !isAssignment(word)) break;
  }
  return { start: i, cwdChanged };
}

/** `sh -c 'cmd'`, `bash -lc 'cmd'`: the first word after the options. Without `-c` the shell runs a file or stdin. */
function shellScript(words: string[]): Step | undefined {
  let command = false;
  let i = 1;
  for (; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word === "--") {
      i++;
      break;
    }
    if (!/^[-+]./.test(word)) break;
    if (["-o", "+o", "-O", "+O", "--rcfile", "--init-file"].includes(word)) i++;
    else if (/^-[^-]*c/.test(word)) command = true;
  }
  const script = words[i];
  return command && script !== undefined ? { script, span: [i, i + 1] } : undefined;
}

/** What `find` does besides listing: where it starts, whether it deletes, and its `-exec`/`-ok` commands, `{}` still in. */
export function findActions(command: Pick<SimpleCommand, "words" | "dynamic" | "expands">): {
  starts: { text: string; dynamic: boolean; expands: boolean }[];
  deletes: boolean;
  commands: { words: string[]; dynamic: boolean[]; expands: boolean[] }[];
} {
  const { words, dynamic, expands } = command;
  let i = 1;
  while (/^-([HLP]|O[0-9])$/.test(words[i] ?? "")) i++;
  const starts: { text: string; dynamic: boolean; expands: boolean }[] = [];
  for (; i < words.length && !/^[-(!]/.test(words[i] ?? ""); i++)
    starts.push({ text: words[i] ?? "", dynamic: dynamic[i] ?? false, expands: expands[i] ?? false });
  if (starts.length === 0) starts.push({ text: ".", dynamic: false, expands: false });
  let deletes = false;
  const commands: { words: string[]; dynamic: boolean[]; expands: boolean[] }[] = [];
  for (; i < words.length; i++) {
    const word = words[i] ?? "";
    deletes ||= word === "-delete";
    if (!["-exec", "-execdir", "-ok", "-okdir"].includes(word)) continue;
    let end = i + 1;
    while (end < words.length && words[end] !== ";" && words[end] !== "+") end++;
    commands.push({ words: words.slice(i + 1, end), dynamic: dynamic.slice(i + 1, end), expands: expands.slice(i + 1, end) });
    i = end;
  }
  return { starts, deletes, commands };
}

/** How deep `bash -c "eval '…'"` may nest before the policy stops looking and asks. */
export const MAX_SCRIPT_DEPTH = 8;
