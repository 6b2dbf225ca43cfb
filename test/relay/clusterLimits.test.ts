// Two relay processes (dist/relay.js) on one real redis-server: a limit an address used up, or a
// sign-in pause it earned, through one process holds on the other, as behind a load balancer
// that spreads one client's connections over both. (A relay alone keeps them in memory:
// test/relay/limits.test.ts.)

import assert from "node:assert/strict";
import { createClient } from "redis";
import { ErrorCode, HTTP_COMMAND_PATH, randomId, type ConnectErrorData } from "#protocol";
import { redisCounters } from "../../relay/cluster/limits";
import { memoryCounters, type LimitCounters } from "../../relay/rateLimit";
import { connect, connected, type PhoneSocket } from "../support/phone";
import { startRedis, type TestRedis } from "../support/redisServer";
import { startRedisRelayProcess, type RedisRelayProcess } from "../support/redisRelayProcess";

describe("relay processes sharing Redis: rate limits and sign-in pauses", function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let a: RedisRelayProcess;
  let b: RedisRelayProcess;
  const sockets: PhoneSocket[] = [];

  before(async () => {
    redis = await startRedis();
    [a, b] = await Promise.all([startRedisRelayProcess(redis.url), startRedisRelayProcess(redis.url)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });
  // Each test starts from no counts at all.
  beforeEach(async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    await client.flushAll();
    await client.close();
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  const anonymous = async (url: string): Promise<PhoneSocket> => {
    const socket = connect(url);
    sockets.push(socket);
    await connected(socket);
    return socket;
  };
  const register = async (socket: PhoneSocket) => socket.timeout(5000).emitWithAck("host:register", {});
  const attempt = async (url: string, token: string): Promise<ConnectErrorData | "admitted"> => {
    const socket = connect(url, { token });
    try {
      await connected(socket);
      return "admitted";
    } catch (err) {
      return (err as { data: ConnectErrorData }).data;
    } finally {
      socket.close();
    }
  };

  it("refuses a registration on one process once the address used its budget on the other", async () => {
    const onA = await anonymous(a.url);
    for (let i = 0; i < 20; i++) assert.equal((await register(onA)).ok, true, `registration ${i + 1} of 20`);
    const onB = await anonymous(b.url);
    const refused = await register(onB);
    assert.equal(!refused.ok && refused.code, ErrorCode.RateLimited, "the 21st registration in the hour, on B");
    assert.equal(!(await register(onA)).ok, true, "and on A");
  });

  it("pauses sign-ins from an address on every process once it failed on one, on the socket and over HTTP", async () => {
    const registered = await register(await anonymous(a.url));
    assert.ok(registered.ok);
    const bogus = "x".repeat(43);
    for (let i = 0; i < 11; i++) {
      assert.equal(((await attempt(a.url, bogus)) as ConnectErrorData).code, ErrorCode.Unauthorized, `failure ${i + 1} on A`);
    }
    // The eleventh failure (on A) started a pause of a second; B knows it.
    const paused = await attempt(b.url, registered.token);
    assert.equal((paused as ConnectErrorData).code, ErrorCode.RateLimited, "even a good token waits out the pause, on B");
    assert.match((paused as ConnectErrorData).message, /try again in 1 s/);
    const http = await fetch(b.url + HTTP_COMMAND_PATH, {
      method: "POST",
      headers: { Authorization: `Bearer ${registered.token}`, "Content-Type": "application/json" },
      body: "{}",
    });
    assert.equal(http.status, 429);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.equal(await attempt(b.url, registered.token), "admitted", "after the pause, on B");
    assert.equal(((await attempt(a.url, bogus)) as ConnectErrorData).code, ErrorCode.Unauthorized, "a success on B forgave A");
  });
});

describe("limit counters in Redis and in memory", function () {
  let redis: TestRedis;
  let client: ReturnType<typeof createClient>;
  let t = 0;
  before(async () => {
    redis = await startRedis();
    client = createClient({ url: redis.url });
    await client.connect();
  });
  after(async () => {
    await client?.close();
    await redis?.stop();
  });

  const kinds: [string, () => LimitCounters][] = [
    ["memory", () => memoryCounters(() => t)],
    ["Redis", () => redisCounters(client, `t${randomId(6)}:`, () => t)],
  ];
  for (const [kind, make] of kinds) {
    it(`slides a window per key (${kind})`, async () => {
      t = 1_000_000;
      const window = make().window("w", 3, 1_000);
      const takes = async (key: string, n: number) => {
        const out: boolean[] = [];
        for (let i = 0; i < n; i++) out.push(await window.take(key));
        return out;
      };
      assert.deepEqual(await takes("ip", 4), [true, true, true, false]);
      assert.deepEqual(await takes("other", 1), [true], "another key counts on its own");
      t += 999;
      assert.deepEqual(await takes("ip", 1), [false], "still in the window");
      t += 1;
      assert.deepEqual(await takes("ip", 4), [true, true, true, false], "a refused hit was not counted");
    });

    it(`pauses sign-ins twice as long each time, and forgets after a success (${kind})`, async () => {
      t = 1_000_000;
      const pauses = make().signIns({ free: 3, windowMs: 60_000, firstMs: 1000, maxMs: 4000 });
      for (let i = 0; i < 3; i++) await pauses.failed("ip");
      assert.equal(await pauses.waitFor("ip"), 0);
      await pauses.failed("ip");
      assert.equal(await pauses.waitFor("ip"), 1000);
      assert.equal(await pauses.waitFor("other"), 0);
      t += 1000;
      assert.equal(await pauses.waitFor("ip"), 0);
      await pauses.failed("ip");
      assert.equal(await pauses.waitFor("ip"), 2000);
      t += 2000;
      await pauses.failed("ip");
      await pauses.failed("ip");
      assert.equal(await pauses.waitFor("ip"), 4000, "capped");
      await pauses.succeeded("ip");
      assert.equal(await pauses.waitFor("ip"), 0);
      await pauses.failed("ip");
      assert.equal(await pauses.waitFor("ip"), 0, "the failures before the success are forgotten");
    });
  }
});
