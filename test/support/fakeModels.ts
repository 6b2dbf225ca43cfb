// Scripted stand-ins for the OpenAI and Anthropic APIs: real HTTP servers on 127.0.0.1 that
// answer with the providers' own SSE streams and JSON errors, so the real SDKs are exercised.
// Each request takes the next step of a script and is recorded for tests to inspect.

import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { MessageCreateParamsStreaming } from "@anthropic-ai/sdk/resources/messages";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";

/** An answer, streamed in small pieces. */
export interface FakeTurn {
  text?: string;
  toolCalls?: { name: string; args: object; id?: string }[];
  /** Pause between stream events, so a test can stop the model mid-answer. */
  delayMs?: number;
  /** Cut at max tokens instead of finishing. */
  cut?: boolean;
  /**
   * End the stream right after the text: `drop` hangs up as a crashed server would, `error`
   * sends the provider's in-stream error event (server error / overloaded).
   */
  endEarly?: "drop" | "error";
  usage?: { input: number; output: number };
}

/** An HTTP error in the provider's JSON format. */
export interface FakeFailure {
  status: number;
  /** The whole JSON body; by default the provider's error shape around `message`. */
  body?: object;
  message?: string;
  /** Seconds, as the `retry-after` header. */
  retryAfter?: number;
  /** Milliseconds, as the `retry-after-ms` header. */
  retryAfterMs?: number;
}

export type FakeStep<Body> = FakeTurn | FakeFailure | ((request: RecordedRequest<Body>) => FakeTurn | FakeFailure);

export interface RecordedRequest<Body> {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Body;
  /** The client hung up before the answer was complete. */
  aborted: boolean;
}

/**
 * A request a real agent sends beside the conversation (Claude Code names the session, and
 * guesses the person's next prompt after a turn): answered by its shape, outside the script.
 */
export interface SideRequest<Body> extends RecordedRequest<Body> {
  /** Claude Code's: a session title, a guess at the person's next prompt. */
  kind: "title" | "suggestion";
}

export interface FakeModelServer<Body> {
  /** Base URL as the SDK wants it: with `/v1` for OpenAI, without for Anthropic (its SDK adds `/v1`). */
  readonly url: string;
  readonly requests: RecordedRequest<Body>[];
  /** Side requests, answered without taking a step of the script and not in `requests`. */
  readonly sideRequests: SideRequest<Body>[];
  /** Script steps not yet played. */
  readonly remaining: number;
  push(...steps: FakeStep<Body>[]): void;
  /**
   * What `GET /v1/models` lists (and `GET /v1/models/{id}` finds): the model check's view of
   * the server. Not part of the script and not in `requests`, so tasks play as before.
   */
  models: string[];
  /** Answers the model list with this error instead (e.g. 401 for a bad key). */
  modelsFailure: FakeFailure | undefined;
  /** How many model list or model look-up requests arrived. */
  readonly modelChecks: number;
  close(): Promise<void>;
}

export type OpenAIBody = ChatCompletionCreateParamsStreaming;
export type AnthropicBody = MessageCreateParamsStreaming;

export function startFakeOpenAI(script: FakeStep<OpenAIBody>[] = []): Promise<FakeModelServer<OpenAIBody>> {
  return startScripted(script, openAIDialect);
}

export function startFakeAnthropic(script: FakeStep<AnthropicBody>[] = []): Promise<FakeModelServer<AnthropicBody>> {
  return startScripted(script, anthropicDialect);
}

/** One SSE event, or the point where the server hangs up. */
export type Sse = { event?: string; data: unknown } | "drop";

/** How one provider's API speaks: where it listens, its errors, its stream (fakeResponses.ts adds one). */
export interface Dialect<Body> {
  name: string;
  path: string;
  /** Whether a POST to `path` (query string included) is a model call; by default, `path` exactly. */
  accepts?(path: string): boolean;
  /** Appended to the server's address to make `url`. */
  base: string;
  requestIdHeader: string;
  /** Recognises a side request by its shape, and what to answer it. */
  sideCall?(body: Body, path: string): { kind: SideRequest<Body>["kind"]; turn: FakeTurn } | undefined;
  errorBody(status: number, message: string): object;
  /** The answer: a stream of events, or one JSON body for a call that does not stream. */
  stream(turn: FakeTurn, body: Body, serial: number, path: string): Sse[] | { json: unknown };
}

export async function startScripted<Body>(script: FakeStep<Body>[], dialect: Dialect<Body>): Promise<FakeModelServer<Body>> {
  const steps = [...script];
  const requests: RecordedRequest<Body>[] = [];
  const sideRequests: SideRequest<Body>[] = [];
  let serial = 0;
  const listing = {
    models: ["test-model", "gpt-test", "e2e-model", "test-claude"],
    failure: undefined as FakeFailure | undefined,
  };
  let modelChecks = 0;

  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.startsWith("/v1/models")) {
      modelChecks++;
      res.on("error", () => {});
      return void answerModels(res, dialect, listing, decodeURIComponent(req.url.slice("/v1/models/".length)));
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("error", () => {});
    res.on("error", () => {});
    req.on("end", () => {
      const record: RecordedRequest<Body> = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: parseJson(Buffer.concat(chunks).toString("utf8")) as Body,
        aborted: false,
      };
      const side = dialect.sideCall?.(record.body, record.path);
      if (side) sideRequests.push(Object.assign(record, { kind: side.kind }));
      else requests.push(record);
      res.on("close", () => {
        if (!res.writableFinished) record.aborted = true;
      });
      const id = ++serial;
      res.setHeader(dialect.requestIdHeader, `req_fake_${id}`);
      const accepted = dialect.accepts?.(record.path) ?? record.path.split("?")[0] === dialect.path;
      if (req.method !== "POST" || !accepted) {
        return fail(res, dialect, { status: 404, message: `The fake ${dialect.name} server only answers POST ${dialect.path}.` });
      }
      if (side) return void play(res, dialect.stream(side.turn, record.body, id, record.path), 0);
      const next = steps.shift();
      if (!next) {
        const message = `The fake ${dialect.name} script is exhausted: request ${requests.length} has no scripted answer.`;
        return fail(res, dialect, { status: 500, message });
      }
      const step = typeof next === "function" ? next(record) : next;
      if ("status" in step) return fail(res, dialect, step);
      void play(res, dialect.stream(step, record.body, id, record.path), step.delayMs ?? 0);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}${dialect.base}`,
    requests,
    sideRequests,
    get remaining() {
      return steps.length;
    },
    push: (...more) => void steps.push(...more),
    get models() {
      return listing.models;
    },
    set models(models) {
      listing.models = models;
    },
    get modelsFailure() {
      return listing.failure;
    },
    set modelsFailure(failure) {
      listing.failure = failure;
    },
    get modelChecks() {
      return modelChecks;
    },
    close: () =>
      (closing ??= new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}

/** `GET /v1/models` as each provider lists, or `GET /v1/models/{id}` as each finds one. */
function answerModels<Body>(
  res: ServerResponse,
  dialect: Dialect<Body>,
  listing: { models: string[]; failure: FakeFailure | undefined },
  id: string,
): void {
  if (listing.failure) return fail(res, dialect, listing.failure);
  const created = "2025-01-01T00:00:00Z";
  const one = (model: string) =>
    dialect.name === "OpenAI"
      ? { id: model, object: "model", created: 1735689600, owned_by: "fake" }
      : { type: "model", id: model, display_name: model, created_at: created };
  if (id) {
    if (!listing.models.includes(id)) return fail(res, dialect, { status: 404, message: `model: ${id}` });
    return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(one(id)));
  }
  const data = listing.models.map(one);
  const body =
    dialect.name === "OpenAI"
      ? { object: "list", data }
      : { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function fail<Body>(res: ServerResponse, dialect: Dialect<Body>, failure: FakeFailure): void {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (failure.retryAfter !== undefined) headers["retry-after"] = String(failure.retryAfter);
  if (failure.retryAfterMs !== undefined) headers["retry-after-ms"] = String(failure.retryAfterMs);
  const body = failure.body ?? dialect.errorBody(failure.status, failure.message ?? `Fake error ${failure.status}.`);
  res.writeHead(failure.status, headers).end(JSON.stringify(body));
}

async function play(res: ServerResponse, events: Sse[] | { json: unknown }, delayMs: number): Promise<void> {
  if (!Array.isArray(events))
    return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(events.json));
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  res.flushHeaders();
  for (const [index, event] of events.entries()) {
    if (index > 0 && delayMs > 0) await delay(delayMs);
    if (res.destroyed) return;
    if (event === "drop") {
      // Let what was written reach the client first; `destroy` discards buffered writes.
      await new Promise((resolve) => res.write("", resolve));
      return void res.destroy();
    }
    const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data);
    res.write(`${event.event ? `event: ${event.event}\n` : ""}data: ${data}\n\n`);
  }
  res.end();
}

const openAIDialect: Dialect<OpenAIBody> = {
  name: "OpenAI",
  path: "/v1/chat/completions",
  base: "/v1",
  requestIdHeader: "x-request-id",
  errorBody(status, message) {
    const [type, code] =
      status === 401
        ? ["invalid_request_error", "invalid_api_key"]
        : status === 429
          ? ["requests", "rate_limit_exceeded"]
          : status >= 500
            ? ["server_error", null]
            : ["invalid_request_error", null];
    return { error: { message, type, param: null, code } };
  },
  stream(turn, body, serial) {
    const withUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: object, finish: string | null = null) => ({
      data: {
        id: `chatcmpl-fake${serial}`,
        object: "chat.completion.chunk",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        system_fingerprint: "fp_fake",
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(withUsage ? { usage: null } : {}),
      },
    });
    const events: Sse[] = [chunk({ role: "assistant", content: "", refusal: null })];
    for (const piece of words(turn.text ?? "")) events.push(chunk({ content: piece }));
    if (turn.endEarly === "drop") return [...events, "drop"];
    if (turn.endEarly === "error")
      return [...events, { data: { error: { message: "The server had an error.", type: "server_error" } } }];
    for (const [index, call] of (turn.toolCalls ?? []).entries()) {
      const id = call.id ?? `call_fake${serial}_${index}`;
      events.push(chunk({ tool_calls: [{ index, id, type: "function", function: { name: call.name, arguments: "" } }] }));
      for (const piece of thirds(JSON.stringify(call.args))) {
        events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    }
    const finish = turn.cut ? "length" : turn.toolCalls?.length ? "tool_calls" : "stop";
    events.push(chunk({}, finish));
    if (withUsage) {
      const { input, output } = turn.usage ?? { input: 10, output: 5 };
      events.push({
        data: {
          id: `chatcmpl-fake${serial}`,
          object: "chat.completion.chunk",
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [],
          usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
        },
      });
    }
    events.push({ data: "[DONE]" });
    return events;
  },
};

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const anthropicDialect: Dialect<AnthropicBody> = {
  name: "Anthropic",
  path: "/v1/messages",
  base: "",
  requestIdHeader: "request-id",
  sideCall(body) {
    // Claude Code asks for a session title as JSON with a `title` field, no tools offered.
    const format = (body as { output_config?: { format?: { schema?: { properties?: object } } } }).output_config?.format;
    if (format?.schema?.properties && "title" in format.schema.properties)
      return { kind: "title", turn: { text: JSON.stringify({ title: "Scripted session" }) } };
    // After a turn it guesses what the person will type next; an empty guess shows nothing.
    const last = body.messages?.at(-1)?.content;
    const text = typeof last === "string" ? last : "";
    if (text.startsWith("[SUGGESTION MODE")) return { kind: "suggestion", turn: { text: "" } };
    return undefined;
  },
  errorBody(status, message) {
    return { type: "error", error: { type: ANTHROPIC_ERROR_TYPES[status] ?? "api_error", message } };
  },
  stream(turn, body, serial) {
    const { input, output } = turn.usage ?? { input: 10, output: 5 };
    const events: Sse[] = [
      {
        event: "message_start",
        data: {
          type: "message_start",
          message: {
            id: `msg_fake${serial}`,
            type: "message",
            role: "assistant",
            model: body.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: input, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
          },
        },
      },
      { event: "ping", data: { type: "ping" } },
    ];
    const block = (index: number, start: object, deltas: object[]) => {
      events.push({ event: "content_block_start", data: { type: "content_block_start", index, content_block: start } });
      for (const delta of deltas)
        events.push({ event: "content_block_delta", data: { type: "content_block_delta", index, delta } });
      events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
    };
    let index = 0;
    if (turn.text) {
      block(
        index++,
        { type: "text", text: "" },
        words(turn.text).map((text) => ({ type: "text_delta", text })),
      );
    }
    if (turn.endEarly === "drop") return [...events, "drop"];
    if (turn.endEarly === "error") {
      const error = { type: "error", error: { type: "overloaded_error", message: "Overloaded" } };
      return [...events, { event: "error", data: error }];
    }
    for (const [n, call] of (turn.toolCalls ?? []).entries()) {
      const id = call.id ?? `toolu_fake${serial}_${n}`;
      const pieces = ["", ...thirds(JSON.stringify(call.args))].map((partial_json) => ({
        type: "input_json_delta",
        partial_json,
      }));
      block(index++, { type: "tool_use", id, name: call.name, input: {} }, pieces);
    }
    const stop_reason = turn.cut ? "max_tokens" : turn.toolCalls?.length ? "tool_use" : "end_turn";
    events.push({
      event: "message_delta",
      data: { type: "message_delta", delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: output } },
    });
    events.push({ event: "message_stop", data: { type: "message_stop" } });
    return events;
  },
};

/** "Hello there, you" → ["Hello ", "there, ", "you"]. */
export function words(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Splits JSON text into three pieces, so arguments always arrive across chunks. */
function thirds(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 3));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
