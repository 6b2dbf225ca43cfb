// What an allow rule does not cover (GATE-SPEC 7). A rule is a word prefix: `git` covers
// `git log -p`, `find` covers `find . -name x`. But some options turn a program that reads into
// one that runs other programs or writes files, and a person who allowed `find` did not mean
// `find -exec rm {} +`. Each program has a table of those options, what they do in plain
// words, and where that is documented or where a peer project's own gate already treats them
// so. A command showing one asks (in ask and auto-edit; full-auto runs it) unless the rule's
// own words spell that option out (`sed -i` as a rule covers `sed -i s/a/b/ f`).

import { GIT } from "./gitOptions";
import { anyOf, CODEX, exact, long, ROO, RUNS, short, subcommand, WRITES, type Finder, type OptionRow } from "./options";
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

const NPM_RUNS_PACKAGE = "runs a package's program, which may be downloaded first";
const NPM_ELSEWHERE: OptionRow[] = [
  {
    option: "--prefix",
    does: "runs the scripts of another folder",
    source: "npm(1) config: prefix (-C)",
    at: anyOf(long("--prefix"), exact("-C")),
  },
  {
    option: "--script-shell",
    does: "runs scripts with a shell of its choosing",
    source: "npm(1) config: script-shell",
    at: long("--script-shell"),
  },
  {
    option: "--node-options",
    does: "passes options to node, which can load code",
    source: "npm(1) config: node-options",
    at: long("--node-options"),
  },
  {
    option: "--userconfig",
    does: "reads npm settings, which can run programs, from another file",
    source: "npm(1) config: userconfig",
    at: long("--userconfig"),
  },
];
const NPM: OptionRow[] = [
  { option: "exec", does: NPM_RUNS_PACKAGE, source: "npm-exec(1): npm exec, npm x", at: subcommand(["exec", "x"]) },
  ...NPM_ELSEWHERE,
];
const NPX: OptionRow[] = [
  {
    option: "PACKAGE",
    does: NPM_RUNS_PACKAGE,
    source: "npx(1): npx runs `npm exec`",
    at: (words) => (words.length > 1 ? 1 : -1),
  },
];
const PNPM: OptionRow[] = [
  { option: "dlx", does: NPM_RUNS_PACKAGE, source: "pnpm docs: pnpm dlx, pnpm exec", at: subcommand(["dlx", "exec"]) },
  {
    option: "--dir",
    does: "runs the scripts of another folder",
    source: "pnpm docs: -C, --dir",
    at: anyOf(long("--dir"), exact("-C")),
  },
];
const YARN: OptionRow[] = [
  { option: "dlx", does: NPM_RUNS_PACKAGE, source: "yarn docs: yarn dlx, yarn exec", at: subcommand(["dlx", "exec"]) },
  { option: "--cwd", does: "runs the scripts of another folder", source: "yarn docs: --cwd", at: long("--cwd") },
];

const DOCKER: OptionRow[] = [
  {
    option: "run",
    does: "runs a container, which can be given the whole machine",
    source: "docker-run(1), docker-exec(1), docker-compose(1)",
    at: subcommand(
      ["run", "exec", "create", "start", "compose"],
      ["-H", "--host", "--context", "-c", "--config", "-l", "--log-level"],
    ),
  },
  {
    option: "-v",
    does: "mounts a folder of this machine into a container",
    source: "docker-run(1) -v, --volume, --mount",
    at: anyOf(exact("-v"), long("--volume"), long("--mount")),
  },
  {
    option: "--privileged",
    does: "gives a container the whole machine",
    source: "docker-run(1) --privileged",
    at: long("--privileged"),
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

const CURL_WITH_VALUE = "oODcKTdFHuXwAbeErxYz";
const CURL: OptionRow[] = [
  {
    option: "-o",
    does: WRITES,
    source: "curl(1) -o, -O, --output, --output-dir, -D, -c, --trace, --libcurl, --stderr",
    at: anyOf(
      short("o", CURL_WITH_VALUE),
      short("O", CURL_WITH_VALUE),
      short("D", CURL_WITH_VALUE),
      short("c", CURL_WITH_VALUE),
      ...["--output", "--remote-name", "--remote-name-all", "--output-dir", "--dump-header", "--cookie-jar"].map((n) => long(n)),
      ...["--trace", "--trace-ascii", "--libcurl", "--stderr", "--etag-save", "--hsts", "--alt-svc"].map((n) => long(n)),
    ),
  },
  {
    option: "-K",
    does: "reads more options, which may write or send any file, from a file",
    source: "curl(1) -K, --config",
    at: anyOf(short("K", CURL_WITH_VALUE), long("--config")),
  },
  {
    option: "-T",
    does: "sends a file of this machine",
    source: "curl(1) -T, --upload-file; -d @file, -F name=@file",
    at: anyOf(short("T", CURL_WITH_VALUE), long("--upload-file"), curlSendsFile),
  },
];

/** `-d @file`, `--data-binary @file`, `-F name=@file`, `--json @file`. */
function curlSendsFile(words: readonly string[]): number {
  for (let i = 1; i < words.length - 1; i++) {
    const word = words[i] ?? "";
    if (/^(-d|-F|--data.*|--json|--form.*)$/.test(word) && /(^|=)[@<]/.test(words[i + 1] ?? "")) return i;
    if (/^(-d|-F)[@<]|^-F[^=]*=[@<]|^--(data[a-z-]*|json|form[a-z-]*)=.*[@<]/.test(word)) return i;
  }
  return -1;
}

const WGET_WITH_VALUE = "OoaPieUTtwYQDAR";
const WGET: OptionRow[] = [
  {
    option: "-O",
    does: WRITES,
    source: "wget(1) -O, -o, -a, -P, --output-document, --output-file, --append-output, --directory-prefix",
    at: anyOf(
      ...["O", "o", "a", "P"].map((letter) => short(letter, WGET_WITH_VALUE)),
      ...["--output-document", "--output-file", "--append-output", "--directory-prefix"].map((n) => long(n, true)),
    ),
  },
  {
    option: "-i",
    does: "reads the addresses to fetch from a file",
    source: "wget(1) -i, --input-file",
    at: anyOf(short("i", WGET_WITH_VALUE), long("--input-file", true)),
  },
  {
    option: "--post-file",
    does: "sends a file of this machine",
    source: "wget(1) --post-file, --body-file",
    at: anyOf(long("--post-file", true), long("--body-file", true)),
  },
  {
    option: "-e",
    does: "runs settings commands, which can run programs (use_askpass)",
    source: "wget(1) -e, --execute; --use-askpass",
    at: anyOf(short("e", WGET_WITH_VALUE), long("--execute", true), long("--use-askpass", true)),
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

const SSH: OptionRow[] = [
  {
    option: "-o",
    does: "sets options such as ProxyCommand, which run programs",
    source: "ssh(1) -o; ssh_config(5) ProxyCommand, LocalCommand, KnownHostsCommand",
    at: short("o", "BbcDEeFIiJLlmOoPpQRSWw"),
  },
  {
    option: "-F",
    does: "reads options, which can run programs, from a file",
    source: "ssh(1) -F configfile",
    at: short("F", "BbcDEeIiJLlmOoPpQRSWw"),
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
