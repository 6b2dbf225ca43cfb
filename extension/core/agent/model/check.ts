// The host's model check at start: is a model configured, and does its server answer? The
// result goes to the phones in the host profile, so a person learns of a missing key or a
// stopped server before typing a task, not after. The check spends no tokens.

import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { ModelStatus } from "#protocol";
import { ModelNotConfigured, UnknownModel, type ModelPort } from "./port";

export const MODEL_CHECK_TIMEOUT_MS = 5000;

/** Resolves the default model and asks its server; never throws. */
export async function checkModel(resolve: () => ModelPort, timeoutMs: number = MODEL_CHECK_TIMEOUT_MS): Promise<ModelStatus> {
  let port: ModelPort;
  try {
    port = resolve();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return error instanceof ModelNotConfigured
      ? { state: "missing", detail: bounded(detail) }
      : { state: "error", detail: bounded(detail) };
  }
  if (!port.check) return { state: "ok" };
  try {
    await port.check(timeoutMs);
    return { state: "ok" };
  } catch (error) {
    // The editor's models: none offered is a model not set up, not a server failing.
    if (error instanceof ModelNotConfigured) return { state: "missing", detail: bounded(error.message) };
    return {
      state: "error",
      detail: bounded(describeModelFailure(error, timeoutMs)),
      ...(port.server ? { server: port.server.slice(0, 200) } : {}),
    };
  }
}

/**
 * An SDK error from the check, in words a person on a phone can act on. The two SDKs share
 * their error shapes (`status` on HTTP errors, a named class for timeouts, the network
 * error as `cause`), so this reads them by shape and works for both; timeouts are told by class.
 */
export function describeModelFailure(error: unknown, timeoutMs: number = MODEL_CHECK_TIMEOUT_MS): string {
  if (error instanceof UnknownModel) {
    return `it does not have the model "${error.model}"; pick one the server lists, or download it there first`;
  }
  const timedOut =
    error instanceof OpenAI.APIConnectionTimeoutError ||
    error instanceof Anthropic.APIConnectionTimeoutError ||
    (error instanceof Error && error.name === "TimeoutError");
  if (timedOut) {
    return `it did not answer within ${Math.round(timeoutMs / 1000)} seconds; is the server running and reachable from the computer?`;
  }
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number") {
    if (status === 401) return "it refused the API key (401); set a valid key on the computer";
    if (status === 403) return "the API key is not allowed to use it (403); check the key's permissions";
    if (status === 404) return "it has no model list at that address (404); check the base URL on the computer";
    if (status === 429) return "it is rate limiting this key (429); tasks may wait before they start";
    if (status >= 500) return `it has a problem of its own (${status}); try again later`;
    return `it answered with an error (${status})`;
  }
  const code = networkCode(error);
  if (code === "ECONNREFUSED") return "nothing is listening there (connection refused); start the model server";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "that address does not resolve; check the base URL or the network";
  if (code === "ECONNRESET") return "it hung up on the connection; check the server";
  if (code?.startsWith("CERT_") || code?.includes("CERT") || code?.includes("SSL")) {
    return "its TLS certificate was not accepted; check the address";
  }
  return `it could not be reached (${code ?? rootMessage(error)})`;
}

/** The `code` of the innermost network error (`ECONNREFUSED`), under the SDK's "Connection error.". */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  let code: string | undefined;
  for (let depth = 0; current && depth < 8; depth++) {
    const found = (current as { code?: unknown }).code;
    if (typeof found === "string") code = found;
    current = (current as { cause?: unknown }).cause;
  }
  return code;
}

function rootMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function bounded(text: string): string {
  return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}
