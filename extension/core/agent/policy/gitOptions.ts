// git's options that an allow rule for git does not cover (programs.ts): global options that
// set what git runs (`-c`, `--config-env`, `--exec-path`, `--git-dir`), and per subcommand the
// options that run a program or write a file. git reads its global options before the
// subcommand, so `git log -c` (combined diffs) is not `git -c`. git 2.39 takes abbreviated long
// options (`git fetch --upload-p=cmd` runs cmd) except among the diff options (`git show
// --textc` is refused), so `--text` there is not `--textconv`.

import { anyOf, CODEX, firstOperand, long, RUNS, short, subcommand, WRITES, type Finder, type OptionRow } from "./options";

/** Global options of git that take a separate value (`git -C dir status`). */
const GIT_GLOBAL_WITH_VALUE = ["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--super-prefix"];

/** Where git's subcommand is (`git -C x -c a=b log` → 5), or -1. */
export function gitSubcommand(words: readonly string[]): number {
  return firstOperand(words, GIT_GLOBAL_WITH_VALUE);
}

/** An option of git itself, before the subcommand. */
function gitGlobal(test: (word: string) => boolean): Finder {
  return (words) => {
    const sub = gitSubcommand(words);
    const end = sub < 0 ? words.length : sub;
    for (let i = 1; i < end; i++) if (test(words[i] ?? "")) return i;
    return -1;
  };
}

/** An option of one of the subcommands `names`, anywhere after it. */
function gitOption(names: readonly string[], finder: Finder): Finder {
  return (words) => {
    const sub = gitSubcommand(words);
    if (sub < 0 || !names.includes(words[sub] ?? "")) return -1;
    const at = finder(["git", ...words.slice(sub + 1)]);
    return at < 0 ? -1 : sub + at;
  };
}

/** Read-only forms of `git config`: `--get*`, `--list`, `get`/`list`, or a name alone. */
const GIT_CONFIG_READS =
  /^(--get(-all|-regexp|-urlmatch|-color|colorbool)?|-l|--list|--show-origin|--show-scope|--name-only|-z|--null|--type(=.*)?|--bool|--int|--path|--includes|--no-includes|--default(=.*)?|--local|--global|--system|--worktree|--blob(=.*)?|-f|--file(=.*)?)$/;

/** The word that makes `git config …` change a setting, or -1 for a read. */
export function gitConfigWrite(words: readonly string[]): number {
  const sub = gitSubcommand(words);
  if (sub < 0 || words[sub] !== "config") return -1;
  const rest: number[] = [];
  for (let i = sub + 1; i < words.length; i++) {
    const word = words[i] ?? "";
    if (["-f", "--file", "--blob", "--type", "--default"].includes(word)) i++;
    else if (word.startsWith("-") && !GIT_CONFIG_READS.test(word))
      return i; // --add, --unset, -e, --replace-all…
    else if (!word.startsWith("-")) rest.push(i);
  }
  const [first, second] = rest;
  if (first === undefined) return -1;
  const verb = words[first] ?? "";
  if (["get", "list"].includes(verb)) return -1;
  if (["set", "unset", "rename-section", "remove-section", "edit"].includes(verb)) return first;
  return second ?? -1; // `git config name value` sets; `git config name` reads
}

export const GIT: OptionRow[] = [
  {
    option: "-c",
    does: "sets a git setting for this run, and settings such as core.fsmonitor or core.pager run programs",
    source: `git(1) OPTIONS; ${CODEX} (git_has_config_override_global_option)`,
    at: gitGlobal((word) => word === "-c" || (word.startsWith("-c") && word.length > 2)),
  },
  {
    option: "--config-env",
    does: "sets a git setting from the environment for this run, and settings can run programs",
    source: `git(1) OPTIONS; ${CODEX}`,
    at: gitGlobal((word) => word === "--config-env" || word.startsWith("--config-env=")),
  },
  {
    option: "--exec-path",
    does: "runs git's own helper programs from a folder of its choosing",
    source: "git(1) OPTIONS, --exec-path[=<path>]",
    at: gitGlobal((word) => word.startsWith("--exec-path=")),
  },
  {
    option: "--git-dir",
    does: "reads the repository's settings, which can run programs, from another folder",
    source: "git(1) OPTIONS; git-config(1) safe.bareRepository",
    at: gitGlobal((word) => word === "--git-dir" || word.startsWith("--git-dir=")),
  },
  {
    option: "--bare",
    does: "reads the repository's settings, which can run programs, from the current folder",
    source: "git(1) OPTIONS --bare; git-config(1) safe.bareRepository",
    at: gitGlobal((word) => word === "--bare"),
  },
  {
    option: "--ext-diff",
    does: "runs the external diff program named in the settings",
    source: `git-diff(1) --ext-diff; ${CODEX} (UNSAFE_GIT_FLAGS)`,
    at: gitOption(["diff", "log", "show", "whatchanged", "format-patch", "stash"], long("--ext-diff")),
  },
  {
    option: "--textconv",
    does: "runs the text conversion programs named in the settings",
    source: `git-log(1) --textconv; ${CODEX} (UNSAFE_GIT_FLAGS)`,
    at: gitOption(["diff", "log", "show", "whatchanged", "blame", "format-patch", "grep"], long("--textconv")),
  },
  {
    option: "--output",
    does: WRITES,
    source: `git-diff(1) --output=<file>; ${CODEX} (git_output_and_config_override_flags_are_not_safe)`,
    at: anyOf(
      gitOption(["diff", "log", "show", "whatchanged", "format-patch"], long("--output")),
      gitOption(["archive"], long("--output", true)),
    ),
  },
  {
    option: "-o",
    does: WRITES,
    source: "git-format-patch(1) -o <dir>; git-archive(1) -o <file>",
    at: gitOption(["format-patch", "archive"], short("o", "ovv")),
  },
  {
    option: "--upload-pack",
    does: RUNS,
    source: "git-fetch(1), git-clone(1), git-ls-remote(1): --upload-pack=<upload-pack> runs that program",
    at: anyOf(
      gitOption(["fetch", "pull", "clone", "ls-remote"], long("--upload-pack", true)),
      gitOption(["clone", "ls-remote"], short("u", "ubocj")),
    ),
  },
  {
    option: "--receive-pack",
    does: RUNS,
    source: "git-push(1) --receive-pack=<git-receive-pack>, --exec=<git-receive-pack>",
    at: gitOption(["push", "send-pack"], anyOf(long("--receive-pack", true), long("--exec"))),
  },
  {
    option: "--exec",
    does: RUNS,
    source: "git-rebase(1) -x <cmd>, --exec <cmd>; git-archive(1) --exec=<git-upload-archive>",
    at: anyOf(gitOption(["rebase"], anyOf(long("--exec", true), short("x", "xsSX"))), gitOption(["archive"], long("--exec"))),
  },
  {
    option: "-x",
    does: RUNS,
    source: "git-difftool(1) -x <command>, --extcmd=<command>",
    at: gitOption(["difftool"], anyOf(long("--extcmd", true), short("x", "xt"))),
  },
  {
    option: "-O",
    does: RUNS,
    source: "git-grep(1) -O[<pager>], --open-files-in-pager[=<pager>]",
    at: gitOption(["grep"], anyOf(long("--open-files-in-pager", true), short("O", "efmAB"))),
  },
  {
    option: "--template",
    does: "copies hooks, which git then runs, from a folder of its choosing",
    source: "git-init(1) TEMPLATE DIRECTORY; git-clone(1) --template",
    at: gitOption(["init", "clone"], long("--template", true)),
  },
  {
    option: "--config",
    does: "sets settings of the new repository, and settings can run programs",
    source: "git-clone(1) -c <key>=<value>, --config <key>=<value>",
    at: gitOption(["clone"], anyOf(long("--config", true), short("c", "cbouj"))),
  },
  {
    option: "run",
    does: RUNS,
    source: "git-bisect(1) bisect run <cmd>",
    at: gitOption(["bisect"], subcommand(["run"])),
  },
  {
    option: "foreach",
    does: RUNS,
    source: "git-submodule(1) foreach <command>",
    at: gitOption(["submodule"], (words) => words.indexOf("foreach")),
  },
  {
    option: "filter-branch",
    does: "runs the shell commands it is given on every commit",
    source: "git-filter-branch(1) --tree-filter, --index-filter, --msg-filter…",
    at: subcommandOf(["filter-branch"]),
  },
  {
    option: "config",
    does: "changes git settings, and settings such as core.fsmonitor run programs",
    source: "git-config(1); the settings that run programs: core.fsmonitor, core.pager, core.sshCommand, diff.external",
    at: gitConfigWrite,
  },
];

function subcommandOf(names: readonly string[]): Finder {
  return (words) => {
    const at = gitSubcommand(words);
    return at >= 0 && names.includes(words[at] ?? "") ? at : -1;
  };
}

/**
 * `git -C dir --no-pager push x` as `git push x`: git's own options dropped, so rules written as
 * `git push` meet the subcommand whatever stands before it. Undefined when there are none to drop.
 */
export function gitPastGlobals(words: readonly string[]): string[] | undefined {
  const sub = gitSubcommand(words);
  return sub > 1 ? [words[0] ?? "git", ...words.slice(sub)] : undefined;
}

/**
 * Files and folders git subcommands write that their command line names, beyond the generic
 * `--output=FILE`: `git format-patch -o DIR` / `--output-directory DIR`, `git archive -o FILE`.
 */
export function gitNamedWrites(words: readonly string[]): { at: number; target: string }[] {
  const sub = gitSubcommand(words);
  const verb = words[sub] ?? "";
  if (sub < 0 || (verb !== "format-patch" && verb !== "archive")) return [];
  const found: { at: number; target: string }[] = [];
  for (let i = sub + 1; i < words.length; i++) {
    const word = words[i] ?? "";
    if (word === "--") break;
    // git takes an unambiguous abbreviation of a long option (`--output-d=x`).
    const named = /^--(output-d[a-z-]*)(?:=(.*))?$/s.exec(word);
    if (verb === "format-patch" && named && "output-directory".startsWith(named[1] ?? "")) {
      if (named[2] === undefined) found.push({ at: i + 1, target: words[++i] ?? "" });
      else found.push({ at: i, target: named[2] });
    } else if (verb === "archive" && word === "--output") found.push({ at: i + 1, target: words[++i] ?? "" });
    else if (/^-o/.test(word)) {
      if (word === "-o") found.push({ at: i + 1, target: words[++i] ?? "" });
      else found.push({ at: i, target: word.slice(2) });
    }
  }
  return found;
}

/** The folders `-C dir`, `--work-tree dir` and `--work-tree=dir` among git's own options, with their words' indexes. */
export function gitFolders(words: readonly string[]): { at: number; folder: string }[] {
  const end = gitSubcommand(words);
  return words.slice(0, end < 0 ? words.length : end).flatMap((word, i) => {
    if (words[i - 1] === "-C" || words[i - 1] === "--work-tree") return [{ at: i, folder: word }];
    return word.startsWith("--work-tree=") ? [{ at: i, folder: word.slice(12) }] : [];
  });
}
