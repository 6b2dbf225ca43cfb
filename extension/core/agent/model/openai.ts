// The OpenAI chat completions adapter. The same wire format is spoken by Ollama, LM Studio,
// vLLM, llama.cpp and OpenRouter, so one adapter with a configurable base URL covers them.

import OpenAI from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import {
  ModelError,
  type ModelMessage,
  type ModelPort,
  type ModelRequest,
  type ModelTurn,
  type ToolCall,
  type ToolSpec,
  UnknownModel,
} from "./port";
import { abortError, isDroppedStream, isRetryableStatus, retryAfterMs, rootCause, safeUrl } from "./retry";

export const OPENAI_BASE_URL = "https://api.openai.com/v1";

export interface OpenAIModelOptions {
  model: string;
  /** Default `https://api.openai.com/v1`; `http://localhost:11434/v1` for Ollama. */
  baseURL?: string;
  /** Local servers need none. */
  apiKey?: string;
  /** How long to wait for the answer to start. The SDK's default is 10 minutes. */
  timeoutMs?: number;
  /** The `provider` half of `id`; default `openai`. */
  provider?: string;
}

export class OpenAIModel implements ModelPort {
  readonly id: string;
  readonly server: string;
  private readonly client: OpenAI;
  private readonly where: string;

  constructor(private readonly options: OpenAIModelOptions) {
    const baseURL = options.baseURL ?? OPENAI_BASE_URL;
    this.id = `${options.provider ?? "openai"}:${options.model}`;
    this.server = new URL(baseURL).host;
    this.where = baseURL === OPENAI_BASE_URL ? `OpenAI at ${baseURL}` : `OpenAI-compatible server at ${safeUrl(baseURL)}`;
    // The SDK refuses to start without a key; local servers ignore the placeholder.
    this.client = new OpenAI({ baseURL, apiKey: options.apiKey || "none", maxRetries: 0, timeout: options.timeoutMs });
  }

  /** `GET /models`: free, and every OpenAI-compatible server (Ollama, LM Studio, vLLM) answers it. */
  async check(timeoutMs: number): Promise<void> {
    const ids: string[] = [];
    for await (const listed of this.client.models.list({ timeout: timeoutMs })) {
      ids.push(listed.id);
      if (ids.length >= 5000) break;
    }
    const wanted = this.options.model;
    // Ollama lists `qwen2.5-coder:latest` for `qwen2.5-coder`; a server that lists nothing may still serve it.
    if (ids.length > 0 && !ids.some((id) => id === wanted || id === `${wanted}:latest`)) throw new UnknownModel(wanted);
  }

  async complete(request: ModelRequest): Promise<ModelTurn> {
    const { signal } = request;
    let text = "";
    const calls: ToolCall[] = [];
    let finish: ChatCompletionChunk.Choice["finish_reason"] = null;
    let usage: ModelTurn["usage"];
    try {
      const stream = await this.client.chat.completions.create(
        {
          model: this.options.model,
          messages: toChatMessages(request.system, request.messages),
          tools: request.tools.length > 0 ? request.tools.map(toChatTool) : undefined,
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal },
      );
      for await (const chunk of stream) {
        if (chunk.usage) usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
        const choice = chunk.choices[0];
        if (!choice) continue;
        const delta = choice.delta;
        if (delta?.content) {
          text += delta.content;
          request.onText?.(delta.content);
        }
        for (const part of delta?.tool_calls ?? []) {
          // The id and name come in the first piece of a call, its arguments in the pieces after.
          const call = (calls[part.index ?? calls.length] ??= { id: "", name: "", args: "" });
          if (part.id) call.id = part.id;
          if (part.function?.name && !call.name) call.name = part.function.name;
          if (part.function?.arguments) call.args += part.function.arguments;
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    } catch (error) {
      throw this.toModelError(error, signal);
    }
    // On abort the SDK's stream just ends, without an error.
    if (signal.aborted) throw abortError();
    if (!finish) throw new ModelError(`${this.where} closed the stream before the answer was complete.`, undefined, true);
    const toolCalls = calls
      .filter((call) => call !== undefined)
      .map((call, index) => ({ id: call.id || `call_${index}`, name: call.name, args: call.args || "{}" }));
    const stop = finish === "length" ? "length" : toolCalls.length > 0 ? "tool-calls" : "end";
    return { text, toolCalls, stop, usage };
  }

  private toModelError(error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted || error instanceof OpenAI.APIUserAbortError) return abortError();
    if (error instanceof OpenAI.APIConnectionTimeoutError) {
      return new ModelError(`${this.where} did not start answering in time.`, undefined, true);
    }
    if (isDroppedStream(error)) {
      return new ModelError(`${this.where} dropped the connection mid-answer (${rootCause(error)}).`, undefined, true);
    }
    if (error instanceof OpenAI.APIConnectionError) {
      const local = this.where.startsWith("OpenAI-compatible") ? " Is it running?" : "";
      return new ModelError(`Could not reach ${this.where} (${rootCause(error)}).${local}`, undefined, true);
    }
    if (!(error instanceof OpenAI.APIError)) return error;
    const said = providerMessage(error);
    // An error event inside a stream that had started: the server failed mid-answer.
    if (error.status === undefined) return new ModelError(`${this.where} failed mid-answer: ${said}`, undefined, true);
    // A spent quota is a 429 too, but no amount of waiting fixes it.
    const quota = error.code === "insufficient_quota" || error.type === "insufficient_quota";
    return new ModelError(
      `${this.where} answered ${error.status}: ${said}${hint(error.status)}`,
      error.status,
      isRetryableStatus(error.status) && !quota,
      retryAfterMs(error.headers),
    );
  }
}

function toChatMessages(system: string, messages: readonly ModelMessage[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = system ? [{ role: "system", content: system }] : [];
  for (const message of messages) {
    if (message.role === "user") out.push({ role: "user", content: message.content });
    else if (message.role === "tool") {
      // Chat completions has no error flag on a tool result, so the text carries it.
      const content = message.isError && !/^error/i.test(message.content) ? `Error: ${message.content}` : message.content;
      out.push({ role: "tool", tool_call_id: message.callId, content });
    } else if (message.toolCalls.length === 0) out.push({ role: "assistant", content: message.content });
    else {
      out.push({
        role: "assistant",
        content: message.content || null,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.args },
        })),
      });
    }
  }
  return out;
}

function toChatTool(tool: ToolSpec): ChatCompletionFunctionTool {
  return { type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

function providerMessage(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === "string" && body.message) return body.message;
  return error.message.replace(/^\d{3}\s+/, "");
}

function hint(status: number): string {
  if (status === 401 || status === 403) return ". Check OPENAI_API_KEY.";
  if (status === 404) return ". Check the model name and OPENAI_BASE_URL.";
  return "";
}
