// The messages between the editor's thread panel (a webview running the phone's thread
// components) and the extension that hosts it. Thread events, live events, summaries and
// commands are the protocol's own schemas: the panel shows what a phone would be sent and
// sends what a phone would send. Each side parses what it receives with these schemas.
//
// Free of DOM and Node imports: the extension (esbuild) and the webview (Vite) both use it.

import { z } from "./zod";
import { agentIdSchema, agentInfoSchema } from "./agents";
import { liveStateSchema } from "./live";
import { threadIdSchema } from "./schemas";
import {
  MAX_PROMPT_CHARS,
  commandReplySchema,
  commandSchema,
  liveEventSchema,
  numberedEventSchema,
  policyModeSchema,
  threadSummarySchema,
} from "./thread";

/** Something from the editor put beside the task: a file, or lines of one (with their text). */
export const contextItemSchema = z.strictObject({
  /** Relative to the workspace folder, with forward slashes. */
  path: z.string().check(z.minLength(1), z.maxLength(1024)),
  /** 1-based, inclusive; both absent for the whole file. */
  startLine: z.optional(z.int().check(z.gte(1))),
  endLine: z.optional(z.int().check(z.gte(1))),
  /** The selected text; absent for a whole file (then it goes in as an @ mention). */
  text: z.optional(z.string().check(z.maxLength(MAX_PROMPT_CHARS))),
});
export type ContextItem = z.infer<typeof contextItemSchema>;

/** The agent a new task runs with, and its mode and model: what the form chose last in this workspace. */
export const taskAgentSchema = z.strictObject({
  agent: agentIdSchema,
  agentMode: z.optional(z.string().check(z.maxLength(200))),
  model: z.optional(z.string().check(z.maxLength(200))),
});
export type TaskAgent = z.infer<typeof taskAgentSchema>;

/** Extension → panel. */
export const toPanelSchema = z.discriminatedUnion("type", [
  /** The thread to show, whole: when the panel (re)loads, and when a task started from it begins. */
  z.strictObject({
    type: z.literal("thread"),
    summary: threadSummarySchema,
    events: z.array(numberedEventSchema),
    live: liveStateSchema,
  }),
  /** Durable events of the thread on screen, in order, with its summary after them. */
  z.strictObject({
    type: z.literal("events"),
    threadId: threadIdSchema,
    events: z.array(numberedEventSchema).check(z.minLength(1)),
    summary: threadSummarySchema,
  }),
  /** Live events of the thread on screen, in order: text as it streams, command output. */
  z.strictObject({ type: z.literal("live"), threadId: threadIdSchema, events: z.array(liveEventSchema).check(z.minLength(1)) }),
  /** The new-task form, with what the phone's form is given: the workspace, the default mode, the models. */
  z.strictObject({
    type: z.literal("new-task"),
    workspace: z.string(),
    mode: policyModeSchema,
    models: z.optional(z.array(z.string())),
    /** The agents the host runs (Tether's own first), with what each offers; absent: only Tether's own. */
    agents: z.optional(z.array(agentInfoSchema).check(z.maxLength(64))),
    /** The agent chosen to start with: the one chosen last here, else the host's default. */
    chosen: z.optional(taskAgentSchema),
    /**
     * The workspace is a git repository: the form offers "Run in its own worktree", checked when
     * `default` (the host's setting, or another task is running in the workspace).
     */
    worktrees: z.optional(z.strictObject({ default: z.boolean() })),
  }),
  /** The extension's answer to a `command`, with the host's words when it was refused. */
  z.strictObject({ type: z.literal("reply"), id: z.string(), reply: commandReplySchema }),
  /** The sidebar's list of this workspace's threads, newest first, to go back to one. */
  z.strictObject({ type: z.literal("recent"), threads: z.array(threadSummarySchema) }),
  /** The answer to `find-files`: workspace files (relative paths), as many as the editor's cap lets through. */
  z.strictObject({ type: z.literal("files"), id: z.string(), paths: z.array(z.string()) }),
  /** Put beside the task being written ("Ask Tether about this"), and the composer focused. */
  z.strictObject({ type: z.literal("context"), items: z.array(contextItemSchema) }),
  /** Focus the composer (the New Task keybinding). */
  z.strictObject({ type: z.literal("focus") }),
]);
export type ToPanel = z.infer<typeof toPanelSchema>;

/** Panel → extension. */
export const fromPanelSchema = z.discriminatedUnion("type", [
  /** The panel's script runs (first load, or shown again after VS Code discarded it): send the state. */
  z.strictObject({ type: z.literal("ready") }),
  /** A command as a phone would send it; answered by a `reply` with the same id. */
  z.strictObject({ type: z.literal("command"), id: z.string().check(z.minLength(1), z.maxLength(64)), command: commandSchema }),
  /** Show what the thread changed, as the editor's diff. */
  z.strictObject({ type: z.literal("show-changes") }),
  /** The thread's worktree: open its folder in a new window, or merge, keep or discard it. */
  z.strictObject({ type: z.literal("worktree"), action: z.enum(["open-folder", "end"]) }),
  /** The sidebar's workspace files for `@` completion; answered by `files` with the same id. */
  z.strictObject({ type: z.literal("find-files"), id: z.string().check(z.minLength(1), z.maxLength(64)) }),
  /** The sidebar shows this thread, or (null) the new-task composer. */
  z.strictObject({ type: z.literal("show-thread"), threadId: z.nullable(threadIdSchema) }),
  /** Open the sidebar's thread as an editor tab. */
  z.strictObject({ type: z.literal("open-tab") }),
]);
export type FromPanel = z.infer<typeof fromPanelSchema>;

/**
 * The `@path` mentions in `text`, each once, in order; punctuation that ends a sentence is not
 * part of one. The sidebar writes them and the extension expands them into the files' text
 * (extension/vscode/mentions.ts), so both read them by this one rule.
 */
export function mentionedPaths(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/(?:^|[\s([{"'`])@([^\s@]+)/g)) {
    const path = match[1]!.replace(/[.,;:!?)\]}"'`]+$/, "");
    if (path) found.add(path);
  }
  return [...found];
}
