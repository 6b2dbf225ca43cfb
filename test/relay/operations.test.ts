import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { HTTP_COMMAND_PATH, PROTOCOL_VERSION, TETHER_VERSION } from "#protocol";
import { healthEndpoint } from "../../relay/http/ops";
import { RelayMetrics } from "../../relay/metrics";
import type { RelayStore } from "../../relay/store/store";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, pairPhone, type PairedPhone } from "../support/phone";
import { parsePrometheus, sampleValue, type Exposition } from "../support/prometheus";
import { FakePushService, makeSubscriber, startPushRelay } from "../support/pushService";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";
import { until } from "../support/wait";

const METRICS_TOKEN = "metrics-token-for-tests-0123456789";
const box = (n: number) => ({ e: 1, iv: "A".repeat(16), ct: `C${n}`.padEnd(40, "x") });

describe("relay: /healthz and /metrics", () => {
  let relay: TestRelay;
  let workspace: string;
  const hosts: TestHost[] = [];
  const phones: PairedPhone[] = [];

  const scrape = async (): Promise<Exposition> => {
    const response = await fetch(relay.url + "/metrics", { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return parsePrometheus(await response.text());
  };

  beforeEach(async () => {
    relay = await startRelay({ config: { metricsToken: METRICS_TOKEN } });
    workspace = makeWorkspace({ "README.md": "hello\n" });
  });

  afterEach(async () => {
    for (const p of phones.splice(0)) p.close();
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
    await relay.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("answers /healthz with the versions", async () => {
    const response = await fetch(relay.url + "/healthz");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.deepEqual(await response.json(), { ok: true, version: TETHER_VERSION, protocol: PROTOCOL_VERSION });
    assert.equal((await fetch(relay.url + "/healthz", { method: "POST" })).status, 405);
  });

  it("answers /healthz with 503 while the relay stops or when its store fails", async () => {
    let stopping = false;
    let broken = false;
    const store = {
      meta: () => {
        if (broken) throw new Error("SQLITE_IOERR");
        return undefined;
      },
    } as unknown as RelayStore;
    const server = createServer((req, res) => void healthEndpoint(store, () => stopping, Date.now)(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    const get = async () => {
      const response = await fetch(url);
      return [response.status, ((await response.json()) as { status?: string }).status];
    };
    try {
      assert.deepEqual(await get(), [200, undefined]);
      stopping = true;
      assert.deepEqual(await get(), [503, "stopping"]);
      stopping = false;
      broken = true;
      assert.deepEqual(await get(), [503, "store unavailable"]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("serves /metrics only with its token, and says how to turn it on", async () => {
    assert.equal((await fetch(relay.url + "/metrics")).status, 401);
    const wrong = await fetch(relay.url + "/metrics", { headers: { Authorization: "Bearer not-the-token-at-all" } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get("www-authenticate") ?? "", /^Bearer/);
    await scrape();

    const off = await startRelay();
    try {
      const response = await fetch(off.url + "/metrics", { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
      assert.equal(response.status, 404);
      assert.match(await response.text(), /--metrics-token/);
    } finally {
      await off.stop();
    }
  });

  it("counts devices, envelopes, inbox depth and store calls, with no id in any label", async () => {
    const before = await scrape();
    assert.equal(sampleValue(before, "tether_connected_devices", { kind: "host" }), 0);
    assert.equal(before.types.get("tether_store_seconds"), "histogram");
    assert.equal(before.types.get("tether_envelopes_received_total"), "counter");
    assert.ok(before.types.has("process_cpu_user_seconds_total"), "Node's own metrics are there");

    const host = await startHost(relay.url, workspace);
    hosts.push(host);
    const phone = await pairPhone((await host.host.openPairing()).url);
    phones.push(phone);
    const published = await host.host.link.request("event:publish", { threadId: "t1", seq: 1, box: box(1) });
    assert.ok(published.ok);
    // The same event again (a retry) is received but stores nothing new.
    assert.ok((await host.host.link.request("event:publish", { threadId: "t1", seq: 1, box: box(1) })).ok);

    const after = await scrape();
    assert.equal(sampleValue(after, "tether_connected_devices", { kind: "host" }), 1);
    assert.equal(sampleValue(after, "tether_connected_devices", { kind: "phone" }), 1);
    const received = { event: "event:publish", via: "socket" };
    assert.equal(sampleValue(after, "tether_envelopes_received_total", received), 2);
    assert.equal(sampleValue(after, "tether_envelopes_stored_total", { kind: "event" }), 1);
    assert.ok(sampleValue(after, "tether_envelopes_stored_total", { kind: "record" }) >= 1, "the host's profile record");
    assert.equal(sampleValue(after, "tether_store_seconds_count", { op: "appendEvent" }), 2);
    assert.ok(sampleValue(after, "tether_store_seconds_bucket", { op: "appendEvent", le: "+Inf" }) === 2);

    // A command for a host that is away waits in its inbox, and the gauge shows it.
    host.host.close();
    await until(
      "no host counted as connected",
      async () => sampleValue(await scrape(), "tether_connected_devices", { kind: "host" }) === 0,
    );
    const posted = await fetch(relay.url + HTTP_COMMAND_PATH, {
      method: "POST",
      headers: { Authorization: `Bearer ${phone.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ hostId: phone.hostId, id: "c1", box: box(2) }),
    });
    assert.equal(posted.status, 202);
    const queued = await scrape();
    assert.equal(sampleValue(queued, "tether_inbox_commands"), 1);
    assert.equal(sampleValue(queued, "tether_envelopes_received_total", { event: "command", via: "http" }), 1);
    assert.equal(sampleValue(queued, "tether_envelopes_stored_total", { kind: "command" }), 1);

    const ids = [phone.deviceId, phone.hostId, phone.token, "t1", "c1"];
    for (const s of queued.samples) {
      for (const value of Object.values(s.labels)) assert.ok(!ids.includes(value), `${s.name} has an id label: ${value}`);
    }
  });
});

describe("relay metrics: push", () => {
  it("counts pushes by transport and result", async () => {
    const service = await FakePushService.start();
    const metrics = new RelayMetrics();
    const relay = await startPushRelay(service, { metrics });
    const workspace = makeWorkspace({ "README.md": "hello\n" });
    const host = await startHost(relay.url, workspace);
    const phone = await pairPhone((await host.host.openPairing()).url);
    const hostSocket = connect(relay.url, { token: host.identity.credentials(relay.url)!.token });
    try {
      const sub = makeSubscriber(service.endpoint("phone-1"));
      const target = { kind: "webpush" as const, subscription: sub.subscription };
      assert.deepEqual(await phone.socket.timeout(5000).emitWithAck("push:subscribe", { target, muted: [] }), { ok: true });
      host.host.close();
      await connected(hostSocket);
      const notify = (tag: string) =>
        hostSocket.timeout(15_000).emitWithAck("push:send", { threadId: "t1", tag, box: box(1), urgency: "high" });

      assert.deepEqual(await notify("tag-1"), { ok: true, sent: 1 });
      service.webPushStatus.set("phone-1", 500);
      assert.deepEqual(await notify("tag-2"), { ok: true, sent: 0 });
      const scraped = parsePrometheus(await metrics.registry.metrics());
      assert.equal(sampleValue(scraped, "tether_push_total", { transport: "webpush", result: "sent" }), 1);
      assert.equal(sampleValue(scraped, "tether_push_total", { transport: "webpush", result: "failed" }), 1);
      assert.equal(sampleValue(scraped, "tether_envelopes_received_total", { event: "push:send", via: "socket" }), 2);
    } finally {
      hostSocket.close();
      phone.close();
      await host.stop();
      await relay.stop();
      await service.close();
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
