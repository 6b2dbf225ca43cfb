// A project's own hooks as the host tells its phones about them, so a person can trust them from
// the phone: the latest-wins `hooks` record (sealed like the profile), and the `hooks-trust`
// command that answers it. Older phones ignore a record key they do not know.

import { z } from "./zod";

/** The record key the host publishes its project hooks' state under. */
export const HOOKS_RECORD_KEY = "hooks";

/** A SHA-256, hex: the exact content of the hooks file the person saw. */
export const hooksHashSchema = z.string().check(z.regex(/^[0-9a-f]{64}$/));

/** One hook of the project's file, as shown before it is trusted. */
export const shownHookSchema = z.strictObject({
  event: z.string().check(z.maxLength(40)),
  matcher: z.optional(z.string().check(z.maxLength(500))),
  command: z.string().check(z.maxLength(4000)),
  /** Seconds. */
  timeout: z.number(),
});
export type ShownHook = z.infer<typeof shownHookSchema>;

/**
 * The workspace's `.tether/hooks.json`: none; trusted (its hooks run); or untrusted, with what
 * it would run (`changed`: it was trusted before and changed since; `error`: it cannot be read,
 * so it cannot be trusted until fixed).
 */
export const projectHooksRecordSchema = z.discriminatedUnion("state", [
  z.strictObject({ state: z.literal("none") }),
  z.strictObject({ state: z.literal("trusted"), hash: hooksHashSchema, file: z.string().check(z.maxLength(200)) }),
  z.strictObject({
    state: z.literal("untrusted"),
    hash: hooksHashSchema,
    file: z.string().check(z.maxLength(200)),
    changed: z.boolean(),
    hooks: z.array(shownHookSchema).check(z.maxLength(100)),
    error: z.optional(z.string().check(z.maxLength(1000))),
  }),
]);
export type ProjectHooksRecord = z.infer<typeof projectHooksRecordSchema>;

/** Phone → host: trust the project's hooks file if it still has this content. */
export const hooksTrustCommandSchema = z.strictObject({ type: z.literal("hooks-trust"), hash: hooksHashSchema });
export type HooksTrustCommand = z.infer<typeof hooksTrustCommandSchema>;
