// What travels inside thread boxes: the durable events of an agent thread, the ephemeral
// live stream, the thread summary record, and the commands a phone sends its host. Only the
// host and its paired phones ever see these; both parse them with these schemas after opening.

import { z } from "./zod";
import {
  agentChoiceSchema,
  agentCommandSchema,
  agentIdSchema,
  agentOptionSchema,
  agentPermissionOptionSchema,
  planEntrySchema,
  toolLocationSchema,
} from "./agents";
import { ErrorCode } from "./errors";
import { gitActionSchema, gitCommandSchemas, worktreeStateSchema } from "./git";
import { idSchema, threadIdSchema } from "./schemas";

/** How much the agent may do without asking. */
export const policyModeSchema = z.enum(["read-only", "ask", "auto-edit", "full-auto"]);
export type PolicyMode = z.infer<typeof policyModeSchema>;

/** Modes from least to most the agent may do on its own. */
export const MODE_ORDER: readonly PolicyMode[] = policyModeSchema.options;

/**
 * Whether a task may run in `mode` on a host whose configured mode is `ceiling`: the host's
 * mode is the most any phone (or the editor's panel) may ask for, never raised by a command.
 */
export function modeWithin(mode: PolicyMode, ceiling: PolicyMode): boolean {
  return MODE_ORDER.indexOf(mode) <= MODE_ORDER.indexOf(ceiling);
}

export const threadStatusSchema = z.enum([
  "queued",
  "running",
  "awaiting-approval",
  "awaiting-answer",
  "done",
  "failed",
  "stopped",
]);
export type ThreadStatus = z.infer<typeof threadStatusSchema>;

/** Statuses after which a thread does nothing until it is given a new message. */
export const ENDED_STATUSES: readonly ThreadStatus[] = ["done", "failed", "stopped"];

/** A device as people know it: who sent a task, who decided an approval. */
export const deviceRefSchema = z.strictObject({
  id: z.string().check(z.maxLength(64)),
  name: z.string().check(z.maxLength(120)),
});
export type DeviceRef = z.infer<typeof deviceRefSchema>;

/**
 * `approve-always`: this command (or every edit) for the rest of the thread. `approve-on-computer`:
 * the request's `computerRule` becomes an allow rule of the host's, for every thread from now on;
 * the host refuses it for a request that offered none.
 */
export const decisionSchema = z.enum(["approve", "approve-always", "deny", "stop", "approve-on-computer"]);
export type Decision = z.infer<typeof decisionSchema>;

/** Largest file a phone may attach to a task (photos are scaled down to fit). */
export const MAX_ATTACHMENT_BYTES = 1024 * 1024;
/** Most attachments on one task. */
export const MAX_ATTACHMENTS = 8;

/**
 * The line a host puts under a task's text before the list of its attached files, one
 * `- path (size)` or `- name: why it is missing` a line; a retry reads the names back from it.
 */
export const ATTACHED_FILES_HEADING = "Attached files (in the workspace):";

/** Largest text a phone may send as a task, message or answer. */
export const MAX_PROMPT_CHARS = 32_000;
const prompt = z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_PROMPT_CHARS));

/** Longest "why it asks" line an approval request carries. */
export const MAX_WHY_CHARS = 500;

// --- durable events ------------------------------------------------------------------------

const at = { at: z.number() };

export const threadEventSchema = z.discriminatedUnion("type", [
  /** Always event 1: what was asked, where, and how much the agent may do. */
  z.strictObject({
    ...at,
    type: z.literal("task"),
    text: z.string(),
    title: z.string(),
    workspace: z.string(),
    mode: policyModeSchema,
    model: z.string(),
    by: deviceRefSchema,
    /** The agent that runs it, when it is not Tether's own: its id on the host and its name. */
    agent: z.optional(z.strictObject({ id: agentIdSchema, name: z.string().check(z.maxLength(80)) })),
    /** The agent's own mode the task started in (an outside agent's `default`, `plan`, …). */
    agentMode: z.optional(z.string().check(z.maxLength(200))),
  }),
  /** A steering message, or the next instruction after a run ended. */
  z.strictObject({ ...at, type: z.literal("user-message"), text: z.string(), by: deviceRefSchema }),
  /** One step's text, whole, once the step ended (its tokens streamed live before). */
  z.strictObject({ ...at, type: z.literal("assistant-text"), text: z.string() }),
  /** An outside agent's reasoning in one step, whole, once the step ended (streamed live before). */
  z.strictObject({ ...at, type: z.literal("thought"), text: z.string() }),
  z.strictObject({
    ...at,
    type: z.literal("tool-call"),
    callId: z.string(),
    tool: z.string(),
    args: z.record(z.string(), z.unknown()),
    /** One line for a list row: `npm test`, `src/app.ts`, `"TODO" in src`. */
    title: z.string(),
    /** An outside agent's kind of tool: `read`, `edit`, `execute`, `search`, `fetch`, `think`, … */
    kind: z.optional(z.string().check(z.maxLength(40))),
    /** Files it acts on (workspace-relative when inside), for a tap to open them. */
    locations: z.optional(z.array(toolLocationSchema).check(z.maxLength(50))),
  }),
  /** An outside agent changed what it says of a tool call that has not ended: its title, its files. */
  z.strictObject({
    ...at,
    type: z.literal("tool-update"),
    callId: z.string(),
    title: z.optional(z.string()),
    kind: z.optional(z.string().check(z.maxLength(40))),
    locations: z.optional(z.array(toolLocationSchema).check(z.maxLength(50))),
  }),
  z.strictObject({
    ...at,
    type: z.literal("tool-result"),
    callId: z.string(),
    tool: z.string(),
    ok: z.boolean(),
    /** What the model was given, already capped. */
    output: z.string(),
    /** A note of what was cut, when something was. */
    truncated: z.optional(z.string()),
    exitCode: z.optional(z.nullable(z.int())),
    durationMs: z.optional(z.number()),
    /** Diffs an outside agent showed with the result (its own edits), drawn like a file change. */
    diffs: z.optional(
      z.array(z.strictObject({ path: z.string(), diff: z.string(), added: z.int(), removed: z.int() })).check(z.maxLength(50)),
    ),
  }),
  z.strictObject({
    ...at,
    type: z.literal("approval-requested"),
    approvalId: z.string(),
    callId: z.string(),
    tool: z.string(),
    kind: z.enum(["command", "edit"]),
    /** For a command: the command line and its working directory (workspace-relative, "." = root). */
    command: z.optional(z.string()),
    cwd: z.optional(z.string()),
    /** For an edit: the file and the unified diff. */
    path: z.optional(z.string()),
    diff: z.optional(z.string()),
    /** Why the agent wants to do it, in its words. */
    reason: z.string(),
    /** The policy rule that asked, e.g. `mode ask: commands ask`, `redirect outside the workspace`. */
    rule: z.string(),
    /** Why the gate asks, in plain words: "`find -exec` runs a program". Absent from older hosts. */
    why: z.optional(z.string().check(z.maxLength(MAX_WHY_CHARS))),
    /**
     * The allow rule "Always on this computer" would add (`npm test`), worked out by the host
     * from the parsed command. Absent when the host offers no such choice for this request.
     */
    computerRule: z.optional(z.string().check(z.maxLength(200))),
    /**
     * An outside agent's own choices for this request, by kind; a decision picks the one of its
     * kind (or `optionId` names one). Absent for Tether's own agent.
     */
    options: z.optional(z.array(agentPermissionOptionSchema).check(z.maxLength(8))),
  }),
  z.strictObject({
    ...at,
    type: z.literal("approval-resolved"),
    approvalId: z.string(),
    decision: decisionSchema,
    message: z.optional(z.string()),
    by: deviceRefSchema,
    /** The outside agent's option the decision chose. */
    optionId: z.optional(z.string().check(z.maxLength(200))),
  }),
  z.strictObject({ ...at, type: z.literal("question"), questionId: z.string(), text: z.string() }),
  z.strictObject({ ...at, type: z.literal("answer"), questionId: z.string(), text: z.string(), by: deviceRefSchema }),
  z.strictObject({
    ...at,
    type: z.literal("file-change"),
    path: z.string(),
    change: z.enum(["created", "modified", "deleted"]),
    /** Unified diff (`--- a/… +++ b/…`), cut at a size limit. */
    diff: z.string(),
    added: z.int(),
    removed: z.int(),
    truncated: z.boolean(),
  }),
  z.strictObject({ ...at, type: z.literal("status"), status: threadStatusSchema, detail: z.optional(z.string()) }),
  /** The model call failed and will be tried again. */
  z.strictObject({ ...at, type: z.literal("retry"), attempt: z.int(), inMs: z.number(), message: z.string() }),
  z.strictObject({ ...at, type: z.literal("summary"), text: z.string() }),
  z.strictObject({ ...at, type: z.literal("error"), message: z.string() }),
  /** An outside agent's plan, whole: it replaces the one before. */
  z.strictObject({ ...at, type: z.literal("plan"), entries: z.array(planEntrySchema).check(z.maxLength(200)) }),
  /**
   * An outside agent's session as it changed: its mode and the modes Tether lets it switch to,
   * its config options (the model), its slash commands. A field absent is unchanged.
   */
  z.strictObject({
    ...at,
    type: z.literal("agent-state"),
    mode: z.optional(z.string().check(z.maxLength(200))),
    modes: z.optional(z.array(agentChoiceSchema).check(z.maxLength(40))),
    options: z.optional(z.array(agentOptionSchema).check(z.maxLength(40))),
    commands: z.optional(z.array(agentCommandSchema).check(z.maxLength(200))),
  }),
  /** What the agent's session has used: tokens in its context, the context's size, the cost. */
  z.strictObject({
    ...at,
    type: z.literal("usage"),
    used: z.int().check(z.gte(0)),
    size: z.int().check(z.gte(0)),
    cost: z.optional(z.strictObject({ amount: z.number(), currency: z.string().check(z.maxLength(8)) })),
  }),
  /**
   * Something a person did with git from a phone or the editor (stage, commit, push, a pull
   * request, the end of a worktree), or the host made the task's worktree: who, and what came of it.
   */
  z.strictObject({
    ...at,
    type: z.literal("git"),
    action: gitActionSchema,
    ok: z.boolean(),
    by: deviceRefSchema,
    /** In words: "Committed 3 files as 1a2b3c4: Add rate limiting", or git's own error text. */
    text: z.string().check(z.maxLength(8_000)),
    /** The thread's branch, for `worktree` (and the branch acted on otherwise). */
    branch: z.optional(z.string().check(z.maxLength(250))),
    /** The branch the worktree came from (`worktree`, `merge`). */
    baseBranch: z.optional(z.string().check(z.maxLength(250))),
    /** The branch point (`worktree`), or the new commit (`commit`, `merge`). */
    commit: z.optional(z.string().check(z.maxLength(64))),
    /** Files concerned: staged, committed, conflicting. */
    files: z.optional(z.array(z.string()).check(z.maxLength(200))),
    /** A pull request's link. */
    url: z.optional(z.string().check(z.maxLength(2_000))),
  }),
  z.strictObject({
    ...at,
    type: z.literal("reverted"),
    /** Files put back as they were before the thread changed them. */
    files: z.array(z.string()),
    /** Files left alone because someone changed them after the agent did. */
    skipped: z.optional(z.array(z.string())),
    by: deviceRefSchema,
  }),
]);
export type ThreadEvent = z.infer<typeof threadEventSchema>;

/** A thread event with its number in the thread, as a host keeps it and a phone or panel receives it. */
export const numberedEventSchema = z.strictObject({ seq: z.int().check(z.gte(1)), event: threadEventSchema });
export type NumberedEvent = z.infer<typeof numberedEventSchema>;
export type ThreadEventType = ThreadEvent["type"];
/** An event before the host stamped its time. */
export type NewThreadEvent = ThreadEvent extends infer E ? (E extends ThreadEvent ? Omit<E, "at"> : never) : never;

// --- live (ephemeral) events ------------------------------------------------------------------

/** Fanned out to phones that are connected, never stored; the durable event follows. */
export const liveEventSchema = z.discriminatedUnion("type", [
  /**
   * Streaming text of the step in progress. `step` counts model calls in the thread. `thought`:
   * an outside agent's reasoning, which lands as a `thought` event.
   */
  z.strictObject({ type: z.literal("text"), step: z.int(), delta: z.string(), thought: z.optional(z.literal(true)) }),
  /** Output of a running command, in order. */
  z.strictObject({ type: z.literal("output"), callId: z.string(), chunk: z.string() }),
]);
export type LiveEvent = z.infer<typeof liveEventSchema>;

// --- thread summary (latest-wins record `t-<threadId>`) -------------------------------------------

export const threadSummarySchema = z.strictObject({
  threadId: threadIdSchema,
  title: z.string(),
  workspace: z.string(),
  status: threadStatusSchema,
  /** Approvals waiting for a decision, oldest first, so a list can show the card. */
  pending: z.array(z.strictObject({ approvalId: z.string(), title: z.string() })),
  question: z.optional(z.string()),
  /**
   * A revert put back the thread's changes and it changed nothing since. Sent only when true;
   * absent from older hosts, whose phones then say nothing about it in the list.
   */
  reverted: z.optional(z.literal(true)),
  /** Sequence number of the thread's newest durable event. */
  lastSeq: z.int().check(z.gte(0)),
  createdAt: z.number(),
  updatedAt: z.number(),
  model: z.string(),
  mode: policyModeSchema,
  /** The outside agent that runs the thread, by name; absent for Tether's own. */
  agent: z.optional(z.string().check(z.maxLength(80))),
  /** The thread's own branch, when it runs in a worktree of its own. */
  branch: z.optional(z.string().check(z.maxLength(250))),
  /** Where that worktree stands: open, or merged, kept or discarded when the task was done. */
  worktree: z.optional(worktreeStateSchema),
});
export type ThreadSummary = z.infer<typeof threadSummarySchema>;

export const THREAD_RECORD_PREFIX = "t-";
export const threadRecordKey = (threadId: string): string => `${THREAD_RECORD_PREFIX}${threadId}`;

// --- commands (phone → host) -------------------------------------------------------------------

export const commandSchema = z.discriminatedUnion("type", [
  /** Starts a thread. The phone picks the id so it can show the task as queued at once. */
  z.strictObject({
    type: z.literal("new-task"),
    threadId: threadIdSchema.check(z.minLength(8)),
    text: prompt,
    mode: z.optional(policyModeSchema),
    model: z.optional(z.string().check(z.maxLength(200))),
    /** Names of files sent before with `attach` for this thread id. */
    attachments: z.optional(z.array(z.string().check(z.maxLength(120))).check(z.maxLength(MAX_ATTACHMENTS))),
    /**
     * The task this one tries again: an attachment not sent anew is taken from that thread's,
     * when the host still has it. Ignored by older hosts.
     */
    retryOf: z.optional(threadIdSchema.check(z.minLength(8))),
    /** The agent to run it with, by its id on the host; absent: the host's default agent. */
    agent: z.optional(agentIdSchema),
    /** The agent's own mode to start in, among those the host offers for it. */
    agentMode: z.optional(z.string().check(z.maxLength(200))),
    /**
     * An outside agent's session to continue (one `agent-sessions` listed, started on the
     * computer): its history becomes the thread's, then `text` is sent in it.
     */
    agentSession: z.optional(z.string().check(z.maxLength(200))),
    /**
     * Run it in a worktree of its own on a new `tether/<title>` branch (true), or in the
     * workspace (false). Absent: the host's setting, and a worktree whenever another task is
     * running in the workspace. Refused for a workspace that is not a git repository.
     */
    worktree: z.optional(z.boolean()),
  }),
  /** A file for a task about to be sent: the host writes it under `.tether/attachments/<threadId>/`. */
  z.strictObject({
    type: z.literal("attach"),
    threadId: threadIdSchema.check(z.minLength(8)),
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(120)),
    mime: z.string().check(z.maxLength(100)),
    /** The file's bytes, base64url. */
    data: z.string().check(z.regex(/^[A-Za-z0-9_-]*$/), z.maxLength(Math.ceil((MAX_ATTACHMENT_BYTES * 4) / 3) + 4)),
  }),
  /** Steers a running thread, or continues an ended one. */
  z.strictObject({ type: z.literal("message"), threadId: threadIdSchema, text: prompt }),
  z.strictObject({
    type: z.literal("decide"),
    threadId: threadIdSchema,
    approvalId: z.string().check(z.maxLength(64)),
    decision: decisionSchema,
    message: z.optional(z.string().check(z.maxLength(MAX_PROMPT_CHARS))),
    /** One of the outside agent's options on the request, of the decision's kind. */
    optionId: z.optional(z.string().check(z.maxLength(200))),
  }),
  z.strictObject({
    type: z.literal("answer"),
    threadId: threadIdSchema,
    questionId: z.string().check(z.maxLength(64)),
    text: prompt,
  }),
  z.strictObject({ type: z.literal("stop"), threadId: threadIdSchema }),
  z.strictObject({ type: z.literal("revert"), threadId: threadIdSchema }),
  /** Switches an outside agent's mode while its thread is open, within the host's ceiling. */
  z.strictObject({ type: z.literal("agent-mode"), threadId: threadIdSchema, mode: z.string().check(z.maxLength(200)) }),
  /** Sets one of an outside agent's config options (its model, its reasoning effort). */
  z.strictObject({
    type: z.literal("agent-option"),
    threadId: threadIdSchema,
    option: z.string().check(z.maxLength(200)),
    value: z.string().check(z.maxLength(200)),
  }),
  /** Trusts the workspace's project hooks file, if it still has the content the person saw (protocol/hooks.ts). */
  // The hash is hex; the host compares it with its own, so an id's shape is check enough here.
  z.strictObject({ type: z.literal("hooks-trust"), hash: idSchema }),
  ...gitCommandSchemas,
]);
export type Command = z.infer<typeof commandSchema>;

/**
 * What a phone seals: the command and when the phone made it (epoch milliseconds, the
 * phone's clock). Inside the box, so a relay can neither change the time nor replay an old
 * command once its id has left the host's memory: the host refuses one past its window.
 */
export const sealedCommandSchema = z.strictObject({
  sentAt: z.int().check(z.gte(0)),
  command: commandSchema,
});
export type SealedCommand = z.infer<typeof sealedCommandSchema>;

const errorCodeSchema = z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]);

/** The host's sealed answer to a command. */
export const commandReplySchema = z.union([
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), code: errorCodeSchema, message: z.string() }),
]);
export type CommandReply = z.infer<typeof commandReplySchema>;
