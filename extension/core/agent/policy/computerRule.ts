// "Always on this computer": the allow rule a person's approval of one command may add to the
// host's rules, worked out here from the parsed command, never from text a phone sends. The rule
// is the program and its subcommand (`npm test`, `git status`, `cargo build`), so it reads as what
// the person approved and covers the same command with other arguments. It is offered only for a
// plain command the gate understood whole and asked about only because of the mode: no pipes,
// redirections, wrappers, expansions or variables, no listed option, and not a program whose
// every run may destroy or run arbitrary code (`rm`, `sh`, `python`, `curl`, `sudo`…), which a
// word-prefix rule could not keep apart from a harmless run.

import type { ShellGrammar } from "./grammar";
import { splitCommand } from "./shell";
import { unwrapCommand } from "./wrappers";

/** Programs for which no rule is offered: what they do depends on their arguments more than a prefix can tell. */
const NO_RULE = new Set(
  [
    // Deletes, overwrites or changes owners and modes.
    "rm rmdir shred unlink dd truncate mv cp ln install chmod chown chgrp mkfs mke2fs mkswap wipefs fdisk parted",
    // Ends processes, changes the machine.
    "kill killall pkill shutdown reboot halt poweroff systemctl service launchctl crontab mount umount",
    // Runs other programs or code given as arguments.
    "sh bash zsh dash ksh ash mksh yash fish csh tcsh eval exec source . env xargs nohup nice timeout time watch",
    "command builtin sudo doas su pkexec ssh scp sftp rsync",
    "python python2 python3 perl ruby node nodejs php deno bun lua osascript powershell pwsh",
    "npx bunx pnpx dlx",
    // Downloads and sends.
    "curl wget fetch aria2c http https xh nc ncat netcat socat telnet ftp",
  ]
    .join(" ")
    .split(" "),
);

/** Subcommands that run a package's program, code given on the line, or change a repository's history or remotes. */
const NO_RULE_SUBCOMMANDS: Record<string, ReadonlySet<string>> = {
  npm: new Set(["exec", "x", "explore", "publish", "unpublish", "deprecate", "owner", "access", "token", "adduser", "login"]),
  pnpm: new Set(["exec", "dlx", "publish"]),
  yarn: new Set(["exec", "dlx", "publish", "npm"]),
  git: new Set([
    "push",
    "reset",
    "clean",
    "checkout",
    "restore",
    "switch",
    "rebase",
    "rm",
    "mv",
    "filter-branch",
    "filter-repo",
    "gc",
    "prune",
    "reflog",
    "update-ref",
    "config",
    "remote",
    "submodule",
    "stash",
    "branch",
    "tag",
    "worktree",
    "am",
    "apply",
    "merge",
    "pull",
    "cherry-pick",
    "revert",
    "commit",
    "-c",
    "-C",
  ]),
  cargo: new Set(["publish", "install", "uninstall", "login", "yank", "owner"]),
  docker: new Set(["run", "exec", "rm", "rmi", "system", "volume", "container", "image", "compose", "push", "login"]),
  go: new Set(["run", "generate", "install", "get"]),
};

/** Subcommands whose next word names what they run (`npm run build`): the rule keeps that word too. */
const NAMED_RUNS: Record<string, ReadonlySet<string>> = {
  npm: new Set(["run", "run-script"]),
  pnpm: new Set(["run"]),
  yarn: new Set(["run"]),
  bun: new Set(["run"]),
};

const PROGRAM = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const SUBCOMMAND = /^[a-z][a-z0-9_:-]*$/;

/**
 * The rule text for "Always on this computer" from the command's shape alone, or undefined when
 * none is offered. `Policy.computerRule` adds what only the gate knows: that it asked only
 * because of the mode, and that the rule then allows the command.
 */
export function computerRuleFor(command: string, grammar: ShellGrammar): string | undefined {
  const parsed = splitCommand(command, grammar);
  if (parsed.error !== undefined || parsed.functions.length > 0 || (parsed.loopVariables?.length ?? 0) > 0) return undefined;
  if (parsed.commands.length !== 1) return undefined;
  const only = parsed.commands[0]!;
  if (only.redirects.length > 0 || only.stdinFrom.length > 0 || only.inner.length > 0) return undefined;
  if (only.dynamic.some(Boolean) || only.expands.some(Boolean)) return undefined;
  const unwrapped = unwrapCommand(only);
  if (unwrapped.kind !== "program" || unwrapped.layers.length > 0 || unwrapped.extraArgs || unwrapped.cwdChanged)
    return undefined;
  // No assignment in front and nothing peeled off: the words are the command as written.
  if (unwrapped.words.length !== only.words.length) return undefined;
  const [program, first, second] = unwrapped.words;
  if (program === undefined || !PROGRAM.test(program) || NO_RULE.has(program) || /^mkfs/.test(program)) return undefined;
  const words = [program];
  if (first !== undefined && SUBCOMMAND.test(first)) {
    if (NO_RULE_SUBCOMMANDS[program]?.has(first)) return undefined;
    words.push(first);
    if (NAMED_RUNS[program]?.has(first)) {
      if (second === undefined || !SUBCOMMAND.test(second)) return undefined;
      words.push(second);
    }
  } else if (NO_RULE_SUBCOMMANDS[program]) {
    // `git -C x status`, `npm --prefix x test`: an option before the subcommand the rule would not name.
    return undefined;
  }
  return words.join(" ");
}
