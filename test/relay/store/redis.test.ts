// The Redis store against a real redis-server: the store contract (as SQLite passes it), two
// stores racing as two relay processes would, and what is particular to Redis: keys under the
// prefix only, scripts loaded again after the server forgot them, calls that fail rather than
// hang while the server is away.

import assert from "node:assert/strict";
import { createClient } from "redis";
import { RedisStore } from "../../../relay/store/redis";
import { randomId } from "#protocol";
import { startRedis, type TestRedis } from "../../support/redisServer";
import { box, storeContract } from "./contract";
import { pagesContract } from "./pagesContract";
import { sharesContract } from "./sharesContract";

let redis: TestRedis;
before(async function () {
  this.timeout(20_000);
  redis = await startRedis();
});
after(() => redis?.stop());

// Each test its own prefix: one server, no test sees another's keys.
const prefix = (): string => `t${randomId(6)}:`;

storeContract("Redis", {
  open: () => RedisStore.open(redis.url, { prefix: prefix() }),
  async openTwice() {
    const p = prefix();
    return [await RedisStore.open(redis.url, { prefix: p }), await RedisStore.open(redis.url, { prefix: p })];
  },
});

pagesContract("Redis", () => RedisStore.open(redis.url, { prefix: prefix() }));
sharesContract("Redis", () => RedisStore.open(redis.url, { prefix: prefix() }));

describe("Redis store: its server", () => {
  it("writes only keys under its prefix, tether: by default", async () => {
    const probe = createClient({ url: redis.url });
    await probe.connect();
    try {
      await probe.flushAll();
      const store = await RedisStore.open(redis.url);
      await store.insertDevice({ id: "h", kind: "host", tokenHash: "x", createdAt: 1, lastSeen: 1, revokedAt: null });
      await store.linkPhone("p", "h", 1);
      await store.enqueueCommand({ hostId: "h", id: "c", from: "p", box: box(1), at: 1 });
      await store.appendEvent({ hostId: "h", threadId: "t", seq: 1, box: box(1), at: 1 });
      await store.putRecord({ hostId: "h", key: "profile", box: box(1), at: 1 });
      await store.initMeta("vapid", "v");
      await store.close();
      const keys = await probe.keys("*");
      assert.ok(keys.length >= 8, keys.join(" "));
      assert.deepEqual(
        keys.filter((k) => !k.startsWith("tether:")),
        [],
      );
    } finally {
      await probe.close();
    }
  });

  it("loads its scripts again after the server forgot them", async () => {
    const store = await RedisStore.open(redis.url, { prefix: prefix() });
    const probe = createClient({ url: redis.url });
    await probe.connect();
    try {
      await store.linkPhone("p", "h", 1);
      await probe.scriptFlush();
      assert.equal(await store.enqueueCommand({ hostId: "h", id: "c", from: "p", box: box(1), at: 1 }), "alone");
    } finally {
      await probe.close();
      await store.close();
    }
  });

  it("fails a call at once while the server is away", async function () {
    this.timeout(30_000);
    const own = await startRedis();
    const store = await RedisStore.open(own.url, { prefix: prefix() });
    try {
      await store.initMeta("k", "v");
      await own.stop();
      const started = Date.now();
      await assert.rejects(store.meta("k"));
      assert.ok(Date.now() - started < 1000, "no call waits for a server that is not there");
    } finally {
      await store.close().catch(() => undefined);
    }
  });
});
