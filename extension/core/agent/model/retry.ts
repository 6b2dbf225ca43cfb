// Retrying a model call where the person can see it. The SDKs' own retries are switched off
// (`maxRetries: 0`) because they wait in silence; here every wait is announced through
// `onRetry` so the phone can say why nothing is happening, and a stop ends the wait at once.

import { ModelError, type ModelPort, type ModelRequest } from "./port";

export interface RetryInfo {
  /** The attempt that just failed, from 1. */
  attempt: number;
  /** How many attempts there are in all. */
  attempts: number;
  /** How long until the next attempt. */
  inMs: number;
  status: number | undefined;
  /** The failure, as `ModelError.message`. */
  message: string;
}

export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  attempts?: number;
  /** First wait; it doubles on each retry up to 60 s. A `retry-after` from the provider wins. Default 2000. */
  baseDelayMs?: number;
  onRetry?: (info: RetryInfo) => void;
  /** Must reject with an `AbortError` when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const MAX_DELAY_MS = 60_000;

export function withRetry(model: ModelPort, options: RetryOptions = {}): ModelPort {
  const attempts = Math.max(1, options.attempts ?? 5);
  const baseDelayMs = options.baseDelayMs ?? 2000;
  const sleep = options.sleep ?? abortableSleep;
  return {
    id: model.id,
    async complete(request: ModelRequest) {
      for (let attempt = 1; ; attempt++) {
        let streamed = false;
        const onText = (delta: string) => {
          streamed = true;
          request.onText?.(delta);
        };
        try {
          return await model.complete({ ...request, onText });
        } catch (error) {
          // Once text has streamed, the phone has shown half a turn; a retry would show another.
          if (!(error instanceof ModelError) || !error.retryable || streamed || request.signal.aborted) throw error;
          if (attempt >= attempts) {
            if (attempts === 1) throw error;
            throw new ModelError(`${error.message} (gave up after ${attempts} attempts)`, error.status, false);
          }
          const inMs = error.retryAfterMs ?? Math.min(baseDelayMs * 2 ** (attempt - 1), MAX_DELAY_MS);
          options.onRetry?.({ attempt, attempts, inMs, status: error.status, message: error.message });
          await sleep(inMs, request.signal);
        }
      }
    },
  };
}

/** One line for the phone, e.g. "The model is busy (429 rate limited); retrying in 4 s (attempt 3 of 5)." */
export function formatRetry(info: RetryInfo): string {
  const busy = info.status === 429 || info.status === 503 || info.status === 529;
  const seconds = Math.max(1, Math.round(info.inMs / 1000));
  return (
    `${busy ? "The model is busy" : "The model request failed"} (${describeStatus(info.status)}); ` +
    `retrying in ${seconds} s (attempt ${info.attempt + 1} of ${info.attempts}).`
  );
}

function describeStatus(status: number | undefined): string {
  if (status === undefined) return "connection failed";
  const names: Record<number, string> = {
    408: "timeout",
    409: "conflict",
    429: "rate limited",
    503: "unavailable",
    529: "overloaded",
  };
  return `${status} ${names[status] ?? (status >= 500 ? "server error" : "error")}`;
}

// Shared by the adapters: which answers are worth another try, and how long the provider asks us to wait.

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (ms >= 0) return ms;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** undici's error when the server hangs up on a response that was streaming. */
export function isDroppedStream(error: unknown): boolean {
  return error instanceof TypeError && error.message === "terminated";
}

/** The innermost cause, e.g. `connect ECONNREFUSED 127.0.0.1:11434` under the SDK's "Connection error." */
export function rootCause(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/** A base URL fit for a message: without any `user:password@` in it. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//");
}

/** What a stopped call rejects with: the agent tells a stop from a failure by `name`. */
export function abortError(): Error {
  const error = new Error("The model request was stopped.");
  error.name = "AbortError";
  return error;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
