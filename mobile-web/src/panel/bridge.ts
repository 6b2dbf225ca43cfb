// The messages between the editor's thread panel (a webview running the phone's thread
// components) and the extension that hosts it. Thread events, live events, summaries and
// commands are the protocol's own schemas: the panel shows what a phone would be sent and
// sends what a phone would send. Each side parses what it receives with these schemas.
//
// Free of DOM and Node imports: the extension (esbuild) and the webview (Vite) both use it.

import { z } from "zod";
import {
  commandReplySchema,
  commandSchema,
  liveEventSchema,
  policyModeSchema,
  threadEventSchema,
  threadIdSchema,
  threadSummarySchema,
} from "../../../protocol/index";

export const numberedEventSchema = z.strictObject({ seq: z.number().int().min(1), event: threadEventSchema });

/** Streaming text by step and running commands' output by call id (`threads/live.ts`). */
export const liveStateSchema = z.strictObject({
  text: z.record(z.string(), z.string()),
  output: z.record(z.string(), z.string()),
  received: z.record(z.string(), z.number().int().min(0)).optional(),
});

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
    events: z.array(numberedEventSchema).min(1),
    summary: threadSummarySchema,
  }),
  /** Live events of the thread on screen, in order: text as it streams, command output. */
  z.strictObject({ type: z.literal("live"), threadId: threadIdSchema, events: z.array(liveEventSchema).min(1) }),
  /** The new-task form, with what the phone's form is given: the workspace, the default mode, the models. */
  z.strictObject({
    type: z.literal("new-task"),
    workspace: z.string(),
    mode: policyModeSchema,
    models: z.array(z.string()).optional(),
  }),
  /** The extension's answer to a `command`, with the host's words when it was refused. */
  z.strictObject({ type: z.literal("reply"), id: z.string(), reply: commandReplySchema }),
]);
export type ToPanel = z.infer<typeof toPanelSchema>;

/** Panel → extension. */
export const fromPanelSchema = z.discriminatedUnion("type", [
  /** The panel's script runs (first load, or shown again after VS Code discarded it): send the state. */
  z.strictObject({ type: z.literal("ready") }),
  /** A command as a phone would send it; answered by a `reply` with the same id. */
  z.strictObject({ type: z.literal("command"), id: z.string().min(1).max(64), command: commandSchema }),
  /** Show what the thread changed, as the editor's diff. */
  z.strictObject({ type: z.literal("show-changes") }),
]);
export type FromPanel = z.infer<typeof fromPanelSchema>;
