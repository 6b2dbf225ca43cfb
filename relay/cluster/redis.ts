// `--redis URL`: several relay processes behind one address, sharing one Redis. Three
// connections per process: the store's (calls fail at once while Redis is away, so a request
// gets an error instead of hanging), and the Socket.IO adapter's publisher and subscriber
// (which queue while Redis is away: the adapter does not handle a failed publish). The adapter
// carries rooms, broadcasts, broadcasts with acknowledgements (commands and calls to a host on
// another process), fetchSockets and disconnectSockets between the processes.

import { randomBytes } from "node:crypto";
import { createAdapter } from "@socket.io/redis-adapter";
import type { Logger } from "../log";
import { RedisStore, redisClient, type RedisClient } from "../store/redis";
import { migrateRedis } from "../store/redisMigrations";

/** How long a relay waits for Redis when it starts before it gives up with a clear message. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * How long the adapter waits for the other processes to answer a fetchSockets or a count of
 * clients for a broadcast with acks. A process that died is out of the count once Redis saw
 * its connection close, which is at once for a process that exits or is killed.
 */
const ADAPTER_REQUEST_TIMEOUT_MS = 3_000;

export interface RedisCluster {
  /** This process among the relays: random, new at every start. */
  readonly nodeId: string;
  readonly store: RedisStore;
  /** The store's connection, for the presence bookkeeping (relay/cluster/presence.ts). */
  readonly client: RedisClient;
  readonly prefix: string;
  readonly adapter: ReturnType<typeof createAdapter>;
  /** After the Socket.IO server closed (its adapter unsubscribes first). Idempotent. */
  close(): Promise<void>;
}

/** Redacts the password of a `redis://user:pass@host` URL for the log. */
export function redisLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "redis";
  }
}

/** Logs once when a connection is lost and once when it is back, not at every retry. */
function watch(client: RedisClient, name: string, log: Logger): void {
  let down = false;
  client.on("error", (err: Error) => {
    if (down) return;
    down = true;
    log.warn("redis connection lost", { connection: name, error: err.message });
  });
  client.on("ready", () => {
    if (!down) return;
    down = false;
    log.info("redis connection back", { connection: name });
  });
}

async function connect(client: RedisClient, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`cannot reach Redis at ${redisLabel(url)}`)), CONNECT_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    client.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export async function connectRedis(url: string, options: { log: Logger; prefix?: string }): Promise<RedisCluster> {
  const prefix = options.prefix ?? "tether:";
  const client = redisClient(url, { failFast: true });
  const pub = redisClient(url);
  const sub = redisClient(url);
  const clients: [RedisClient, string][] = [
    [client, "store"],
    [pub, "publish"],
    [sub, "subscribe"],
  ];
  for (const [c, name] of clients) watch(c, name, options.log);
  try {
    await Promise.all(clients.map(([c]) => connect(c, url)));
  } catch (err) {
    for (const [c] of clients) if (c.isOpen) c.destroy();
    throw err;
  }
  try {
    // Before anything is served: what an older relay wrote is brought up to date first.
    await migrateRedis(client, prefix, options.log);
  } catch (err) {
    for (const [c] of clients) if (c.isOpen) c.destroy();
    throw err;
  }
  const store = new RedisStore(client, { prefix });
  const adapter = createAdapter(pub, sub, { key: `${prefix}io`, requestsTimeout: ADAPTER_REQUEST_TIMEOUT_MS });
  let closing: Promise<void> | undefined;
  return {
    nodeId: randomBytes(8).toString("hex"),
    store,
    client,
    prefix,
    adapter,
    close() {
      closing ??= (async () => {
        await store.close();
        // Graceful: what was sent is answered first. A connection that is down is just dropped.
        await Promise.all(clients.map(([c]) => (c.isReady ? c.close() : c.isOpen ? Promise.resolve(c.destroy()) : undefined)));
      })();
      return closing;
    },
  };
}
