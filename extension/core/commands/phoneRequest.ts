// The one "open from phone" step of the host, shared by the command server and the call (rpc)
// server: the relay's forward is read with its schema, the box opened with the command key of
// the phone the forward names under the request's own context (see `phoneSeal.ts`), what it
// holds read with the payload's schema, and a refusal logged with the phone and the reason and
// answered with the wire's code. The reply is sealed with the same key, so only that phone
// reads it. What the request then does is each server's own.

import {
  ErrorCode,
  PAIRWISE_EPOCH,
  failure,
  seal,
  type Ack,
  type Box,
  type Failure,
  type SealContext,
  type Schema,
} from "#protocol";
import type { HostIdentity, PairedPhone } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";
import { openFromPhone, refusal, type Refusal } from "./phoneSeal";

type Contexts = (hostId: string, phoneId: string, id: string) => SealContext;

/** What the host must know of one kind of sealed request from a phone. */
export interface RequestKind<T> {
  /** How the sender and the log call it: "command" or "call". */
  noun: "command" | "call";
  /** What the box holds. */
  payload: Schema<T>;
  /** The request's seal context and its reply's. */
  context: Contexts;
  replyContext: Contexts;
}

/** The relay's forward of a request, as every kind has it. */
export interface Forward {
  from: string;
  id: string;
  box: Box;
}

/** A request that opened and reads well, with the way to answer it. */
export interface OpenedRequest<T> {
  ok: true;
  value: T;
  phone: PairedPhone;
  /** Seals a reply for the sender alone, with its command key and the reply's context. */
  sealReply(reply: unknown): Promise<Box>;
}

/** Where requests arrive: the link to the relay (its origin, this host's id there), the keys, the log. */
export interface RequestSite {
  readonly link: Pick<RelayLink, "relay" | "deviceId">;
  readonly identity: HostIdentity;
  readonly log: Log;
}

export type Answer = Ack<{ box: Box }>;

/**
 * Answers a forward of `kind` from the relay with `handle`: a payload that is not a forward
 * (or comes without an ack to answer) is refused before anything is opened, and a handler that
 * throws answers an internal error rather than leaving the relay to time out.
 */
export function answerForward<F extends Forward>(
  payload: unknown,
  reply: unknown,
  forward: Schema<F>,
  noun: RequestKind<unknown>["noun"],
  handle: (req: F) => Promise<Answer>,
): void {
  if (typeof reply !== "function") return;
  const answer = reply as (answer: Answer) => void;
  const parsed = forward.safeParse(payload);
  if (!parsed.success) return answer(failure(ErrorCode.BadRequest, `malformed ${noun}`));
  void handle(parsed.data).then(answer, (err: Error) => answer(failure(ErrorCode.Internal, err.message)));
}

/** Opens `req` as a request of `kind`: the opened value, or the refusal to answer (already logged). */
export async function openRequest<T>(site: RequestSite, kind: RequestKind<T>, req: Forward): Promise<OpenedRequest<T> | Failure> {
  const hostId = site.link.deviceId;
  const context = kind.context(hostId, req.from, req.id);
  const opened = await openFromPhone(site.identity, site.link.relay, req.from, req.box, context, kind.noun);
  if (!opened.ok) return refuse(site.log, kind.noun, req, opened.reason, opened.answer);
  const parsed = kind.payload.safeParse(opened.value);
  if (!parsed.success) return refuse(site.log, kind.noun, req, "malformed");
  const { key, phone } = opened;
  return {
    ok: true,
    value: parsed.data,
    phone,
    sealReply: (reply) => seal(key, PAIRWISE_EPOCH, reply, kind.replyContext(hostId, req.from, req.id)),
  };
}

/** Logs a refusal with the phone, the request and the reason, and gives the sender's answer. */
export function refuse(
  log: Log,
  noun: RequestKind<unknown>["noun"],
  req: Forward,
  reason: Refusal,
  answer: Failure = refusal(reason, noun).answer,
): Failure {
  log.warn(`refused a ${noun}`, { phone: req.from, [noun]: req.id, reason });
  return answer;
}
