import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ErrorCode, HTTP_COMMAND_PATH, type ConnectErrorData } from "#protocol";
import { AuthBackoff, TokenBuckets } from "../../relay/rateLimit";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, pairPhone, type PairedPhone } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";

describe("relay: per-device budgets and sign-in backoff", () => {
  describe("TokenBuckets", () => {
    it("lets a burst through, then the rate, per key", () => {
      let t = 0;
      const buckets = new TokenBuckets(10, 30, () => t);
      const taken = Array.from({ length: 40 }, () => buckets.take("a")).filter(Boolean).length;
      assert.equal(taken, 30, "the burst");
      assert.equal(buckets.take("b"), true, "another key has its own bucket");
      t += 500;
      assert.equal(Array.from({ length: 10 }, () => buckets.take("a")).filter(Boolean).length, 5, "half a second refills 5");
      t += 60_000;
      assert.equal(Array.from({ length: 40 }, () => buckets.take("a")).filter(Boolean).length, 30, "never more than the burst");
    });
  });

  describe("AuthBackoff", () => {
    it("is free for the first failures, then pauses for twice as long each time, and forgets after a success", () => {
      let t = 0;
      const backoff = new AuthBackoff({ free: 3, windowMs: 60_000, firstMs: 1000, maxMs: 4000 }, () => t);
      for (let i = 0; i < 3; i++) backoff.failed("ip");
      assert.equal(backoff.waitFor("ip"), 0);
      backoff.failed("ip");
      assert.equal(backoff.waitFor("ip"), 1000);
      assert.equal(backoff.waitFor("other"), 0);
      t += 1000;
      assert.equal(backoff.waitFor("ip"), 0);
      backoff.failed("ip");
      assert.equal(backoff.waitFor("ip"), 2000);
      t += 2000;
      backoff.failed("ip");
      backoff.failed("ip");
      assert.equal(backoff.waitFor("ip"), 4000, "capped");
      backoff.succeeded("ip");
      assert.equal(backoff.waitFor("ip"), 0);
    });
  });

  describe("a relay", () => {
    let relay: TestRelay;
    let workspace: string;
    let host: TestHost;
    let phone: PairedPhone;
    let t = Date.now();

    beforeEach(async () => {
      t = Date.now();
      relay = await startRelay({ now: () => t, config: { eventRates: { phone: 2, host: 1000 } } });
      workspace = makeWorkspace({ "README.md": "hello\n" });
      host = await startHost(relay.url, workspace);
      phone = await pairPhone((await host.host.openPairing()).url);
    });

    afterEach(async () => {
      phone.close();
      await host.stop();
      await relay.stop();
      rmSync(workspace, { recursive: true, force: true });
    });

    it("answers a phone over its budget with rate-limited, and serves it again once the budget refills", async () => {
      const sync = () => phone.socket.timeout(5000).emitWithAck("sync", { hostId: phone.hostId, cursors: {} });
      const answers = await Promise.all(Array.from({ length: 30 }, sync));
      const limited = answers.filter((a) => !a.ok && a.code === ErrorCode.RateLimited);
      // A rate of 2 a second allows bursts of 20; pairing itself took a few of them.
      assert.ok(limited.length >= 10 && limited.length < 30, `${limited.length} of 30 limited`);
      assert.match(!limited[0]!.ok ? limited[0]!.message : "", /slow down/);
      t += 5_000;
      const later = await sync();
      assert.equal(later.ok, true, "ten tokens back after five seconds");
      assert.ok(relay.logs.filter((l) => l.includes("over its event budget")).length === 1, "logged once, not per event");
    });

    it("pauses sign-ins from an address after ten failures, on the socket and over HTTP, and lets it in after the pause", async () => {
      const attempt = async (token: string): Promise<ConnectErrorData | "admitted"> => {
        const socket = connect(relay.url, { token });
        try {
          await connected(socket);
          return "admitted";
        } catch (err) {
          return (err as { data: ConnectErrorData }).data;
        } finally {
          socket.close();
        }
      };
      const bogus = "x".repeat(43);
      for (let i = 0; i < 10; i++) assert.equal(((await attempt(bogus)) as ConnectErrorData).code, ErrorCode.Unauthorized);
      assert.equal(((await attempt(bogus)) as ConnectErrorData).code, ErrorCode.Unauthorized, "the eleventh starts the pause");
      const paused = await attempt(phone.token);
      assert.equal((paused as ConnectErrorData).code, ErrorCode.RateLimited, "even a good token waits out the pause");
      assert.match((paused as ConnectErrorData).message, /try again in 1 s/);

      const http = await fetch(relay.url + HTTP_COMMAND_PATH, {
        method: "POST",
        headers: { Authorization: `Bearer ${phone.token}`, "Content-Type": "application/json" },
        body: "{}",
      });
      assert.equal(http.status, 429);
      assert.equal(http.headers.get("retry-after"), "1");

      t += 1_000;
      assert.equal(await attempt(phone.token), "admitted");
      assert.equal(((await attempt(bogus)) as ConnectErrorData).code, ErrorCode.Unauthorized, "a success forgave the address");
    });
  });
});
