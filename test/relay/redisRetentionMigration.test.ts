// Events a relay on Redis stored before retention existed (only their thread's zset and the
// host's list of threads, no age entry, no byte count) are indexed when a relay starts, so the
// sweep deletes them by age and counts them in the host's quota; two relays starting at once on
// the same data index each event once.

import assert from "node:assert/strict";
import { createClient } from "redis";
import { randomId } from "#protocol";
import { memoryLogger } from "../../relay/log";
import { migrateRedis } from "../../relay/store/redisMigrations";
import { startRedis, type TestRedis } from "../support/redisServer";
import { startRelay, type TestRelay } from "../support/relay";

const DAY = 24 * 60 * 60 * 1000;
const SIZE = 100; // sealed bytes of each event: iv and ciphertext

describe("relay on Redis: events stored before retention", function () {
  this.timeout(30_000);
  let redis: TestRedis;
  let client: ReturnType<typeof createClient>;
  const relays: TestRelay[] = [];

  before(async () => {
    redis = await startRedis();
    client = createClient({ url: redis.url });
    await client.connect();
  });
  after(async () => {
    await client?.close();
    await redis?.stop();
  });
  afterEach(async () => {
    for (const r of relays.splice(0)) await r.stop();
  });

  /** What appendEvent wrote before retention: the event in its thread's zset, the thread in the host's list. */
  const storeTheOldWay = async (p: string, hostId: string, threadId: string, seqs: number[], at: number) => {
    const multi = client.multi().zAdd(`${p}host:${hostId}:threads`, { score: 0, value: threadId });
    for (const seq of seqs) {
      const json = JSON.stringify({ seq, e: 1, iv: "A".repeat(16), ct: `C${seq}`.padEnd(SIZE - 16, "x"), at });
      multi.zAdd(`${p}events:${hostId}:${threadId}`, { score: seq, value: json });
    }
    await multi.exec();
  };
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it("indexes them when relays start, once even with two at once, and the sweep deletes those past the age limit", async () => {
    const p = `t${randomId(6)}:`;
    const t = Date.now();
    await storeTheOldWay(p, "h1", "old", range(1, 3), t - 40 * DAY);
    await storeTheOldWay(p, "h1", "recent", range(1, 5), t - DAY);
    // More than one batch of the migration.
    await storeTheOldWay(p, "h2", "long", range(1, 2_500), t - 40 * DAY);

    const start = () =>
      startRelay({ now: () => t, redisPrefix: p, config: { redis: redis.url, retention: { days: 30, hostQuotaBytes: 0 } } });
    relays.push(...(await Promise.all([start(), start()])));
    const [a, b] = relays as [TestRelay, TestRelay];
    assert.deepEqual(await a.store.hostsWithEvents(), ["h1", "h2"]);
    assert.equal(await a.store.storedBytes("h1"), 8 * SIZE, "each old event counted once in its host's bytes");
    assert.equal(await a.store.storedBytes("h2"), 2_500 * SIZE);

    // Stored the way of today after the migration: counted once, not again by it.
    await b.store.appendEvent({
      hostId: "h1",
      threadId: "recent",
      seq: 6,
      box: { e: 1, iv: "B".repeat(16), ct: "y".repeat(84) },
      at: t,
    });
    assert.equal(await b.store.storedBytes("h1"), 9 * SIZE);

    assert.equal(await a.retention.sweep(), 3 + 2_500, "the forty-day-old events");
    const left = await a.store.eventsAfter("h1", {}, 100);
    assert.deepEqual(
      left.events.map((e) => `${e.threadId} ${e.seq}`),
      range(1, 6).map((seq) => `recent ${seq}`),
    );
    assert.deepEqual(await a.store.trimmedThreads("h1"), { old: 4 });
    assert.equal(await a.store.storedBytes("h1"), 6 * SIZE);
    assert.equal(await a.store.storedBytes("h2"), 0);
    assert.equal((await a.store.eventsAfter("h2", {}, 10)).events.length, 0);

    // Taken up again (as after a start cut short): nothing is indexed or counted twice.
    await client.hDel(`${p}meta`, "layout");
    assert.equal(await migrateRedis(client, p, memoryLogger()), 0);
    assert.equal(await a.store.storedBytes("h1"), 6 * SIZE);
    assert.equal(await client.hGet(`${p}meta`, "layout"), "2");
  });
});
