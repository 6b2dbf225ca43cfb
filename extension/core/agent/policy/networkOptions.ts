// The argument tables (programs.ts) of programs that fetch, send or run packages and
// containers: npm and its kin, docker, curl, wget, ssh. Same rows: the option, what it does,
// and where that is documented.

import { anyOf, exact, long, short, subcommand, WRITES, type OptionRow } from "./options";

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
export const NPM: OptionRow[] = [
  { option: "exec", does: NPM_RUNS_PACKAGE, source: "npm-exec(1): npm exec, npm x", at: subcommand(["exec", "x"]) },
  ...NPM_ELSEWHERE,
];
export const NPX: OptionRow[] = [
  {
    option: "PACKAGE",
    does: NPM_RUNS_PACKAGE,
    source: "npx(1): npx runs `npm exec`",
    at: (words) => (words.length > 1 ? 1 : -1),
  },
];
export const PNPM: OptionRow[] = [
  { option: "dlx", does: NPM_RUNS_PACKAGE, source: "pnpm docs: pnpm dlx, pnpm exec", at: subcommand(["dlx", "exec"]) },
  {
    option: "--dir",
    does: "runs the scripts of another folder",
    source: "pnpm docs: -C, --dir",
    at: anyOf(long("--dir"), exact("-C")),
  },
];
export const YARN: OptionRow[] = [
  { option: "dlx", does: NPM_RUNS_PACKAGE, source: "yarn docs: yarn dlx, yarn exec", at: subcommand(["dlx", "exec"]) },
  { option: "--cwd", does: "runs the scripts of another folder", source: "yarn docs: --cwd", at: long("--cwd") },
];

export const DOCKER: OptionRow[] = [
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

const CURL_WITH_VALUE = "oODcKTdFHuXwAbeErxYz";
export const CURL: OptionRow[] = [
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
export const WGET: OptionRow[] = [
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

export const SSH: OptionRow[] = [
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
