// The owner's calls about read-only shares of a thread (phone → host, sealed with the phone's
// command key), answered as other calls are. Apart from the other calls' schemas, so the app's
// first load carries none of them: only its thread screen does.

import { z } from "./zod";
import { ErrorCode } from "./errors";
import { idSchema, threadIdSchema } from "./schemas";

/** The thread's shares; `share-create` makes one more, `share-revoke` ends one. Each answers `shares`. */
const shareCallSchemas = [
  z.strictObject({ type: z.literal("share-list"), threadId: threadIdSchema.check(z.minLength(1)) }),
  z.strictObject({ type: z.literal("share-create"), threadId: threadIdSchema.check(z.minLength(1)) }),
  z.strictObject({ type: z.literal("share-revoke"), threadId: threadIdSchema.check(z.minLength(1)), shareId: idSchema }),
] as const;

export const sharesResultSchema = z.strictObject({
  type: z.literal("shares"),
  threadId: threadIdSchema,
  /** Newest first; the link opens the thread read-only for whoever has it. */
  shares: z
    .array(z.strictObject({ shareId: idSchema, link: z.string().check(z.maxLength(2000)), createdAt: z.number() }))
    .check(z.maxLength(1000)),
  /** The share just made, by `share-create`. */
  created: z.optional(idSchema),
});
export type SharesResult = z.infer<typeof sharesResultSchema>;

export const shareCallSchema = z.discriminatedUnion("type", [...shareCallSchemas]);
export type ShareCall = z.infer<typeof shareCallSchema>;

/** The host's sealed answer to a share call (as `rpcReplySchema` is to the other calls). */
export const shareReplySchema = z.union([
  z.strictObject({ ok: z.literal(true), result: sharesResultSchema }),
  z.strictObject({
    ok: z.literal(false),
    code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
  }),
]);
export type ShareReply = z.infer<typeof shareReplySchema>;
