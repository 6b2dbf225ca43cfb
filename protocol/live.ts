// The ephemeral state of one thread: text the model is streaming and output of the commands
// that run, each kept until the durable event that concludes it arrives. Pure, so the phone's
// open thread and the editor's thread panel (extension/vscode/panelFeed.ts) keep it by the
// same rules; the capped output helpers keep a command's newest output without copying it.

import { z } from "./zod";
import type { LiveEvent, NumberedEvent } from "./thread";

export interface LiveState {
  /** Streaming text by step (the thread's last seq when the model call began). */
  text: Record<number, string>;
  /** An outside agent's streaming reasoning by step, until its `thought` event lands. */
  thought?: Record<number, string>;
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
  if (event.type === "text" && event.thought) {
    const thought = live.thought ?? {};
    return { ...live, thought: { ...thought, [event.step]: appendCapped(thought[event.step], event.delta) } };
  }
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
    } else if (event.type === "thought" && live.thought) {
      const thought = Object.fromEntries(Object.entries(live.thought).filter(([step]) => Number(step) >= seq));
      live = { ...live, thought };
    } else if (event.type === "tool-result" && event.callId in live.output) {
      const { [event.callId]: _done, ...output } = live.output;
      const { [event.callId]: _count, ...received } = live.received ?? {};
      const { [event.callId]: _chunks, ...chunks } = live.chunks ?? {};
      live = {
        text: live.text,
        ...(live.thought ? { thought: live.thought } : {}),
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

/** The live state as the editor sends it to its thread panel (chunks are the receiver's own). */
export const liveStateSchema = z.strictObject({
  text: z.record(z.string(), z.string()),
  thought: z.optional(z.record(z.string(), z.string())),
  output: z.record(z.string(), z.string()),
  received: z.optional(z.record(z.string(), z.int().check(z.gte(0)))),
});

/** Live output kept per command, at most this many characters (the newest). */
export const MAX_LIVE_OUTPUT = 200_000;

export function appendCapped(current: string | undefined, chunk: string, max = MAX_LIVE_OUTPUT): string {
  if (chunk.length >= max) return chunk.slice(chunk.length - max);
  // Cut before joining: the slice of a flat string shares its characters and the join is a rope,
  // where slicing the joined string would copy the whole capped output on every chunk.
  const keep = max - chunk.length;
  const head = current === undefined ? "" : current.length > keep ? current.slice(current.length - keep) : current;
  return head + chunk;
}

/** Past this many chunks a capped output is joined into one, so appending stays cheap when chunks are small. */
const MAX_CHUNKS = 64;

/**
 * The chunks of an output (newest last) after `chunk`, keeping the newest `max` characters, as
 * {@link appendCapped} does with one string. Whole chunks are dropped from the front and the
 * first kept one sliced, which shares its characters: a chunk costs about its own length, where
 * cutting a joined string copies the whole capped output on every chunk.
 */
export function appendChunk(chunks: readonly string[], chunk: string, max = MAX_LIVE_OUTPUT): string[] {
  if (chunk.length >= max) return [chunk.slice(chunk.length - max)];
  let next = chunks.length >= MAX_CHUNKS ? [chunks.join(""), chunk] : [...chunks, chunk];
  let length = next.reduce((n, c) => n + c.length, 0);
  let drop = 0;
  while (length - next[drop]!.length >= max) length -= next[drop++]!.length;
  if (drop > 0) next = next.slice(drop);
  if (length > max) next[0] = next[0]!.slice(length - max);
  return next;
}

/** Chunks as one string: joined with `+`, which V8 keeps as a rope rather than copying. */
export function joinChunks(chunks: readonly string[]): string {
  let joined = "";
  for (const chunk of chunks) joined += chunk;
  return joined;
}

/** The last `n` characters of chunks, copying only the newest chunks that hold them. */
export function lastChars(chunks: readonly string[], n: number): string {
  let tail = "";
  for (let i = chunks.length - 1; i >= 0 && tail.length < n; i--) tail = chunks[i]! + tail;
  return tail.length > n ? tail.slice(tail.length - n) : tail;
}
