// Notification tags. A tag names one notification end to end: the relay sends each tag once,
// a phone shows it once and replaces it with a later one of the same tag. So a tag is derived
// from the event that caused it and nothing else: the same event, seen or sent twice, can
// only ever make one notification.

import { createHash } from "node:crypto";
import { idSchema } from "#protocol";

/** Builds `<prefix>-<part>-<part>…`, or a hash of the parts when that is not a valid id. */
function tagOf(prefix: string, ...parts: (string | number)[]): string {
  const plain = [prefix, ...parts].join("-");
  if (idSchema.safeParse(plain).success) return plain;
  // Thread ids may be 64 characters and approval ids are not checked on the wire; a hash keeps
  // the tag deterministic and within the id alphabet and length.
  const digest = createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 43);
  return `${prefix}-h${digest}`;
}

export const tags = {
  approval: (approvalId: string): string => tagOf("a", approvalId),
  question: (questionId: string): string => tagOf("q", questionId),
  /** A run ends once per status event, so the event's number tells two runs of a thread apart. */
  finished: (threadId: string, seq: number): string => tagOf("f", threadId, seq),
  /** The notification that closes `closeTag` on the phones. */
  settled: (closeTag: string): string => tagOf("s", closeTag),
} as const;
