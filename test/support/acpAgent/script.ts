// What the scripted ACP agent (scriptedAgent.ts) plays, and what it writes down. Tether's host
// drives outside agents (Claude Code, Codex, Gemini CLI) over the Agent Client Protocol; its
// tests need an agent whose every move is chosen by the test, that runs as a real child process
// on the real wire, and that tells afterwards exactly what the host sent it. A script is plain
// JSON (it crosses a process boundary), so these are bare types, no zod; the `step` builders
// below keep the tests short.

import type {
  AgentCapabilities,
  AuthMethod,
  ContentBlock,
  EnvVariable,
  Implementation,
  PermissionOption,
  PermissionOptionKind,
  SessionConfigOption,
  SessionInfo,
  SessionModeState,
  SessionUpdate,
  StopReason,
  ToolCall,
  ToolCallUpdate,
} from "@agentclientprotocol/sdk";

/** The whole behaviour of one agent process. */
export interface AgentScript {
  /** What `initialize` answers. */
  initialize?: {
    /** Defaults to 1 (the stable protocol). */
    protocolVersion?: number;
    agentCapabilities?: AgentCapabilities;
    authMethods?: AuthMethod[];
    agentInfo?: Implementation;
  };
  /** `session/new` and `session/load` answer `auth_required` (-32000) until `authenticate` succeeds. */
  authRequired?: boolean;
  /** Ids `session/new` hands out, in order; past the list, `session-<n>`. */
  sessionIds?: string[];
  /** Every session's modes when it starts (`session/new`, `session/load`). */
  modes?: SessionModeState;
  /** Every session's config options when it starts. */
  configOptions?: SessionConfigOption[];
  /**
   * One turn per `session/prompt`, taken in order across the whole process (whatever the
   * session). A prompt past the last turn is answered with an internal error.
   */
  turns: Turn[];
  /** What `session/list` returns (filtered by `cwd` when the client gives one). */
  sessions?: SessionInfo[];
  /**
   * Earlier conversations `session/load` can replay, by session id: the updates sent, in order,
   * before the load is answered. A session created in this process replays its own turns.
   */
  history?: Record<string, SessionUpdate[]>;
}

/** The steps of one prompt turn, played in order; a turn without `stop` ends with `end_turn`. */
export type Turn = Step[];

export type Step =
  /** Sends one `session/update` (mode and config updates also change the session's state). */
  | { do: "update"; update: SessionUpdate }
  /** Asks `session/request_permission`; the answer is kept under `label` (default "permission"). */
  | { do: "permission"; toolCall: ToolCallUpdate; options: PermissionOption[]; label?: string }
  /** Plays `then` if the permission answer under `label` matches `when`, else `else`. */
  | { do: "branch"; label?: string; when: PermissionVerdict; then: Step[]; else?: Step[] }
  /** `fs/read_text_file`; with `echo`, the content read comes back as an agent message. */
  | { do: "read"; path: string; line?: number; limit?: number; echo?: boolean }
  /** `fs/write_text_file`. */
  | { do: "write"; path: string; content: string }
  /** `terminal/create`, then `calls` in order (default wait_for_exit, output, release). */
  | {
      do: "terminal";
      command: string;
      args?: string[];
      env?: EnvVariable[];
      cwd?: string;
      outputByteLimit?: number;
      calls?: TerminalCall[];
      /** Sends a tool_call_update with the terminal as content, right after create. */
      toolCallId?: string;
      /** Sends the output of the last `output` call as an agent message. */
      echo?: boolean;
    }
  /** Waits, cut short by `session/cancel`. */
  | { do: "wait"; ms: number }
  /** Waits for `session/cancel`; the turn then ends `cancelled`. */
  | { do: "wait-for-cancel" }
  /** Writes `stderr` lines, then exits with `code` (default 3) mid-turn. */
  | { do: "crash"; stderr?: string[]; code?: number }
  /** Never answers again, not even a cancel. */
  | { do: "hang" }
  /** Ends the turn now. */
  | { do: "stop"; reason: StopReason };

export type TerminalCall = "output" | "wait_for_exit" | "kill" | "release";

/** `allowed`/`rejected`: the chosen option's kind is allow_* / reject_*. */
export type PermissionVerdict = "allowed" | "rejected" | "cancelled" | { optionId: string };

/** One JSON line of the record file, in the order things happened. */
export type AgentRecord =
  /** A request the client sent, written before it is handled. */
  | { kind: "request"; method: string; params: unknown }
  /** What the agent answered to it. */
  | { kind: "reply"; method: string; result?: unknown; error?: RecordedError }
  /** A notification the client sent (`session/cancel`). */
  | { kind: "notification"; method: string; params: unknown }
  /** The client's answer to a request the agent sent it. */
  | { kind: "answer"; method: string; params: unknown; result?: unknown; error?: RecordedError }
  /** A permission answer as the script saw it (kind looked up from the options offered). */
  | { kind: "permission"; label: string; outcome: PermissionOutcome }
  /** A prompt turn's end. */
  | { kind: "turn"; index: number; sessionId: string; stopReason: StopReason };

export interface RecordedError {
  code: number;
  message: string;
  data?: unknown;
}

export type PermissionOutcome = { outcome: "cancelled" } | { outcome: "selected"; optionId: string; kind?: PermissionOptionKind };

/** The environment variables the agent reads its script path and record path from. */
export const SCRIPT_ENV = "TETHER_ACP_SCRIPT";
export const RECORD_ENV = "TETHER_ACP_RECORD";

/** The four usual choices, one of each kind. */
export const permissionOptions: PermissionOption[] = [
  { optionId: "allow-once", name: "Allow", kind: "allow_once" },
  { optionId: "allow-always", name: "Always allow", kind: "allow_always" },
  { optionId: "reject-once", name: "Reject", kind: "reject_once" },
  { optionId: "reject-always", name: "Always reject", kind: "reject_always" },
];

const text = (value: string): ContentBlock => ({ type: "text", text: value });

/** Builders for the common steps. */
export const step = {
  update: (update: SessionUpdate): Step => ({ do: "update", update }),
  say: (value: string): Step => step.update({ sessionUpdate: "agent_message_chunk", content: text(value) }),
  think: (value: string): Step => step.update({ sessionUpdate: "agent_thought_chunk", content: text(value) }),
  toolCall: (call: ToolCall): Step => step.update({ sessionUpdate: "tool_call", ...call }),
  toolUpdate: (call: ToolCallUpdate): Step => step.update({ sessionUpdate: "tool_call_update", ...call }),
  permission: (toolCall: ToolCallUpdate, options = permissionOptions, label?: string): Step => ({
    do: "permission",
    toolCall,
    options,
    ...(label === undefined ? {} : { label }),
  }),
  /** "If allowed, `then`; else `otherwise`": the usual gate around a tool. */
  ifAllowed: (then: Step[], otherwise: Step[] = [], label?: string): Step => ({
    do: "branch",
    when: "allowed",
    then,
    else: otherwise,
    ...(label === undefined ? {} : { label }),
  }),
  read: (path: string, options: { line?: number; limit?: number; echo?: boolean } = {}): Step => ({
    do: "read",
    path,
    ...options,
  }),
  write: (path: string, content: string): Step => ({ do: "write", path, content }),
  terminal: (
    command: string,
    args: string[] = [],
    options: Omit<Extract<Step, { do: "terminal" }>, "do" | "command" | "args"> = {},
  ): Step => ({
    do: "terminal",
    command,
    args,
    ...options,
  }),
  wait: (ms: number): Step => ({ do: "wait", ms }),
  waitForCancel: (): Step => ({ do: "wait-for-cancel" }),
  crash: (stderr: string[] = [], code?: number): Step => ({ do: "crash", stderr, ...(code === undefined ? {} : { code }) }),
  hang: (): Step => ({ do: "hang" }),
  stop: (reason: StopReason): Step => ({ do: "stop", reason }),
};

/** A user message and the agent's reply, as `session/load` replays them. */
export function exchange(user: string, agent: string): SessionUpdate[] {
  return [
    { sessionUpdate: "user_message_chunk", content: text(user) },
    { sessionUpdate: "agent_message_chunk", content: text(agent) },
  ];
}
