// Which model to talk to, from the command line and the environment, read in this one place.
// Messages name the variables to set and never contain a key.

import { AnthropicModel } from "./anthropic";
import { OpenAIModel } from "./openai";
import { ModelNotConfigured, type ModelPort } from "./port";

export interface ModelOptions {
  /** `provider:model` or a bare model name; falls back to `TETHER_MODEL`. */
  model?: string;
  /** For a bare model name: which API it speaks. Default: `claude-*` is Anthropic, anything else OpenAI-compatible. */
  provider?: "openai" | "anthropic";
  /** Overrides `OPENAI_BASE_URL` / `ANTHROPIC_BASE_URL` (and Ollama's default address). */
  baseUrl?: string;
  /** Overrides `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`. */
  apiKey?: string;
}

export const OLLAMA_BASE_URL = "http://localhost:11434/v1";

const EXAMPLES =
  "e.g. anthropic:claude-sonnet-4-5 (with ANTHROPIC_API_KEY), openai:gpt-4.1 (with OPENAI_API_KEY) " +
  "or ollama:qwen2.5-coder (a local Ollama, no key)";

export function resolveModel(options: ModelOptions, env: NodeJS.ProcessEnv): ModelPort {
  const spec = value(options.model) ?? value(env.TETHER_MODEL);
  if (!spec) throw new ModelNotConfigured(`No model is configured. Pass --model or set TETHER_MODEL, ${EXAMPLES}.`);
  const { provider, model } = parseSpec(spec, options.provider);
  if (!model) throw new ModelNotConfigured(`"${spec}" names no model. Use provider:model, ${EXAMPLES}.`);

  if (provider === "anthropic") {
    const apiKey = value(options.apiKey) ?? value(env.ANTHROPIC_API_KEY);
    if (!apiKey) throw new ModelNotConfigured(`ANTHROPIC_API_KEY is not set. Set it to use ${model}.`);
    const baseURL =
      checkUrl(value(options.baseUrl), "--base-url") ?? checkUrl(value(env.ANTHROPIC_BASE_URL), "ANTHROPIC_BASE_URL");
    return new AnthropicModel({ model, apiKey, baseURL });
  }

  if (provider === "ollama") {
    const baseURL = checkUrl(value(options.baseUrl), "--base-url") ?? OLLAMA_BASE_URL;
    return new OpenAIModel({ model, baseURL, apiKey: value(options.apiKey), provider: "ollama" });
  }

  const baseURL = checkUrl(value(options.baseUrl), "--base-url") ?? checkUrl(value(env.OPENAI_BASE_URL), "OPENAI_BASE_URL");
  const apiKey = value(options.apiKey) ?? value(env.OPENAI_API_KEY);
  if (!apiKey && !baseURL) {
    throw new ModelNotConfigured(
      `OPENAI_API_KEY is not set. Set it, or point OPENAI_BASE_URL at a local server such as Ollama (${OLLAMA_BASE_URL}).`,
    );
  }
  return new OpenAIModel({ model, baseURL, apiKey });
}

/** The model part of `--help`. */
export function describeModelOptions(): string {
  return [
    "Model (--model or TETHER_MODEL, as provider:model):",
    "  anthropic:claude-sonnet-4-5   needs ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL for a proxy",
    "  openai:gpt-4.1                needs OPENAI_API_KEY",
    `  ollama:qwen2.5-coder          a local Ollama at ${OLLAMA_BASE_URL}, no key`,
    "  A bare name picks the API: claude-* is Anthropic, anything else OpenAI-compatible.",
    "  LM Studio, vLLM, OpenRouter: set OPENAI_BASE_URL to the server's /v1 URL (and OPENAI_API_KEY if it needs one).",
  ].join("\n");
}

type Provider = "openai" | "anthropic" | "ollama";

/**
 * Only known prefixes count as a provider: Ollama names have colons of their own
 * (`qwen2.5-coder:7b`, `ollama:qwen2.5-coder:7b`).
 */
function parseSpec(spec: string, fallback: ModelOptions["provider"]): { provider: Provider; model: string } {
  const match = /^(openai|anthropic|ollama):(.*)$/i.exec(spec);
  if (match) return { provider: match[1]!.toLowerCase() as Provider, model: match[2]!.trim() };
  return { provider: fallback ?? (/^claude-/i.test(spec) ? "anthropic" : "openai"), model: spec };
}

function checkUrl(url: string | undefined, name: string): string | undefined {
  if (url === undefined) return undefined;
  if (!/^https?:\/\/[^/]/i.test(url)) {
    throw new ModelNotConfigured(`${name} must be an http(s) URL such as ${OLLAMA_BASE_URL}.`);
  }
  return url.replace(/\/+$/, "");
}

function value(text: string | undefined): string | undefined {
  return text?.trim() || undefined;
}
