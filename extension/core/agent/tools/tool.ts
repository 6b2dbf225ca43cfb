// The tool contract. Tools do the work; the agent loop decides whether they may: it asks the
// policy about every edit and command, asks a person when the policy says so, saves a
// checkpoint before the first edit, and publishes each step as a thread event.

import type { z } from "zod";
import type { ToolSpec } from "../model/port";
import type { AgentWorkspace } from "./workspace";

/**
 * `read`: runs without asking (list_dir, read_file, search).
 * `edit`: `plan` computes the change, the agent checks policy and applies it (write_file, edit_file).
 * `command`: the agent checks policy on the command line, then calls `run` (run_command).
 * `ask`: a question for the person (ask_user). `finish`: the run's summary (finish).
 */
export type ToolKind = "read" | "edit" | "command" | "ask" | "finish";

export interface ToolContext {
  workspace: AgentWorkspace;
  /** Aborted when the run is stopped: end at once, kill what was started. */
  signal: AbortSignal;
  /** Live output (a command's stdout and stderr, in order); ephemeral, for the phone's terminal view. */
  onOutput: (chunk: string) => void;
  /** The thread the call belongs to. */
  threadId?: string;
}

export interface ToolOutput {
  ok: boolean;
  /** What the model is given back: already capped. */
  output: string;
  /** A note of what was cut, e.g. "output cut to the last 200 lines of 5,312 (1.2 MB)". */
  truncated?: string;
  exitCode?: number | null;
}

/** A change to one file, computed before anyone decides whether it may happen. */
export interface FileEdit {
  /** Workspace-relative, `/`-separated. */
  path: string;
  /** Current content, or null when the file does not exist yet. */
  before: string | null;
  /** New content, or null to delete the file. */
  after: string | null;
}

export interface Tool<A = unknown> {
  spec: ToolSpec;
  kind: ToolKind;
  /** Parses the model's arguments; a failure goes back to the model as a tool error. */
  args: z.ZodType<A>;
  /** One line for a list row: `npm test`, `src/app.ts`, `"TODO" in src`. */
  title(args: A): string;
  /** For `command`: the command line and working directory (workspace-relative) to check. */
  command?(args: A): { command: string; cwd: string; timeoutMs?: number };
  /** For `edit`: what would change. Throws a `TetherError` with a helpful message when it cannot. */
  plan?(args: A, ctx: ToolContext): Promise<FileEdit>;
  /** For `read` and `command`: does the work. For `ask` and `finish` the agent handles it. */
  run?(args: A, ctx: ToolContext): Promise<ToolOutput>;
  /** The agent's stated reason, when the tool takes one (shown on approval cards). */
  reason?(args: A): string | undefined;
}
