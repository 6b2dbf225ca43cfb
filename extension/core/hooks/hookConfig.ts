// What a hooks list says: commands the person configured to run around the agent's work, each
// on one event, for some tools, with a time limit. Tether's own shape is a flat list
// (`{ "hooks": [{ "event", "matcher", "command", "timeout" }] }`); the nested shape Claude Code
// and Gemini CLI use in their settings (`{ "hooks": { "PreToolUse": [{ "matcher", "hooks":
// [{ "type": "command", "command", "timeout" }] }] } }`, see code.claude.com/docs hooks reference
// and geminicli.com/docs/hooks/reference) is read too, so a hook written for one of them can be
// reused as it is. Gemini CLI's event names map onto Tether's (BeforeTool is PreToolUse, …).

import { z } from "zod";

export const HOOK_EVENTS = ["PreToolUse", "PostToolUse", "UserPromptSubmit", "Stop"] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Seconds a hook may run when it names no limit (as in Claude Code). */
export const DEFAULT_HOOK_TIMEOUT_S = 60;
/** The longest limit a hook may ask for: ten minutes. */
export const MAX_HOOK_TIMEOUT_S = 600;
/** Most hooks one list may hold. */
export const MAX_HOOKS = 100;

/** Gemini CLI's names for the same moments. */
const EVENT_ALIASES: Record<string, HookEvent> = {
  BeforeTool: "PreToolUse",
  AfterTool: "PostToolUse",
  BeforeAgent: "UserPromptSubmit",
  AfterAgent: "Stop",
};

/** One hook, ready to run. */
export interface HookSpec {
  event: HookEvent;
  /** Tool names or kinds (`command`, `edit`, `read`) it runs for, `|`-separated; absent or `*`: all. */
  matcher?: string;
  /** Run with the platform shell in the workspace. */
  command: string;
  /** Seconds, at most `MAX_HOOK_TIMEOUT_S`. */
  timeoutS: number;
  /** Where it came from: `user` (settings, the host's file) or `project` (`.tether/hooks.json`). */
  source: "user" | "project";
}

const eventName = z.string().transform((name, ctx) => {
  const event = (HOOK_EVENTS as readonly string[]).includes(name) ? (name as HookEvent) : EVENT_ALIASES[name];
  if (!event) {
    ctx.addIssue({ code: "custom", message: `unknown event "${name}" (one of ${HOOK_EVENTS.join(", ")})` });
    return z.NEVER;
  }
  return event;
});
const timeout = z.number().positive().max(MAX_HOOK_TIMEOUT_S, `at most ${MAX_HOOK_TIMEOUT_S} seconds (10 minutes)`);
const command = z.string().trim().min(1).max(4000);
const matcher = z.string().max(500);

/** Tether's own entry. */
const flatHook = z.strictObject({
  event: eventName,
  matcher: matcher.optional(),
  command,
  timeout: timeout.optional(),
});
/** Claude Code's and Gemini CLI's entry: a matcher with its commands. */
const nestedGroup = z.object({
  matcher: matcher.optional(),
  hooks: z.array(
    z.object({
      type: z.literal("command"),
      command,
      timeout: timeout.optional(),
    }),
  ),
});

const flatList = z.array(flatHook).max(MAX_HOOKS);
const flatFile = z.object({ hooks: flatList });
const nestedFile = z.object({ hooks: z.record(z.string(), z.array(nestedGroup)) });

/** The schema of the shape `value` has, so what is wrong is said of that shape. */
function shapeOf(value: unknown): typeof flatList | typeof flatFile | typeof nestedFile {
  if (Array.isArray(value)) return flatList;
  const hooks = typeof value === "object" && value !== null ? (value as { hooks?: unknown }).hooks : undefined;
  return Array.isArray(hooks) ? flatFile : nestedFile;
}

export class HookConfigError extends Error {
  override name = "HookConfigError";
}

/**
 * The hooks a parsed JSON value lists (a file's content, a setting's value). Throws
 * `HookConfigError` naming what is wrong: a list that cannot be read runs nothing, and says so.
 */
export function parseHooks(value: unknown, source: HookSpec["source"]): HookSpec[] {
  const parsed = shapeOf(value).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new HookConfigError(`The hooks list cannot be read${where}: ${issue?.message ?? "not a hooks list"}.`);
  }
  const data = parsed.data;
  const spec = (event: HookEvent, m: string | undefined, cmd: string, t: number | undefined): HookSpec => ({
    event,
    ...(m !== undefined && m !== "" ? { matcher: m } : {}),
    command: cmd,
    timeoutS: t ?? DEFAULT_HOOK_TIMEOUT_S,
    source,
  });
  if (Array.isArray(data)) return data.map((h) => spec(h.event, h.matcher, h.command, h.timeout));
  if (Array.isArray(data.hooks)) return data.hooks.map((h) => spec(h.event, h.matcher, h.command, h.timeout));
  const out: HookSpec[] = [];
  for (const [name, groups] of Object.entries(data.hooks)) {
    const event = eventName.safeParse(name);
    if (!event.success) throw new HookConfigError(`The hooks list cannot be read: unknown event "${name}".`);
    for (const group of groups) {
      for (const h of group.hooks) out.push(spec(event.data, group.matcher, h.command, h.timeout));
    }
  }
  if (out.length > MAX_HOOKS) throw new HookConfigError(`The hooks list has more than ${MAX_HOOKS} hooks.`);
  return out;
}

/** Parses a file's text; `HookConfigError` for text that is not JSON, naming the file. */
export function parseHooksText(text: string, source: HookSpec["source"], file: string): HookSpec[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HookConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return parseHooks(value, source);
  } catch (err) {
    throw new HookConfigError(`${file}: ${(err as Error).message}`);
  }
}
