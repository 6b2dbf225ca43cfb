// run_command: a shell command in the workspace. The phone sees its output live, colours and
// all; the model gets the end of it, plain, with how it ended.

import { z } from "zod";
import { normalizeRelative } from "../../mirror/mirror";
import { capText } from "./cap";
import { defineTool, oneLine } from "./define";
import { formatBytes, formatCount, utf8Length } from "./format";
import type { RunResult } from "./ports";

export const DEFAULT_TIMEOUT_SEC = 600;
export const MAX_TIMEOUT_SEC = 3600;
const MAX_LINES = 400;
const MAX_CHARS = 30_000;

const args = z.object({
  command: z.string().trim().min(1).describe("The command line, run by /bin/sh (cmd.exe on Windows)."),
  cwd: z.string().optional().describe("Folder to run it in, relative to the workspace root. Default: the root."),
  timeoutSec: z
    .number()
    .positive()
    .max(MAX_TIMEOUT_SEC)
    .optional()
    .describe(
      `Seconds before the command and everything it started are killed. Default ${DEFAULT_TIMEOUT_SEC}, at most ${MAX_TIMEOUT_SEC}.`,
    ),
  reason: z
    .string()
    .optional()
    .describe("One short sentence on why, shown to the user when they are asked to approve the command."),
});

type Args = z.infer<typeof args>;

function commandOf(a: Args): { command: string; cwd: string; timeoutMs: number } {
  return { command: a.command, cwd: cwdOf(a), timeoutMs: Math.round((a.timeoutSec ?? DEFAULT_TIMEOUT_SEC) * 1000) };
}

/** The working directory as the person approving it reads it: `.` for the root. */
function cwdOf(a: Args): string {
  try {
    return normalizeRelative(a.cwd ?? "") || ".";
  } catch {
    // Left as given; resolving it refuses it with the reason.
    return a.cwd ?? ".";
  }
}

export const runCommandTool = defineTool<Args>({
  name: "run_command",
  kind: "command",
  description:
    "Run a shell command in the workspace (tests, builds, linters, git, package managers) and get its exit code and output " +
    `(stdout and stderr together; the last ${MAX_LINES} lines or ${formatBytes(MAX_CHARS)} when longer). ` +
    "The shell is not interactive: nothing can be typed in, so pass flags such as --yes, and never start servers or " +
    `watchers that do not exit. Commands are killed after timeoutSec (default ${DEFAULT_TIMEOUT_SEC} s). ` +
    "Prefer read_file, search and list_dir for looking at files, and edit_file for changing them.",
  args,
  title: (a) => oneLine(a.command, 120),
  reason: (a) => a.reason,
  command: commandOf,
  async run(a, ctx) {
    const { command, cwd, timeoutMs } = commandOf(a);
    const result = await ctx.workspace.runCommand({
      command,
      cwd,
      timeoutMs,
      signal: ctx.signal,
      onOutput: ctx.onOutput,
      ...(ctx.threadId ? { threadId: ctx.threadId } : {}),
    });
    const plain = plainText(result.output).trimEnd();
    const capped = capText(plain, { maxChars: MAX_CHARS, maxLines: MAX_LINES, keep: "tail" });
    // The runner keeps about 1 MB; past that only the total size is known.
    const runnerCut = result.outputBytes > utf8Length(result.output);
    const truncated = runnerCut
      ? `output cut to the last ${formatCount(capped.keptLines)} lines (${formatBytes(result.outputBytes)} in all)`
      : capped.truncated;
    const body = capped.text || "(no output)";
    return {
      ok: result.exitCode === 0 && !result.timedOut && !result.stopped,
      output: `${body}\n\n${ending(result, timeoutMs)}`,
      exitCode: result.exitCode,
      ...(truncated ? { truncated } : {}),
    };
  },
});

function ending(result: RunResult, timeoutMs: number): string {
  const took = `after ${seconds(result.durationMs)}`;
  if (result.stopped) return `stopped by the user ${took}; the command and everything it started were killed`;
  if (result.timedOut) return `timed out after ${seconds(timeoutMs)}; the command and everything it started were killed`;
  if (result.exitCode !== null) return `exit code ${result.exitCode} (${took.slice(6)})`;
  if (result.signal) return `killed by ${result.signal} ${took}`;
  return "the command could not be started";
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${formatCount(Math.round(ms / 1000))} s`;
}

/**
 * Output as a terminal would leave it, without colour codes: escape sequences are dropped and a
 * line redrawn with carriage returns (progress bars) keeps only its last state.
 */
export function plainText(output: string): string {
  return output
    .replace(ANSI_ESCAPE, "")
    .split("\n")
    .map((line) => {
      const body = line.endsWith("\r") ? line.slice(0, -1) : line;
      const at = body.lastIndexOf("\r");
      return at < 0 ? body : body.slice(at + 1);
    })
    .join("\n");
}

/** CSI sequences (colours, cursor moves), OSC sequences (titles, links) and two-character escapes. */
// eslint-disable-next-line no-control-regex -- escape sequences are made of control characters
const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
