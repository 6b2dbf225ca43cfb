// The command line in an outside agent's tool input, for the gate to parse: Claude Code's `Bash`
// and Gemini CLI's `run_shell_command` give `command` as a string, Codex's `exec_command` gives
// `cmd`, as a string or as argv (often `bash -lc "<script>"`). A call of kind `execute` whose
// input has none of these is not read as a command; the gate then asks a person about it whole.

const SHELLS = new Set(["bash", "sh", "zsh", "dash", "/bin/bash", "/bin/sh", "/bin/zsh", "/usr/bin/bash"]);

export function toolCommand(input: unknown, kind: string | undefined): string | undefined {
  if (!input || typeof input !== "object" || Array.isArray(input)) return undefined;
  const fields = input as Record<string, unknown>;
  for (const key of ["command", "cmd"]) {
    const value = fields[key];
    if (typeof value === "string" && value.trim()) return value;
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) return fromArgv(value as string[]);
  }
  if (kind === "execute") {
    const args = fields.args ?? fields.argv;
    if (Array.isArray(args) && args.length > 0 && args.every((v) => typeof v === "string")) return fromArgv(args as string[]);
  }
  return undefined;
}

/** argv as the shell line that runs it: a shell's `-c`/`-lc` script is the line itself. */
function fromArgv(argv: string[]): string {
  if (argv.length === 3 && SHELLS.has(argv[0]!) && /^-l?c$/.test(argv[1]!)) return argv[2]!;
  return argv.map(quote).join(" ");
}

/** One word for a POSIX shell line: as it is when plain, else single-quoted. */
export function quote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
