// A scripted stand-in for OpenAI's Responses API (`POST /v1/responses`, streamed), the wire
// Codex speaks: the same script steps and recording as the other fake model servers.

import { startScripted, words, type Dialect, type FakeModelServer, type FakeStep, type Sse } from "./fakeModels";

/** What Codex sends: the parts tests look at. */
export interface ResponsesBody {
  model: string;
  instructions?: string;
  input: {
    type?: string;
    role?: string;
    content?: unknown;
    call_id?: string;
    output?: unknown;
    name?: string;
    arguments?: string;
  }[];
  tools?: { type: string; name?: string }[];
  stream?: boolean;
}

export function startFakeResponses(script: FakeStep<ResponsesBody>[] = []): Promise<FakeModelServer<ResponsesBody>> {
  return startScripted(script, responsesDialect);
}

const responsesDialect: Dialect<ResponsesBody> = {
  name: "Responses",
  path: "/v1/responses",
  base: "/v1",
  requestIdHeader: "x-request-id",
  errorBody(status, message) {
    const type =
      status === 401
        ? "invalid_request_error"
        : status === 429
          ? "rate_limit_exceeded"
          : status >= 500
            ? "server_error"
            : "invalid_request_error";
    return { error: { message, type, param: null, code: null } };
  },
  stream(turn, body, serial) {
    const id = `resp_fake${serial}`;
    const response = {
      id,
      object: "response",
      created_at: Math.floor(Date.now() / 1000),
      model: body.model,
      status: "in_progress",
      output: [],
    };
    const events: Sse[] = [{ event: "response.created", data: { type: "response.created", response } }];
    const event = (type: string, data: object): void => void events.push({ event: type, data: { type, ...data } });
    let index = 0;
    if (turn.text) {
      const item_id = `msg_fake${serial}`;
      const message = { type: "message", id: item_id, role: "assistant", status: "in_progress", content: [] };
      event("response.output_item.added", { output_index: index, item: message });
      for (const delta of words(turn.text))
        event("response.output_text.delta", { item_id, output_index: index, content_index: 0, delta });
      if (turn.endEarly === "drop") return [...events, "drop"];
      event("response.output_item.done", {
        output_index: index++,
        item: { ...message, status: "completed", content: [{ type: "output_text", text: turn.text, annotations: [] }] },
      });
    }
    if (turn.endEarly === "error") {
      event("response.failed", {
        response: { ...response, status: "failed", error: { code: "server_error", message: "The server had an error." } },
      });
      return events;
    }
    for (const [n, call] of (turn.toolCalls ?? []).entries()) {
      const item = {
        type: "function_call",
        id: `fc_fake${serial}_${n}`,
        call_id: call.id ?? `call_fake${serial}_${n}`,
        name: call.name,
        arguments: JSON.stringify(call.args),
        status: "completed",
      };
      event("response.output_item.added", { output_index: index, item: { ...item, arguments: "", status: "in_progress" } });
      event("response.output_item.done", { output_index: index++, item });
    }
    const { input, output } = turn.usage ?? { input: 10, output: 5 };
    const usage = {
      input_tokens: input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input + output,
    };
    event("response.completed", { response: { ...response, status: turn.cut ? "incomplete" : "completed", usage } });
    return events;
  },
};
