// A scripted stand-in for the Gemini API (`/v1beta/models/{model}:streamGenerateContent?alt=sse`),
// the wire Gemini CLI speaks: the same script steps and recording as the other fake model servers.
// A call that does not stream (`:generateContent`) takes a step too and gets one JSON answer; with
// its model named (GEMINI_MODEL) Gemini CLI 0.61 makes none, its model router being off.

import { startScripted, words, type Dialect, type FakeModelServer, type FakeStep, type FakeTurn, type Sse } from "./fakeModels";

/** What Gemini CLI sends: the parts tests look at. */
export interface GeminiBody {
  contents: {
    role: string;
    parts: { text?: string; functionCall?: object; functionResponse?: { name: string; response: unknown } }[];
  }[];
  systemInstruction?: unknown;
  tools?: { functionDeclarations?: { name: string }[] }[];
  generationConfig?: { responseJsonSchema?: { properties?: object }; responseSchema?: { properties?: object } };
}

export function startFakeGemini(script: FakeStep<GeminiBody>[] = []): Promise<FakeModelServer<GeminiBody>> {
  return startScripted(script, geminiDialect);
}

const MODEL_CALL = /^\/v1beta\/models\/[^/:]+:(streamGenerateContent|generateContent)(\?|$)/;

const geminiDialect: Dialect<GeminiBody> = {
  name: "Gemini",
  path: "/v1beta/models/{model}:streamGenerateContent",
  accepts: (path) => MODEL_CALL.test(path),
  base: "",
  requestIdHeader: "x-request-id",
  errorBody(status, message) {
    const codes: Record<number, string> = {
      400: "INVALID_ARGUMENT",
      401: "UNAUTHENTICATED",
      403: "PERMISSION_DENIED",
      404: "NOT_FOUND",
      429: "RESOURCE_EXHAUSTED",
    };
    return { error: { code: status, message, status: codes[status] ?? "INTERNAL" } };
  },
  stream(turn, _body, serial, path) {
    const chunks = pieces(turn);
    if (!path.includes(":streamGenerateContent")) return { json: merge(chunks, turn, serial) };
    const events: Sse[] = chunks.map((parts, i) => ({
      data: {
        candidates: [
          {
            content: { role: "model", parts },
            index: 0,
            ...(i === chunks.length - 1 ? { finishReason: turn.cut ? "MAX_TOKENS" : "STOP" } : {}),
          },
        ],
        ...(i === chunks.length - 1 ? { usageMetadata: usage(turn) } : {}),
        modelVersion: "gemini-test",
        responseId: `resp_fake${serial}`,
      },
    }));
    if (turn.endEarly === "drop") return [...events.slice(0, -1), "drop"];
    if (turn.endEarly === "error")
      return [...events.slice(0, -1), { data: { error: { code: 500, message: "Internal error", status: "INTERNAL" } } }];
    return events;
  },
};

/** The answer's parts, one chunk of the stream each: the text word by word, then each function call. */
function pieces(turn: FakeTurn): object[][] {
  const chunks: object[][] = words(turn.text ?? "").map((text) => [{ text }]);
  for (const [n, call] of (turn.toolCalls ?? []).entries())
    chunks.push([{ functionCall: { id: call.id ?? `call_${n}`, name: call.name, args: call.args } }]);
  return chunks.length ? chunks : [[{ text: "" }]];
}

function merge(chunks: object[][], turn: FakeTurn, serial: number): object {
  const text = turn.text ?? "";
  const parts = [...(text ? [{ text }] : []), ...chunks.flat().filter((p) => "functionCall" in p)];
  return {
    candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
    usageMetadata: usage(turn),
    modelVersion: "gemini-test",
    responseId: `resp_fake${serial}`,
  };
}

function usage(turn: FakeTurn): object {
  const { input, output } = turn.usage ?? { input: 10, output: 5 };
  return { promptTokenCount: input, candidatesTokenCount: output, totalTokenCount: input + output };
}
