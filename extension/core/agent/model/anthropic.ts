// The Anthropic Messages adapter: streamed `messages.create`, events folded into one turn.

import Anthropic from "@anthropic-ai/sdk";
import type { ContentBlockParam, MessageParam, Tool } from "@anthropic-ai/sdk/resources/messages";
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

export const ANTHROPIC_BASE_URL = "https://api.anthropic.com";

export interface AnthropicModelOptions {
  model: string;
  apiKey: string;
  /** Default `https://api.anthropic.com` (the SDK adds `/v1`). */
  baseURL?: string;
  /** Default 8192. */
  maxTokens?: number;
  /** How long to wait for the answer to start. The SDK's default is 10 minutes. */
  timeoutMs?: number;
}

/** Error types Anthropic sends inside a stream that has started, and that a retry can fix. */
const RETRYABLE_TYPES = new Set(["rate_limit_error", "api_error", "overloaded_error", "timeout_error"]);

export class AnthropicModel implements ModelPort {
  readonly id: string;
  readonly server: string;
  private readonly client: Anthropic;
  private readonly where: string;

  constructor(private readonly options: AnthropicModelOptions) {
    const baseURL = options.baseURL ?? ANTHROPIC_BASE_URL;
    this.id = `anthropic:${options.model}`;
    this.server = new URL(baseURL).host;
    this.where =
      baseURL === ANTHROPIC_BASE_URL ? `Anthropic at ${baseURL}` : `Anthropic-compatible server at ${safeUrl(baseURL)}`;
    // An explicit key keeps the SDK from looking for other credentials in the environment or profiles.
    this.client = new Anthropic({ baseURL, apiKey: options.apiKey, maxRetries: 0, timeout: options.timeoutMs });
  }

  /**
   * `GET /v1/models/{model}`: free, and unlike the list it resolves aliases such as
   * `claude-sonnet-4-5`, which the list names only by their dated ids.
   */
  async check(timeoutMs: number): Promise<void> {
    try {
      await this.client.models.retrieve(this.options.model, {}, { timeout: timeoutMs });
    } catch (error) {
      if (error instanceof Anthropic.NotFoundError) throw new UnknownModel(this.options.model);
      throw error;
    }
  }

  async complete(request: ModelRequest): Promise<ModelTurn> {
    const { signal } = request;
    let text = "";
    // By content block index; text blocks leave holes.
    const calls: ToolCall[] = [];
    let stopReason: string | null = null;
    let complete = false;
    const usage = { input: 0, output: 0 };
    try {
      const stream = await this.client.messages.create(
        {
          model: this.options.model,
          max_tokens: this.options.maxTokens ?? 8192,
          system: request.system || undefined,
          messages: toMessages(request.messages),
          tools: request.tools.length > 0 ? request.tools.map(toTool) : undefined,
          stream: true,
        },
        { signal },
      );
      for await (const event of stream) {
        switch (event.type) {
          case "message_start": {
            const u = event.message.usage;
            usage.input = u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
            usage.output = u.output_tokens;
            break;
          }
          case "content_block_start":
            if (event.content_block.type === "tool_use") {
              calls[event.index] = { id: event.content_block.id, name: event.content_block.name, args: "" };
            } else if (event.content_block.type === "text" && event.content_block.text) {
              text += event.content_block.text;
              request.onText?.(event.content_block.text);
            }
            break;
          case "content_block_delta":
            if (event.delta.type === "text_delta") {
              text += event.delta.text;
              request.onText?.(event.delta.text);
            } else if (event.delta.type === "input_json_delta") {
              const call = calls[event.index];
              if (call) call.args += event.delta.partial_json;
            }
            break;
          case "message_delta":
            stopReason = event.delta.stop_reason;
            usage.output = event.usage.output_tokens;
            break;
          case "message_stop":
            complete = true;
            break;
        }
      }
    } catch (error) {
      throw this.toModelError(error, signal);
    }
    // On abort the SDK's stream just ends, without an error.
    if (signal.aborted) throw abortError();
    if (!complete) throw new ModelError(`${this.where} closed the stream before the answer was complete.`, undefined, true);
    // A tool without parameters streams no input at all.
    const toolCalls = calls.filter((call) => call !== undefined).map((call) => ({ ...call, args: call.args || "{}" }));
    const cut = stopReason === "max_tokens" || stopReason === "model_context_window_exceeded";
    const stop = cut ? "length" : toolCalls.length > 0 ? "tool-calls" : "end";
    return { text, toolCalls, stop, usage };
  }

  private toModelError(error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted || error instanceof Anthropic.APIUserAbortError) return abortError();
    if (error instanceof Anthropic.APIConnectionTimeoutError) {
      return new ModelError(`${this.where} did not start answering in time.`, undefined, true);
    }
    if (isDroppedStream(error)) {
      return new ModelError(`${this.where} dropped the connection mid-answer (${rootCause(error)}).`, undefined, true);
    }
    if (error instanceof Anthropic.APIConnectionError) {
      return new ModelError(`Could not reach ${this.where} (${rootCause(error)}).`, undefined, true);
    }
    if (!(error instanceof Anthropic.APIError)) return error;
    // `apiMessage` is the body's `error.message`; the SDK's own message is the whole body as JSON.
    const said = error.apiMessage ?? error.message.replace(/^\d{3}\s+/, "");
    if (error.status === undefined) {
      const retryable = error.type === null || RETRYABLE_TYPES.has(error.type);
      return new ModelError(`${this.where} failed mid-answer: ${said}`, undefined, retryable);
    }
    const hint = error.status === 401 || error.status === 403 ? ". Check ANTHROPIC_API_KEY." : "";
    return new ModelError(
      `${this.where} answered ${error.status}: ${said}${hint}`,
      error.status,
      isRetryableStatus(error.status),
      retryAfterMs(error.headers),
    );
  }
}

/**
 * Tool results travel as `tool_result` blocks in a user message, so consecutive tool results
 * (and text the person added after them) fold into one user message, as the API requires.
 */
function toMessages(messages: readonly ModelMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  for (const message of messages) {
    const mapped = toMessage(message);
    if (!mapped) continue;
    const last = out.at(-1);
    if (last && last.role === mapped.role) last.content = [...blocks(last.content), ...blocks(mapped.content)];
    else out.push(mapped);
  }
  return out;
}

function toMessage(message: ModelMessage): MessageParam | undefined {
  if (message.role === "user") return { role: "user", content: message.content };
  if (message.role === "tool") {
    return {
      role: "user",
      content: [
        {
          type: "tool_result",
          tool_use_id: message.callId,
          content: message.content,
          ...(message.isError ? { is_error: true } : {}),
        },
      ],
    };
  }
  const content: ContentBlockParam[] = message.content ? [{ type: "text", text: message.content }] : [];
  for (const call of message.toolCalls)
    content.push({ type: "tool_use", id: call.id, name: call.name, input: parseInput(call.args) });
  // The API refuses an empty assistant message; a turn with nothing in it carries nothing to keep.
  return content.length > 0 ? { role: "assistant", content } : undefined;
}

function blocks(content: MessageParam["content"]): ContentBlockParam[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : [...content];
}

/** `tool_use.input` must be an object; a model's broken JSON becomes `{}` (its tool result says what went wrong). */
function parseInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args || "{}");
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toTool(tool: ToolSpec): Tool {
  return { name: tool.name, description: tool.description, input_schema: tool.parameters as Tool.InputSchema };
}
