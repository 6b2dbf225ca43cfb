// The agents a host can run a task with: Tether's own, and outside agents that speak the Agent
// Client Protocol (Claude Code, Codex, Gemini CLI, …). What a host tells its phones about each,
// and the pieces of an outside agent's session a thread records: its plan, its modes and
// options, its slash commands, its usage. Sealed like everything else: the relay never learns
// which agent a host runs.

import { z } from "./zod";

/** The built-in agent's id: Tether's own model loop. */
export const BUILTIN_AGENT = "tether";

/**
 * Who said the person's words in a history taken over from an agent's session that was started on
 * the computer (`user-message.by`): not a paired device, the computer itself.
 */
export const AGENT_HISTORY_DEVICE = { id: "agent-history", name: "on the computer" } as const;

/** An agent's id on a host: `claude`, `codex`, `my-agent`. */
export const agentIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(40),
    z.regex(/^[a-z0-9][a-z0-9._-]*$/, "an agent name is lower-case letters, digits, dots, dashes and underscores"),
  );

/** One choice of a mode or a config option, as the agent names it. */
export const agentChoiceSchema = z.strictObject({
  id: z.string().check(z.maxLength(200)),
  name: z.string().check(z.maxLength(200)),
  description: z.optional(z.string().check(z.maxLength(500))),
});
export type AgentChoice = z.infer<typeof agentChoiceSchema>;

/** A session config option with a list of values (ACP `select`): the model, the reasoning effort. */
export const agentOptionSchema = z.strictObject({
  id: z.string().check(z.maxLength(200)),
  name: z.string().check(z.maxLength(200)),
  /** `model`, `mode`, `thought_level`, or the agent's own. */
  category: z.optional(z.string().check(z.maxLength(80))),
  value: z.string().check(z.maxLength(200)),
  values: z.array(agentChoiceSchema).check(z.maxLength(200)),
});
export type AgentOption = z.infer<typeof agentOptionSchema>;

/** What a host says about one agent it can run. */
export const agentInfoSchema = z.strictObject({
  id: agentIdSchema,
  /** As people know it: "Claude Code". */
  name: z.string().check(z.maxLength(80)),
  /** The command is on this computer (always true for the built-in agent). */
  installed: z.boolean(),
  /** What to run on the computer to install it, when it is not. */
  install: z.optional(z.string().check(z.maxLength(300))),
  /**
   * What the agent answered the last time it was started: it needs a login, and how to give it
   * one ("run `claude` once on work-laptop and log in").
   */
  login: z.optional(z.string().check(z.maxLength(500))),
  /** The agent's own modes Tether lets a task choose under the host's ceiling, once a session showed them. */
  modes: z.optional(z.array(agentChoiceSchema).check(z.maxLength(40))),
  /** Its models, once a session showed them. */
  models: z.optional(z.array(agentChoiceSchema).check(z.maxLength(200))),
});
export type AgentInfo = z.infer<typeof agentInfoSchema>;

/** One entry of an agent's plan (its todo list). */
export const planEntrySchema = z.strictObject({
  content: z.string().check(z.maxLength(2000)),
  status: z.enum(["pending", "in_progress", "completed"]),
  priority: z.optional(z.enum(["high", "medium", "low"])),
});
export type PlanEntry = z.infer<typeof planEntrySchema>;

/** A slash command the agent offers (`/review`), as the composer suggests it. */
export const agentCommandSchema = z.strictObject({
  name: z.string().check(z.maxLength(120)),
  description: z.string().check(z.maxLength(500)),
  /** What to type after it, when it takes input. */
  hint: z.optional(z.string().check(z.maxLength(200))),
});
export type AgentCommand = z.infer<typeof agentCommandSchema>;

/** One of the choices an agent offers on a permission request, kept by kind so none is picked by position. */
export const agentPermissionOptionSchema = z.strictObject({
  optionId: z.string().check(z.maxLength(200)),
  name: z.string().check(z.maxLength(200)),
  kind: z.enum(["allow_once", "allow_always", "reject_once", "reject_always"]),
});
export type AgentPermissionOption = z.infer<typeof agentPermissionOptionSchema>;

/** Where a tool call acts: a file, and a line in it. Workspace-relative when inside it. */
export const toolLocationSchema = z.strictObject({
  path: z.string().check(z.maxLength(1000)),
  line: z.optional(z.int().check(z.gte(0))),
});
export type ToolLocation = z.infer<typeof toolLocationSchema>;
