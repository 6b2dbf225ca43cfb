// A project's own hooks as the host tells its phones about them, so a person can trust them from
// the phone: the latest-wins `hooks` record (sealed like the profile), and the `hooks-trust`
// command that answers it. Older phones ignore a record key they do not know. Imported as
// `#protocol/hooks`, not through the barrel, so the phone's first screen goes without it.

import { z } from "./zod";

/** A SHA-256, hex: the exact content of the project's hooks file the person saw. */
export const hooksHashSchema = z.string().check(z.regex(/^[0-9a-f]{64}$/));

// The record's key (`HOOKS_RECORD_KEY`) and the `hooks-trust` command live with the other record
// keys and commands (sealed.ts, thread.ts), which the first screen does need.

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
