// Which tool calls a hook's matcher takes. A matcher is a `|`-separated list of tool names or
// kinds; `*` or nothing takes every call. Claude Code's and Gemini CLI's tool names stand for the
// kind of call they are (`Bash` and `run_shell_command` for a command, `Edit`/`Write` and
// `write_file`/`replace` for an edit), so their hooks fire on the same calls here, whatever
// agent makes them. An alternative that is none of these is a regular expression on the name,
// as their matchers are.

/** A tool call as hooks see it. */
export interface MatchedCall {
  /** The tool's name as the model or agent called it. */
  tool: string;
  /** `command`, `edit`, `read`, or an outside agent's own kind (`fetch`, `search`, …). */
  kind: string;
}

const KIND_NAMES: Record<string, string> = {
  bash: "command",
  run_shell_command: "command",
  edit: "edit",
  write: "edit",
  multiedit: "edit",
  notebookedit: "edit",
  write_file: "edit",
  replace: "edit",
  read: "read",
  read_file: "read",
};

export function matches(matcher: string | undefined, call: MatchedCall): boolean {
  if (matcher === undefined || matcher.trim() === "" || matcher.trim() === "*") return true;
  const tool = call.tool.toLowerCase();
  const kind = call.kind.toLowerCase();
  return matcher.split("|").some((raw) => {
    const alt = raw.trim().toLowerCase();
    if (alt === "") return false;
    if (alt === "*" || alt === tool || alt === kind) return true;
    const aliased = KIND_NAMES[alt];
    if (aliased !== undefined) return aliased === kind;
    try {
      return new RegExp(`^(?:${raw.trim()})$`, "i").test(call.tool);
    } catch {
      return false;
    }
  });
}
