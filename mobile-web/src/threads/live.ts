// The ephemeral state of one thread: text the model is streaming and output of the commands
// that run, each kept until the durable event that concludes it arrives. Pure, so the phone's
// open thread and the editor's thread panel keep it by the same rules.

import type { LiveEvent } from "../../../protocol/index";
import { appendCapped, appendChunk, joinChunks } from "./cache";
import type { NumberedEvent } from "./timelineItems";

export interface LiveState {
  /** Streaming text by step (the thread's last seq when the model call began). */
  text: Record<number, string>;
  /** Output of running commands by tool call id. */
  output: Record<string, string>;
  /** Characters each command's output ever had; `output` keeps only the newest of them. */
  received?: Record<string, number>;
  /** Each command's `output` as the chunks it came in, newest last, so appending copies nothing. */
  chunks?: Record<string, readonly string[]>;
}

export const EMPTY_LIVE: LiveState = { text: {}, output: {} };

/** Adds one live event (a text delta or a chunk of output), capped to the newest part. */
export function withLive(live: LiveState, event: LiveEvent): LiveState {
  if (event.type === "text") {
    return { ...live, text: { ...live.text, [event.step]: appendCapped(live.text[event.step], event.delta) } };
  }
  const { callId } = event;
  const current = live.output[callId];
  const received = (live.received?.[callId] ?? current?.length ?? 0) + event.chunk.length;
  const chunks = appendChunk(live.chunks?.[callId] ?? (current === undefined ? [] : [current]), event.chunk);
  return {
    ...live,
    output: { ...live.output, [callId]: joinChunks(chunks) },
    received: { ...live.received, [callId]: received },
    chunks: { ...live.chunks, [callId]: chunks },
  };
}

/** Durable events replace the live state they conclude. */
export function settleLive(live: LiveState, events: readonly NumberedEvent[]): LiveState {
  for (const { seq, event } of events) {
    if (event.type === "assistant-text") {
      const text = Object.fromEntries(Object.entries(live.text).filter(([step]) => Number(step) >= seq));
      live = { ...live, text };
    } else if (event.type === "tool-result" && event.callId in live.output) {
      const { [event.callId]: _done, ...output } = live.output;
      const { [event.callId]: _count, ...received } = live.received ?? {};
      const { [event.callId]: _chunks, ...chunks } = live.chunks ?? {};
      live = {
        text: live.text,
        output,
        ...(Object.keys(received).length > 0 ? { received } : {}),
        ...(Object.keys(chunks).length > 0 ? { chunks } : {}),
      };
    } else if (event.type === "status" && ["done", "failed", "stopped"].includes(event.status)) {
      live = EMPTY_LIVE;
    }
  }
  return live;
}
