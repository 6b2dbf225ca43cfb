// The model port: one call = one assistant turn, streamed. Adapters (OpenAI-compatible,
// Anthropic, the editor's `vscode.lm`) translate this to their wire format; the agent loop
// knows nothing else about providers.

/** A tool call as the model made it. `args` is the raw JSON text the model produced. */
export interface ToolCall {
  id: string;
  name: string;
  args: string;
}

export type ModelMessage =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls: ToolCall[] }
  | { role: "tool"; callId: string; name: string; content: string; isError?: boolean };

/** A tool as offered to the model: JSON Schema for its arguments. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ModelRequest {
  system: string;
  messages: readonly ModelMessage[];
  tools: readonly ToolSpec[];
  /** Aborting ends the HTTP request at once; the call then rejects with an `AbortError`. */
  signal: AbortSignal;
  /** Each piece of assistant text as it streams in. */
  onText?: (delta: string) => void;
}

export interface ModelTurn {
  text: string;
  toolCalls: ToolCall[];
  /** `end`: the model finished; `tool-calls`: it wants tools run; `length`: cut at max tokens. */
  stop: "end" | "tool-calls" | "length";
  usage?: { input: number; output: number };
}

export interface ModelPort {
  /** `provider:model`, e.g. `openai:gpt-4.1`, `anthropic:claude-sonnet-4-5`, shown on the phone. */
  readonly id: string;
  complete(request: ModelRequest): Promise<ModelTurn>;
  /**
   * Asks the provider whether the model is there without spending tokens (its model list);
   * rejects with the SDK's own error, or `UnknownModel`. Absent where there is nothing to ask.
   */
  check?(timeoutMs: number): Promise<void>;
  /** The host name of the server the model is behind, for messages (no path, no credentials). */
  readonly server?: string;
}

/** The provider answered, and does not have the model asked for. */
export class UnknownModel extends Error {
  constructor(readonly model: string) {
    super(`unknown model ${model}`);
    this.name = "UnknownModel";
  }
}

/** A provider error in words a person can act on. */
export class ModelError extends Error {
  constructor(
    message: string,
    /** HTTP status when there was one. */
    readonly status: number | undefined,
    /** 429, 5xx, connection resets: worth trying again. */
    readonly retryable: boolean,
    /** From a `retry-after` header, when the provider sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ModelError";
  }
}

/** Thrown when a task starts with no model configured; the message says what to set. */
export class ModelNotConfigured extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelNotConfigured";
  }
}
