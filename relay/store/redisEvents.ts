// A host's events appended in one turn of the event loop go to Redis as one script call (one
// round trip, one EVALSHA carrying them all), the way the SQLite store commits a turn's events
// in one transaction. Each caller is answered with its own event's outcome once the call ran.

import type { StoredEvent } from "#protocol";
import type { RedisClient } from "./redis";
import { APPEND_EVENTS } from "./redisScripts";

export type AppendOutcome = "stored" | "duplicate" | "conflict";

interface Pending {
  event: StoredEvent;
  resolve: (outcome: AppendOutcome) => void;
  reject: (err: unknown) => void;
}

/** At most this many events in one script call (its arguments stay a few hundred KB). */
const MAX_GROUP = 256;

/** Where a host's events live, named by the store that owns the keys. */
export interface EventKeys {
  events(hostId: string, threadId: string): string;
  threads(hostId: string): string;
  ages(hostId: string): string;
  bytes(hostId: string): string;
  hostsWithEvents(): string;
}

export class RedisEventGroups {
  private pending: Pending[] = [];

  constructor(
    private readonly client: RedisClient,
    private readonly keys: EventKeys,
    private readonly run: <T>(client: RedisClient, script: string, keys: string[], args: (string | number)[]) => Promise<T>,
  ) {}

  append(event: StoredEvent): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
      else if (this.pending.length >= MAX_GROUP) this.flush();
    });
  }

  /**
   * Sends what waits now, one script call per host. The store calls this before any other
   * command: the client sends commands in the order they are made, so whatever is asked after
   * an append (a read, a thread's deletion) runs after it in Redis too.
   */
  flush(): void {
    if (this.pending.length === 0) return;
    const byHost = new Map<string, Pending[]>();
    for (const p of this.pending) {
      const group = byHost.get(p.event.hostId);
      if (group) group.push(p);
      else byHost.set(p.event.hostId, [p]);
    }
    this.pending = [];
    for (const [hostId, group] of byHost) this.write(hostId, group);
  }

  private write(hostId: string, group: Pending[]): void {
    const k = this.keys;
    const keys = [k.threads(hostId), k.ages(hostId), k.bytes(hostId), k.hostsWithEvents()];
    const args: (string | number)[] = [hostId];
    for (const { event: e } of group) {
      keys.push(k.events(hostId, e.threadId));
      const json = JSON.stringify({ seq: e.seq, e: e.box.e, iv: e.box.iv, ct: e.box.ct, at: e.at });
      args.push(e.seq, json, e.threadId, e.box.iv.length + e.box.ct.length, e.at);
    }
    this.run<AppendOutcome[]>(this.client, APPEND_EVENTS, keys, args).then(
      (outcomes) => group.forEach((p, i) => p.resolve(outcomes[i]!)),
      (err: unknown) => {
        for (const p of group) p.reject(err);
      },
    );
  }
}
