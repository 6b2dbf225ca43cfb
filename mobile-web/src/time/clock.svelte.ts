// A shared "now" that ticks slowly, so relative times on screen age without each
// component keeping its own timer.

export class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;

  start(intervalMs = 30_000): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => (this.now = Date.now()), intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
