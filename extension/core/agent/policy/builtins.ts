// The built-in deny list: commands that wreck the machine, the home folder or a shared branch,
// or run code nobody has seen. No mode runs them and no allow rule lets them through; each comes
// with the reason a person sees. `git reset --hard` and `rm -rf build` are not here: they only
// touch the workspace, which is the modes' business.

import type { DangerousPlace, Places } from "./places";
import type { ShellGrammar } from "./grammar";
import { splitCommand, type SimpleCommand } from "./shell";
import { builtIn, strictest, verdict, type Verdict } from "./verdict";
import { basename, findActions, MAX_SCRIPT_DEPTH, SHELLS, unwrapCommand, type Unwrapped } from "./wrappers";

type Program = Extract<Unwrapped, { kind: "program" }>;

export const HARMLESS_DEVICES: ReadonlySet<string> = new Set([
  "/dev/null",
  "/dev/stdout",
  "/dev/stderr",
  "/dev/tty",
  "/dev/fd/1",
  "/dev/fd/2",
]);
export const DISK_DEVICE = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|mapper\/|loop|sr)/;
const AS_ROOT = new Set(["sudo", "doas", "su", "pkexec"]);
const SHUTDOWN = new Set(["shutdown", "reboot", "halt", "poweroff"]);
const FORMATS_DISK = /^(mkfs(\..+)?|mke2fs|mkswap|wipefs)$/;
const DOWNLOADERS = new Set(["curl", "wget", "fetch", "aria2c", "http", "https", "xh"]);
const INTERPRETERS = /^(python[0-9.]*|perl|ruby|node|nodejs|php|deno|bun|lua)$/;
// `HEAD` and `@` are the current branch, which may be main.
const PROTECTED_BRANCH = /^(main|master|release\/.*|HEAD|@)$/;
const GIT_OPTIONS_WITH_ARGUMENT = new Set(["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env"]);
// A function that pipes into itself, once blanks are taken out: `:(){ :|:& };:`, `function f { f|f& }`.
const FORK_BOMBS = [/([^(){}|&;<>'"`$]+)\(\)\{[^}]*\1\|\1/, /function([^(){}|&;<>'"`$]+)(?:\(\))?\{[^}]*\1\|\1/];

export function forkBomb(line: string): Verdict | undefined {
  const squeezed = line.replace(/\s+/g, "");
  if (!FORK_BOMBS.some((pattern) => pattern.test(squeezed))) return undefined;
  return builtIn("fork bomb", "It starts copies of itself until the machine freezes.");
}

/**
 * The built-in verdict for one simple command: a denial, an ask when a recursive delete's target
 * is only known at run time, or undefined. `cwd` is where its relative paths point (undefined: unknown).
 */
export function builtInCheck(
  command: SimpleCommand,
  unwrapped: Unwrapped,
  places: Places,
  cwd: string | undefined,
  grammar: ShellGrammar,
): Verdict | undefined {
  if (runsDownload(command, unwrapped, grammar)) {
    return builtIn("pipes a download into a shell", "It runs code straight from the internet without showing it to you.");
  }
  const programs = [...unwrapped.layers, ...(unwrapped.kind === "program" ? [unwrapped.words] : [])];
  if (programs.some((words) => AS_ROOT.has(basename(words[0] ?? "")))) {
    return builtIn("runs as root", "It runs a command as root (sudo), with power over the whole machine.");
  }
  if (unwrapped.kind !== "program" || unwrapped.dynamic[0]) return undefined;
  const name = basename(unwrapped.words[0] ?? "");
  const args = unwrapped.words.slice(1);
  if (name === "rm") return rm(unwrapped, places, cwd);
  if (name === "chmod" || name === "chown" || name === "chgrp") return recursiveChange(unwrapped, places, cwd);
  if (name === "find") return findDelete(unwrapped, places, cwd);
  if (name === "git") return gitPush(unwrapped);
  const output = name === "dd" ? args.find((arg) => arg.startsWith("of=/dev/"))?.slice(3) : undefined;
  if (output !== undefined && !HARMLESS_DEVICES.has(output)) {
    return builtIn("writes straight to a disk", `It writes raw data over ${output}.`);
  }
  if (FORMATS_DISK.test(name)) return builtIn("formats a disk", "It erases a disk or partition by formatting it.");
  if (
    SHUTDOWN.has(name) ||
    ((name === "init" || name === "telinit") && /^[06]$/.test(args[0] ?? "")) ||
    (name === "systemctl" && args.some((arg) => ["poweroff", "reboot", "halt", "kexec"].includes(arg)))
  ) {
    return builtIn("shuts down the machine", "It would shut down or restart this machine.");
  }
  return undefined;
}

function deletes(place: DangerousPlace): Verdict {
  switch (place.kind) {
    case "root":
      return builtIn("deletes the whole file system", "It would delete every file on this machine.");
    case "home":
      return builtIn("deletes your home folder", `It would delete your home folder (${place.path}).`);
    case "system":
      return builtIn("deletes a system folder", `It would delete ${place.path}.`);
    case "workspace parent":
      return builtIn("deletes a folder holding the workspace", `It would delete ${place.path}, which holds the workspace.`);
  }
}

/** `rm -r` of `/`, `/*`, `~`, `..` from the workspace root, a top-level folder; asks when the target is only known at run time. */
function rm(program: Program, places: Places, cwd: string | undefined): Verdict | undefined {
  const { words, dynamic } = program;
  let recursive = false;
  let options = true;
  const targets: number[] = [];
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? "";
    if (options && word === "--") options = false;
    else if (options && word === "--no-preserve-root") {
      return builtIn("deletes the whole file system", "rm --no-preserve-root is only ever needed to delete /.");
    } else if (options && word.startsWith("--")) recursive ||= word === "--recursive";
    else if (options && /^-./.test(word)) recursive ||= /[rR]/.test(word);
    else targets.push(i);
  }
  if (!recursive) return undefined;
  const verdicts = targets.map((i) => {
    const target = words[i] ?? "";
    const place = places.danger(target, dynamic[i] ?? false, cwd);
    if (place !== "unknown") return place && deletes(place);
    return verdict(
      "ask",
      "dynamic target",
      `It deletes ${target} and everything in it, but what that names is only known when it runs.`,
    );
  });
  if (program.extraArgs) {
    verdicts.push(verdict("ask", "dynamic target", "It deletes folders it is only told about when it runs."));
  }
  return strictest(verdicts);
}

/** `chmod -R 777 /`, `chown -R me ~`: every operand (mode and owner included) is checked as a path. */
function recursiveChange(program: Program, places: Places, cwd: string | undefined): Verdict | undefined {
  const { words, dynamic } = program;
  if (!words.some((word) => word === "--recursive" || /^-[a-zA-Z]*R/.test(word))) return undefined;
  const what = basename(words[0] ?? "") === "chmod" ? "permissions" : "ownership";
  for (let i = 1; i < words.length; i++) {
    if ((words[i] ?? "").startsWith("-")) continue;
    const place = places.danger(words[i] ?? "", dynamic[i] ?? false, cwd);
    if (place && place !== "unknown") {
      return builtIn(`changes ${what} across the system`, `It would change the ${what} of everything in ${place.path}.`);
    }
  }
  return undefined;
}

/** `find / -delete`, `find ~ -delete`. */
function findDelete(program: Program, places: Places, cwd: string | undefined): Verdict | undefined {
  const actions = findActions(program);
  if (!actions.deletes) return undefined;
  for (const start of actions.starts) {
    const place = places.danger(start.text, start.dynamic, cwd);
    if (place && place !== "unknown") return deletes(place);
  }
  return undefined;
}

/** Force-pushing (`--force`, `-f`, `--force-with-lease`, `+ref`) or deleting main, master, release/*, or the current branch. */
function gitPush({ words, dynamic }: Program): Verdict | undefined {
  let i = 1;
  while ((words[i] ?? "").startsWith("-")) i += GIT_OPTIONS_WITH_ARGUMENT.has(words[i] ?? "") ? 2 : 1;
  if (words[i] !== "push") return undefined;
  let force = false;
  let everything = false;
  let deleting = false;
  let options = true;
  const positional: { text: string; dynamic: boolean }[] = [];
  for (let j = i + 1; j < words.length; j++) {
    const word = words[j] ?? "";
    if (options && word === "--") options = false;
    else if (options && word.startsWith("--")) {
      force ||= /^--(force|force-with-lease(=.*)?|force-if-includes|mirror)$/.test(word);
      everything ||= /^--(all|branches|mirror)$/.test(word);
      deleting ||= word === "--delete";
      if (["--repo", "--push-option", "--receive-pack", "--exec"].includes(word)) j++;
    } else if (options && /^-./.test(word)) {
      force ||= word.includes("f");
      deleting ||= word.includes("d");
      if (word === "-o") j++;
    } else positional.push({ text: word, dynamic: dynamic[j] ?? false });
  }
  // The first operand is the remote; the rest are `[+]src[:dst]` refspecs, `:dst` deleting dst.
  const refspecs = positional.slice(1).map((operand) => {
    const plus = operand.text.startsWith("+");
    const spec = plus ? operand.text.slice(1) : operand.text;
    const colon = spec.lastIndexOf(":");
    const branch = spec.slice(colon + 1).replace(/^refs\/heads\//, "");
    return { branch, plus, removes: colon === 0, guarded: operand.dynamic || PROTECTED_BRANCH.test(branch) };
  });
  const removed = refspecs.find((ref) => ref.guarded && (ref.removes || deleting));
  if (removed) return builtIn("deletes a protected branch", `It deletes ${removed.branch} on the remote.`);
  const forced = refspecs.find((ref) => ref.guarded && (ref.plus || force));
  if (forced) {
    return builtIn("force-pushes a protected branch", `It force-pushes ${forced.branch}, rewriting its history on the remote.`);
  }
  if (force && (refspecs.length === 0 || everything)) {
    return builtIn(
      "force-pushes a protected branch",
      "It force-pushes the current branch, which may be main, rewriting its history.",
    );
  }
  return undefined;
}

/** `curl … | sh`, `bash <(curl …)`, `sh -c "$(curl …)"`, `curl … | python3`: a download run as code. */
function runsDownload(command: SimpleCommand, unwrapped: Unwrapped, grammar: ShellGrammar): boolean {
  let code = unwrapped.kind === "script";
  let fromStdin = code;
  if (unwrapped.kind === "program") {
    const name = basename(unwrapped.words[0] ?? "");
    const operands = unwrapped.words.slice(1).filter((word) => word === "-" || !word.startsWith("-"));
    code = SHELLS.has(name) || name === "source" || name === "." || INTERPRETERS.test(name);
    // A shell reading a script file may still read stdin; an interpreter with a script or `-c` code does not run it.
    fromStdin = code && (!INTERPRETERS.test(name) || operands.length === 0 || operands.includes("-"));
  }
  if (!code) return false;
  const sources = [...command.inner, ...(fromStdin ? upstream(command) : [])];
  return sources.some((source) => isDownload(source, 0, grammar));
}

/** Every command whose output may reach `command`'s stdin, through any number of pipes. */
function upstream(command: SimpleCommand): SimpleCommand[] {
  const seen = new Set<SimpleCommand>();
  const queue = [...command.stdinFrom];
  while (queue.length > 0) {
    const next = queue.pop();
    if (!next || seen.has(next)) continue;
    seen.add(next);
    queue.push(...next.stdinFrom, ...next.inner);
  }
  return [...seen];
}

function isDownload(
  command: Pick<SimpleCommand, "words" | "dynamic" | "expands">,
  depth: number,
  grammar: ShellGrammar,
): boolean {
  const unwrapped = unwrapCommand(command);
  if (unwrapped.kind === "program") return DOWNLOADERS.has(basename(unwrapped.words[0] ?? ""));
  if (unwrapped.kind !== "script" || depth >= MAX_SCRIPT_DEPTH) return false;
  return splitCommand(unwrapped.text, grammar).commands.some((inner) => isDownload(inner, depth + 1, grammar));
}
