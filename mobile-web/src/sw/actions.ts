// A notification's Approve / Deny button: the same sealed `decide` command the app sends over
// its socket, posted to the relay over HTTP so the phone never has to open the app.

import { z } from "zod/mini";
import { PAIRWISE_EPOCH, sealContext } from "#protocol/contexts";
import { open, seal } from "#protocol/crypto";
import { randomId } from "#protocol/encoding";
import { ErrorCode } from "#protocol/errors";
import { HTTP_COMMAND_PATH } from "#protocol/push";
import { answerSchema, boxSchema } from "#protocol/schemas";
import { commandReplySchema, commandSchema, type Command, type SealedCommand } from "#protocol/thread";
import { APPROVE_ACTION, DENY_ACTION, type NotificationData } from "./notifications";

/** Who sends, and with which key: from the phone's device and host records. */
export interface Sender {
  deviceId: string;
  token: string;
  hostId: string;
  /** This phone's command key for the host: the same key the app seals commands with. */
  commandKey: CryptoKey;
}

export type ActionOutcome =
  /** Applied by the host, or kept in the relay's inbox while the host is offline. */
  | { ok: true; queued: boolean }
  /** `reason` is the host's own words when it refused (e.g. already decided elsewhere). */
  | { ok: false; reason: string | null };

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

const commandAnswerSchema = answerSchema({ queued: z.boolean(), box: z.optional(boxSchema) });

/** The command a button stands for, or null for a click that decides nothing. */
export function decideCommand(data: NotificationData | null, action: string): Command | null {
  if (!data?.threadId || !data.approvalId) return null;
  if (action !== APPROVE_ACTION && action !== DENY_ACTION) return null;
  const command = commandSchema.safeParse({
    type: "decide",
    threadId: data.threadId,
    approvalId: data.approvalId,
    decision: action === APPROVE_ACTION ? "approve" : "deny",
  });
  return command.success ? command.data : null;
}

/** The body of `POST /api/command`: exactly the `command` socket event's payload. */
export async function sealCommand(
  sender: Sender,
  command: Command,
  id = randomId(),
): Promise<{ hostId: string; id: string; box: z.infer<typeof boxSchema> }> {
  const sealed: SealedCommand = { sentAt: Date.now(), command };
  const box = await seal(sender.commandKey, PAIRWISE_EPOCH, sealed, sealContext.command(sender.hostId, sender.deviceId, id));
  return { hostId: sender.hostId, id, box };
}

/**
 * Posts a sealed command to the relay and reads the host's sealed reply. Never throws: a
 * network failure, a refused token or a host's refusal all come back as `ok: false`.
 */
export async function postCommand(sender: Sender, command: Command, fetchFn: Fetch, origin = ""): Promise<ActionOutcome> {
  try {
    const body = await sealCommand(sender, command);
    const response = await fetchFn(`${origin}${HTTP_COMMAND_PATH}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${sender.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      // Nothing about a command belongs in any cache, nor a referrer in its request.
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
    const answer = commandAnswerSchema.safeParse(await response.json().catch(() => null));
    if (!answer.success || !answer.data.ok) return { ok: false, reason: null };
    if (answer.data.queued || !answer.data.box) return { ok: true, queued: true };
    const context = sealContext.commandReply(sender.hostId, sender.deviceId, body.id);
    const reply = commandReplySchema.safeParse(await open(sender.commandKey, answer.data.box, context));
    if (!reply.success) return { ok: false, reason: null };
    if (reply.data.ok) return { ok: true, queued: false };
    // The host's message is for people ("Already decided by Pixel 8 (approve)"); other codes
    // are about the wire and say nothing useful on a lock screen.
    const words = reply.data.message.trim();
    return { ok: false, reason: reply.data.code === ErrorCode.Conflict && words !== "" ? sentence(words) : null };
  } catch {
    return { ok: false, reason: null };
  }
}

function sentence(text: string): string {
  const trimmed = text.trim().slice(0, 200);
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
