// Small statistics and timing helpers shared by the scenarios.

import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

export { sleep };

export const now = (): number => performance.now();

/** The q-quantile (0–1) of `values` by nearest rank; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  return {
    n: values.length,
    p50: quantile(values, 0.5),
    p90: quantile(values, 0.9),
    p99: quantile(values, 0.99),
    max: values.length ? Math.max(...values) : NaN,
    mean,
  };
}

/** Rounds to a few significant digits for reports. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}

/** Resolves with `promise`, or rejects with `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `check` until it returns true, or rejects after `ms`. */
export async function until(check: () => boolean, ms: number, what: string, everyMs = 5): Promise<void> {
  const deadline = now() + ms;
  while (!check()) {
    if (now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await sleep(everyMs);
  }
}

/** A figure for prose: a few significant digits, with thousands separators. */
export function fmt(value: number): string {
  return round(value).toLocaleString("en-US");
}
