// The one way tests wait: for the thing a step stands for (a socket count, an event, a file on
// disk), never for a fixed time. `until` polls a check until it holds; `quietFor` is the other
// side, a window in which something must NOT happen, measured from the action that could cause
// it. The machines are shared and noisy: the time limits are generous, and a test that passes
// only within them on a quiet machine is not a test of speed (that lives in `npm run bench`).

/** How often a check is asked again. */
const EVERY_MS = 10;

type Pending = undefined | null | false;

/**
 * Resolves with the first value `check` gives that is not `undefined`, `null` or `false`; it is
 * asked at once, then every 10 ms. Rejects after `ms` with `what` in the message, and with the
 * last error `check` threw, if any.
 */
export async function until<T>(what: string, check: () => T | Pending | Promise<T | Pending>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${ms} ms waiting for ${what}${why}`);
    }
    await delay(EVERY_MS);
  }
}

/**
 * Resolves once `ms` have passed with `happened` false all along; rejects as soon as it turns
 * true, naming `what` (the thing that must not happen). Start it right after the action that
 * could cause it, so the window is measured from there.
 */
export async function quietFor(what: string, ms: number, happened: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await happened()) throw new Error(`${what} happened within ${ms} ms`);
    const left = end - Date.now();
    if (left <= 0) return;
    await delay(Math.min(EVERY_MS, left));
  }
}

/** A promise that resolves after `ms`: for pacing a sender, never for waiting on an outcome. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
