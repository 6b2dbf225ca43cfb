// The answers the phone parses at its boundary, built from the protocol's shared schemas.

import { z } from "zod/mini";
import {
  answerSchema,
  boxSchema,
  connectErrorDataSchema,
  failureSchema,
  helloSchema,
  hostPresenceSchema,
  liveForwardSchema,
  pairResultSchema,
  storedEventSchema,
  storedRecordSchema,
  syncPageSchema,
  threadDeletedSchema,
  unpairedSchema,
  type LiveForward,
  type PairResult,
  type StoredEvent,
  type StoredRecord,
} from "#protocol";

export {
  connectErrorDataSchema,
  failureSchema,
  helloSchema,
  hostPresenceSchema,
  liveForwardSchema,
  pairResultSchema,
  storedEventSchema,
  storedRecordSchema,
  threadDeletedSchema,
  unpairedSchema,
};

export type InboundRecord = StoredRecord;
export type InboundEvent = StoredEvent;
export type InboundLive = LiveForward;
export type InboundPairResult = PairResult;

export const syncAnswerSchema = answerSchema(syncPageSchema.shape);
export const rpcAnswerSchema = answerSchema({ box: boxSchema });
export const pairJoinAnswerSchema = answerSchema({});
export const leaveAnswerSchema = answerSchema({ revoked: z.boolean() });
export const commandAnswerSchema = answerSchema({ queued: z.boolean(), box: z.optional(boxSchema) });
