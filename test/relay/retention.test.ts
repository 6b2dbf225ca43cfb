import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";

const DAY = 24 * 60 * 60 * 1000;
const box = (n: number) => ({ e: 1, iv: "A".repeat(16), ct: `C${n}`.padEnd(84, "x") }); // 100 sealed bytes

describe("relay: retention", () => {
  let relay: TestRelay;
  let workspace: string;
  let host: TestHost;
  let phone: PairedPhone;
  let hostSocket: PhoneSocket;
  let t = Date.now();

  beforeEach(async () => {
    t = Date.now();
    relay = await startRelay({ now: () => t, config: { retention: { days: 30, hostQuotaBytes: 1000 } } });
    workspace = makeWorkspace({ "README.md": "hello\n" });
    host = await startHost(relay.url, workspace);
    phone = await pairPhone((await host.host.openPairing()).url);
    host.host.close(); // the test publishes as the host on a raw socket
    hostSocket = connect(relay.url, { token: host.identity.credentials(relay.url)!.token });
    await connected(hostSocket);
  });

  afterEach(async () => {
    hostSocket.close();
    phone.close();
    await host.stop();
    await relay.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  const publish = async (threadId: string, seq: number) =>
    assert.deepEqual(await hostSocket.timeout(5000).emitWithAck("event:publish", { threadId, seq, box: box(seq) }), { ok: true });
  const sync = async (cursors: Record<string, number>) => {
    const page = await phone.socket.timeout(5000).emitWithAck("sync", { hostId: phone.hostId, cursors });
    if (!page.ok) throw new Error(page.message);
    return page;
  };

  it("deletes events past the age limit and over the host's quota, and tells a phone that missed them", async () => {
    // Forty days ago: old-1..3. Yesterday: new-1..12 (1,200 bytes, over the 1,000-byte quota).
    const start = t;
    t = start - 40 * DAY;
    for (const seq of [1, 2, 3]) await publish("old", seq);
    t = start - DAY;
    for (let seq = 1; seq <= 12; seq++) await publish("new", seq);
    t = start;
    assert.equal(await relay.store.storedBytes(phone.hostId), 1500);

    const before = await sync({});
    assert.equal(before.trimmed, undefined, "nothing trimmed yet");

    assert.equal(await relay.retention.sweep(), 5, "three too old, then two more to fit the quota");
    assert.equal(await relay.store.storedBytes(phone.hostId), 1000);
    assert.ok(relay.logs.some((l) => l.includes("retention trimmed") && l.includes('"events":5')));

    const fresh = await sync({});
    assert.deepEqual(fresh.trimmed, { old: 4, new: 3 });
    assert.deepEqual(
      fresh.events.map((e: { threadId: string; seq: number }) => `${e.threadId}${e.seq}`),
      Array.from({ length: 10 }, (_, i) => `new${i + 3}`),
    );
    // A phone that already had new-1..5 lost nothing of that thread.
    const caughtUp = await sync({ old: 3, new: 5 });
    assert.equal(caughtUp.trimmed, undefined);
    const halfway = await sync({ new: 1 });
    assert.deepEqual(halfway.trimmed, { old: 4, new: 3 });

    assert.equal(await relay.retention.sweep(), 0, "a second sweep finds nothing to do");
    // New events keep their seqs after a trim; the quota holds.
    await publish("new", 13);
    assert.equal(await relay.retention.sweep(), 1);
    assert.deepEqual(fresh.trimmed, { old: 4, new: 3 });
    const after = await sync({});
    assert.deepEqual(after.trimmed, { old: 4, new: 4 });
  });
});
