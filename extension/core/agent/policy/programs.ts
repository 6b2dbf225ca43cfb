// What an allow rule does not cover (GATE-SPEC 7). A rule is a word prefix: `git` covers
// `git log -p`, `find` covers `find . -name x`. But some options turn a program that reads into
// one that runs other programs or writes files, and a person who allowed `find` did not mean
// `find -exec rm {} +`. Each program has a table of those options, what they do in plain
// words, and where that is documented or where a peer project's own gate already treats them
// so. A command showing one asks (in ask and auto-edit; full-auto runs it) unless the rule's
// own words spell that option out (`sed -i` as a rule covers `sed -i s/a/b/ f`).

import { GIT } from "./gitOptions";
import { CURL, DOCKER, NPM, NPX, PNPM, SSH, WGET, YARN } from "./networkOptions";
import { anyOf, CODEX, exact, long, ROO, RUNS, short, WRITES, type Finder, type OptionRow } from "./options";
import { awkProgramRuns, sedScriptEffect } from "./scripts";

const FIND: OptionRow[] = [
  ...["-exec", "-execdir", "-ok", "-okdir"].map((option) => ({
    option,
    does: RUNS,
    source: `find(1) ACTIONS; ${CODEX} (UNSAFE_FIND_OPTIONS)`,
    at: exact(option),
  })),
  { option: "-delete", does: "deletes files", source: `find(1) ACTIONS; ${CODEX}`, at: exact("-delete") },
  ...["-fprint", "-fprint0", "-fprintf", "-fls"].map((option) => ({
    option,
    does: WRITES,
    source: `find(1) ACTIONS; ${CODEX}`,
    at: exact(option),
  })),
];

const RG: OptionRow[] = [
  { option: "--pre", does: "runs a program on every file it searches", source: `rg(1) --pre; ${CODEX}`, at: long("--pre") },
  { option: "--hostname-bin", does: RUNS, source: `rg(1) --hostname-bin; ${CODEX}`, at: long("--hostname-bin") },
];

const SED_WITH_VALUE = "efl";
const SED: OptionRow[] = [
  {
    option: "-i",
    does: "changes files in place",
    source: `sed(1) -i[SUFFIX], --in-place[=SUFFIX]; ${ROO}`,
    at: anyOf(short("i", SED_WITH_VALUE), long("--in-place", true)),
  },
  {
    option: "-f",
    does: "reads its script from a file that is not shown here",
    source: "sed(1) -f script-file",
    at: anyOf(short("f", "el"), long("--file", true)),
  },
  { option: "e", does: RUNS, source: "GNU sed manual 3.7 (e command, s///e flag)", at: sedScriptEffect("runs") },
  { option: "w", does: WRITES, source: "GNU sed manual 3.7 (w, W commands, s///w flag)", at: sedScriptEffect("writes") },
];

const AWK: OptionRow[] = [
  {
    option: "system(), |, >",
    does: "runs programs or writes files from its program",
    source: "awk(1) / POSIX awk: system(), output pipes (print | cmd), output redirection (print > file), cmd | getline",
    at: awkProgramRuns,
  },
  {
    option: "-f",
    does: "reads its program from a file that is not shown here",
    source: "awk(1) -f progfile",
    at: anyOf(short("f", "fvF"), long("--file", true), long("--exec", true), long("--load", true), short("l", "fvF")),
  },
];

const TAR_WITH_VALUE = "fCIFTXbgKLNVH";
const TAR: OptionRow[] = [
  { option: "--to-command", does: RUNS, source: "tar(1) --to-command=COMMAND", at: long("--to-command", true) },
  {
    option: "-I",
    does: RUNS,
    source: "tar(1) -I, --use-compress-program=COMMAND",
    at: anyOf(long("--use-compress-program", true), tarShort("I")),
  },
  {
    option: "--checkpoint-action",
    does: RUNS,
    source: "tar(1) --checkpoint-action=exec=…",
    at: long("--checkpoint-action", true),
  },
  {
    option: "-F",
    does: RUNS,
    source: "tar(1) -F, --info-script=COMMAND, --new-volume-script; --rsh-command",
    at: anyOf(long("--info-script", true), long("--new-volume-script", true), long("--rsh-command", true), tarShort("F")),
  },
  {
    option: "-x",
    does: "writes every file of the archive where the archive says",
    source: "tar(1) -x, --extract, --get",
    at: anyOf(long("--extract", true), long("--get", true), tarShort("x")),
  },
];

/** tar reads `tar xzf a.tgz` too: a first word without a dash is bundled options. */
function tarShort(letter: string): Finder {
  const bundled = short(letter, TAR_WITH_VALUE);
  return (words) => {
    const first = words[1] ?? "";
    if (first !== "" && !first.startsWith("-") && first.includes(letter)) return 1;
    return bundled(words);
  };
}

const ZIP: OptionRow[] = [
  {
    option: "-TT",
    does: "runs a program to test the archive",
    source: "zip(1) -TT cmd, --unzip-command cmd",
    at: anyOf((words) => words.findIndex((w, i) => i > 0 && w.startsWith("-TT")), long("--unzip-command")),
  },
];

const UNZIP_READS = /^-[lvtpczZ]/;
const UNZIP: OptionRow[] = [
  {
    option: "ARCHIVE",
    does: "writes every file of the archive where the archive says",
    source: "unzip(1): without -l, -v, -t, -p, -c, -z or -Z it extracts",
    at: (words) => (words.length > 1 && !words.slice(1).some((w) => UNZIP_READS.test(w)) ? 1 : -1),
  },
];

const ENV: OptionRow[] = [
  {
    option: "-S",
    does: "runs a command line of its own",
    source: "env(1) -S, --split-string",
    at: anyOf(short("S", "uCS"), long("--split-string", true)),
  },
  {
    option: "-u",
    does: "unsets variables the command may rely on",
    source: "env(1) -u, --unset",
    at: anyOf(short("u", "uCS"), long("--unset", true)),
  },
  {
    option: "-C",
    does: "runs the command in another folder",
    source: "env(1) -C, --chdir",
    at: anyOf(short("C", "uCS"), long("--chdir", true)),
  },
];

const BASE64: OptionRow[] = [
  {
    option: "-o",
    does: WRITES,
    source: `base64(1) (BSD) -o; ${CODEX} (base64_output_options_are_unsafe)`,
    at: anyOf(long("--output"), (words) => words.findIndex((w, i) => i > 0 && w.startsWith("-o"))),
  },
];

const LESS: OptionRow[] = [
  {
    option: "+",
    does: "runs less commands, such as `!` which runs a program, as it starts",
    source: "less(1) +cmd, and `!` shell-command",
    at: (words) => words.findIndex((w, i) => i > 0 && w.startsWith("+")),
  },
  {
    option: "-k",
    does: "reads key bindings from a file",
    source: "less(1) -k, --lesskey-file, --lesskey-src",
    at: anyOf(short("k", "bhjkopPtTxyz#"), long("--lesskey-file"), long("--lesskey-src")),
  },
];

const MAN: OptionRow[] = [
  {
    option: "-P",
    does: "runs a program of its choosing as the pager",
    source: "man(1) -P, --pager; -H, --html",
    at: anyOf(short("P", "PpLCMmSsHe"), long("--pager", true), short("H", "PpLCMmSse"), long("--html", true)),
  },
];

const TEE: OptionRow[] = [
  {
    option: "FILE",
    does: WRITES,
    source: "tee(1): copies its input to each FILE",
    at: (words) => words.findIndex((w, i) => i > 0 && !w.startsWith("-")),
  },
];

const PYTHON: OptionRow[] = [
  { option: "-c", does: "runs the code given on the command line", source: "python(1) -c command", at: short("c", "cmWX") },
];
const NODE: OptionRow[] = [
  {
    option: "-e",
    does: "runs the code given on the command line",
    source: "node(1) -e, --eval, -p, --print; -r, --require, --import",
    at: anyOf(
      short("e", "erp"),
      short("p", "erp"),
      long("--eval"),
      long("--print"),
      short("r", "erp"),
      long("--require"),
      long("--import"),
    ),
  },
];
const PERL: OptionRow[] = [
  {
    option: "-e",
    does: "runs the code given on the command line",
    source: "perlrun(1) -e, -E",
    at: anyOf(short("e", "eEIMmlx0iCd"), short("E", "eEIMmlx0iCd")),
  },
  { option: "-i", does: "changes files in place", source: "perlrun(1) -i[extension]", at: short("i", "eEIMmlx0Cd") },
];
const RUBY: OptionRow[] = [
  { option: "-e", does: "runs the code given on the command line", source: "ruby(1) -e 'command'", at: short("e", "eIrCEFx") },
];

/** The tables, by program name (after the path: `/usr/bin/find` is find). */
export const PROGRAM_TABLES: ReadonlyMap<string, readonly OptionRow[]> = new Map<string, readonly OptionRow[]>([
  ["git", GIT],
  ["find", FIND],
  ["rg", RG],
  ["sed", SED],
  ...["awk", "gawk", "mawk", "nawk"].map((name): [string, OptionRow[]] => [name, AWK]),
  ["tar", TAR],
  ["zip", ZIP],
  ["unzip", UNZIP],
  ["env", ENV],
  ["npm", NPM],
  ["npx", NPX],
  ["pnpm", PNPM],
  ["pnpx", NPX],
  ["yarn", YARN],
  ["docker", DOCKER],
  ["podman", DOCKER],
  ["base64", BASE64],
  ["curl", CURL],
  ["wget", WGET],
  ["less", LESS],
  ["man", MAN],
  ["ssh", SSH],
  ["tee", TEE],
  ...["python", "python3", "python2"].map((name): [string, OptionRow[]] => [name, PYTHON]),
  ...["node", "nodejs"].map((name): [string, OptionRow[]] => [name, NODE]),
  ["perl", PERL],
  ["ruby", RUBY],
]);

/** The first row of `program`'s table that `words` show past the rule's own words, with the word's index. */
export function uncoveredOption(
  program: string,
  words: readonly string[],
  ruleLength: number,
): { row: OptionRow; at: number } | undefined {
  for (const row of PROGRAM_TABLES.get(program) ?? []) {
    // An occurrence the rule spells out is covered; look again past it (`find . -exec echo {} ; -exec rm {} ;`).
    let seen = [...words];
    for (let tries = 0; tries < words.length; tries++) {
      const at = row.at(seen);
      if (at < 0) break;
      if (at >= ruleLength) return { row, at };
      if (seen[at] === "\0") break;
      seen = seen.map((word, i) => (i === at ? "\0" : word));
    }
  }
  return undefined;
}
