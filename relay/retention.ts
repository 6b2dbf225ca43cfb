// Retention: each host's history is kept for `days` and up to `hostQuotaBytes` of sealed bytes;
// past either, its oldest events are deleted. A sweep runs shortly after start and then every
// hour, in small batches with the event loop free between them, so live traffic is not held
// up. With several relay processes on one Redis each sweeps; the store makes every batch atomic,
// so two sweeps at once delete nothing twice. Phones learn of a trimmed thread at catch-up.

import type { Retention } from "./config";
import type { Logger } from "./log";
import type { RelayStore } from "./store/store";

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 2_000;
export const SWEEP_EVERY_MS = 60 * 60 * 1000;
const FIRST_SWEEP_MS = 30 * 1000;

export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly store: RelayStore,
    private readonly retention: Retention,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  start(): void {
    if (this.retention.days === 0 && this.retention.hostQuotaBytes === 0) return;
    this.schedule(FIRST_SWEEP_MS);
  }

  /** One sweep over every host; resolves with how many events it deleted. */
  sweep(): Promise<number> {
    this.running ??= this.sweepAll().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweep()
        .catch((err: unknown) => this.log.warn("retention sweep failed", { error: (err as Error)?.message ?? String(err) }))
        .finally(() => this.schedule(SWEEP_EVERY_MS));
    }, ms);
    this.timer.unref();
  }

  private async sweepAll(): Promise<number> {
    const { days, hostQuotaBytes } = this.retention;
    const olderThan = days === 0 ? 0 : this.now() - days * DAY_MS;
    let total = 0;
    for (const hostId of await this.store.hostsWithEvents()) {
      let deleted = 0;
      for (;;) {
        if (this.stopped) return total + deleted;
        const batch = await this.store.trimEvents(hostId, olderThan, hostQuotaBytes, BATCH);
        deleted += batch.deleted;
        if (!batch.more) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (deleted > 0) this.log.info("retention trimmed a host's history", { host: hostId, events: deleted });
      total += deleted;
    }
    return total;
  }
}
