import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import {
  ErrorCode,
  PROTOCOL_VERSION,
  hostProfileSchema,
  open,
  seal,
  sealContext,
  type StoredEvent,
  type StoredRecord,
} from "#protocol";
import { rooms, socketsIn } from "../../relay/socket/rooms";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, refusal, once, pairPhone, type PairedPhone } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";
import { until } from "../support/wait";

const token = "x".repeat(43);
const box = { e: 1, iv: "A".repeat(16), ct: "B".repeat(40) };

describe("relay", () => {
  let relay: TestRelay;
  let workspace: string;
  const hosts: TestHost[] = [];
  const phones: PairedPhone[] = [];

  const newHost = async (options?: Parameters<typeof startHost>[2]): Promise<TestHost> => {
    const h = await startHost(relay.url, workspace, options);
    hosts.push(h);
    return h;
  };
  const newPhone = async (host: TestHost, name?: string): Promise<PairedPhone> => {
    const offer = await host.host.openPairing();
    const p = await pairPhone(offer.url, name);
    phones.push(p);
    return p;
  };

  beforeEach(async () => {
    relay = await startRelay();
    workspace = makeWorkspace({ "notes/todo.md": "ship it\n", "README.md": "hello\n" });
  });

  afterEach(async () => {
    for (const p of phones.splice(0)) p.close();
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
    await relay.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  describe("handshake", () => {
    it("refuses another protocol version with a message that says to update", async () => {
      const data = await refusal(relay.url, { v: PROTOCOL_VERSION + 1 });
      assert.equal(data.code, ErrorCode.ProtocolMismatch);
      assert.match(data.message, /update the relay/);
      assert.equal(data.relayVersion, PROTOCOL_VERSION);
      const older = await refusal(relay.url, { v: PROTOCOL_VERSION - 1 });
      assert.match(older.message, /update the client/);
    });

    it("refuses an unknown token and a malformed handshake", async () => {
      assert.equal((await refusal(relay.url, { token })).code, ErrorCode.Unauthorized);
      assert.equal((await refusal(relay.url, { v: "one" })).code, ErrorCode.BadRequest);
    });

    it("lets an anonymous socket do nothing but register or join", async () => {
      const anon = connect(relay.url);
      await connected(anon);
      for (const [event, payload] of [
        ["pair:open", {}],
        ["rpc", { hostId: "h", id: "1", box }],
        ["sync", { hostId: "h", cursors: {} }],
        ["event:publish", { threadId: "t", seq: 1, box }],
      ] as const) {
        const answer = await anon.timeout(5000).emitWithAck(event as "sync", payload as never);
        assert.equal(answer.ok, false, event);
        assert.equal(!answer.ok && answer.code, ErrorCode.Unauthorized, event);
      }
      anon.close();
    });
  });

  describe("pairing", () => {
    it("pairs a phone that browses the host's folder and reads a file", async () => {
      const host = await newHost({ name: "alice-laptop" });
      const phone = await newPhone(host, "Pixel 8");
      assert.deepEqual(
        phone.hello.hosts.map((h) => [h.hostId, h.online]),
        [[phone.hostId, true]],
      );
      assert.equal(host.host.phones[0]?.name, "Pixel 8");
      assert.equal(host.host.phones[0]?.id, phone.deviceId);

      const root = await phone.call({ type: "list-dir", path: "" });
      assert.ok(root.ok && root.result.type === "list-dir");
      assert.deepEqual(root.ok && root.result.type === "list-dir" && root.result.entries.map((e) => e.name), [
        "notes",
        "README.md",
      ]);
      const file = await phone.call({ type: "read-file", path: "notes/todo.md" });
      assert.ok(file.ok && file.result.type === "read-file" && file.result.content === "ship it\n");
      const outside = await phone.call({ type: "read-file", path: "../../etc/passwd" });
      assert.deepEqual(outside.ok ? null : outside.code, ErrorCode.OutsideWorkspace);
    });

    it("shows the same code on both sides and carries the phone's name sealed", async () => {
      let shown = "";
      const host = await newHost({
        confirm: async (p) => {
          shown = `${p.phoneName} ${p.code}`;
          return true;
        },
      });
      const phone = await newPhone(host, "Chromium on Linux");
      assert.equal(shown, `Chromium on Linux ${phone.code}`);
      assert.ok(!relay.logs.join("").includes("Chromium on Linux"));
    });

    it("refuses a second phone on the same slot", async () => {
      const host = await newHost();
      const offer = await host.host.openPairing();
      phones.push(await pairPhone(offer.url));
      await assert.rejects(pairPhone(offer.url), (e: { code?: string }) => e.code === ErrorCode.SlotUsed);
    });

    it("refuses an expired slot", async () => {
      await relay.stop();
      let clock = Date.now();
      relay = await startRelay({ now: () => clock });
      const host = await newHost();
      const offer = await host.host.openPairing();
      clock += 5 * 60 * 1000 + 1;
      await assert.rejects(pairPhone(offer.url), (e: { code?: string }) => e.code === ErrorCode.SlotExpired);
    });

    it("tells the phone when the person at the host declines", async () => {
      const host = await newHost({ confirm: async () => false });
      await assert.rejects(
        newPhone(host),
        (e: { code?: string; message: string }) => e.code === ErrorCode.PairDeclined && /declined/.test(e.message),
      );
      assert.equal(host.host.phones.length, 0);
    });

    it("declines a phone whose proof does not match the QR code", async () => {
      let asked = false;
      const host = await newHost({
        confirm: async () => {
          asked = true;
          return true;
        },
      });
      const offer = await host.host.openPairing();
      const forged = offer.url.replace(/\.[^.]+$/, "." + "A".repeat(22));
      await assert.rejects(pairPhone(forged), (e: { code?: string }) => e.code === ErrorCode.PairDeclined);
      assert.equal(asked, false, "the person is not asked about a phone that never saw the code");
    });

    it("refuses to pair with a host that is offline", async () => {
      const host = await newHost();
      const offer = await host.host.openPairing();
      const hostId = host.identity.credentials(relay.url)!.deviceId;
      await host.stop();
      hosts.length = 0;
      await until("the relay to hold no socket of the host", async () => (await socketsIn(relay.io, rooms.host(hostId))) === 0);
      await assert.rejects(pairPhone(offer.url), (e: { code?: string }) => e.code === ErrorCode.HostOffline);
    });
  });

  describe("routing", () => {
    it("keeps a phone out of hosts it is not paired with", async () => {
      const hostA = await newHost();
      const hostB = await newHost();
      const phoneA = await newPhone(hostA);
      const phoneB = await newPhone(hostB);
      let leaked = 0;
      phoneA.socket.on("record", (r) => void (r.hostId === phoneB.hostId && leaked++));
      phoneA.socket.on("event", (e) => void (e.hostId === phoneB.hostId && leaked++));

      const rpc = await phoneA.socket.timeout(5000).emitWithAck("rpc", { hostId: phoneB.hostId, id: "x1", box });
      assert.equal(!rpc.ok && rpc.code, ErrorCode.Forbidden);
      const sync = await phoneA.socket.timeout(5000).emitWithAck("sync", { hostId: phoneB.hostId, cursors: {} });
      assert.equal(!sync.ok && sync.code, ErrorCode.Forbidden);

      const foreign = await sealWithHost(hostB, "x", sealContext.event(phoneB.hostId, "t", 1));
      const published = await hostB.host.link.request("event:publish", { threadId: "t", seq: 1, box: foreign });
      assert.ok(published.ok);
      const received = once(phoneB.socket, "event");
      await hostB.host.link.request("event:publish", { threadId: "t", seq: 2, box: foreign });
      await received;
      assert.equal(leaked, 0);
    });

    it("delivers a host's events live, lets a phone catch up after its cursor, and keeps them across a restart", async () => {
      const host = await newHost();
      const phone = await newPhone(host);
      const key = phone.contentKey;
      const live: StoredEvent[] = [];
      phone.socket.on("event", (e) => live.push(e));
      const hostId = phone.hostId;
      // Sealed the way the host seals: with its current content key and epoch.
      for (let seq = 1; seq <= 5; seq++) {
        const sealed = await sealWithHost(host, { step: seq }, sealContext.event(hostId, "t1", seq));
        const answer = await host.host.link.request("event:publish", { threadId: "t1", seq, box: sealed });
        assert.ok(answer.ok);
      }
      await until("five live events", () => live.length === 5);
      const opened = await Promise.all(live.map((e) => open(key, e.box, sealContext.event(hostId, e.threadId, e.seq))));
      assert.deepEqual(
        opened,
        [1, 2, 3, 4, 5].map((step) => ({ step })),
      );

      const page = await phone.socket.timeout(5000).emitWithAck("sync", { hostId, cursors: { t1: 2 }, limit: 2 });
      assert.ok(page.ok);
      assert.deepEqual(page.ok && page.events.map((e: StoredEvent) => e.seq), [3, 4]);
      assert.equal(page.ok && page.more, true);
      const profile = page.ok ? page.records.find((r: StoredRecord) => r.key === "profile") : undefined;
      assert.ok(profile, "the host's profile record comes with the sync");
      const parsed = hostProfileSchema.parse(await open(key, profile.box, sealContext.record(hostId, "profile")));
      assert.equal(parsed.name, "test-host");

      // A retry of the same event is accepted once; other content under the same number is refused.
      const again = await host.host.link.request("event:publish", { threadId: "t1", seq: 5, box: live[4]!.box });
      assert.ok(again.ok);
      const clash = await host.host.link.request("event:publish", { threadId: "t1", seq: 5, box: live[3]!.box });
      assert.equal(!clash.ok && clash.code, ErrorCode.Conflict);

      // Restart the relay on the same data folder: the phone's token and the events are still there.
      const dataDir = relay.dataDir;
      phone.close();
      await host.stop();
      hosts.length = 0;
      await relay.close();
      const restarted = await startRelay({ dataDir });
      relay = Object.assign(restarted, {
        async stop() {
          await restarted.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      });
      const back = connect(relay.url, { token: phone.token });
      await connected(back);
      const after = await back.timeout(5000).emitWithAck("sync", { hostId, cursors: { t1: 3 } });
      assert.deepEqual(after.ok && after.events.map((e: StoredEvent) => e.seq), [4, 5]);
      back.close();
    });

    it("answers host-offline for calls to a host that is not connected", async () => {
      const host = await newHost();
      const phone = await newPhone(host);
      const gone = once(phone.socket, "presence");
      await host.stop();
      hosts.length = 0;
      const presence = await gone;
      assert.equal(presence.online, false);
      const answer = await phone.call({ type: "list-dir", path: "" });
      assert.equal(!answer.ok && answer.code, ErrorCode.HostOffline);
    });
  });

  describe("bad input", () => {
    it("answers malformed payloads with bad-request and keeps serving", async () => {
      const host = await newHost();
      const phone = await newPhone(host);
      const s = phone.socket as unknown as {
        timeout(ms: number): {
          emitWithAck(e: string, ...a: unknown[]): Promise<{ ok: boolean; code?: string; message?: string }>;
        };
        emit(e: string, ...a: unknown[]): void;
      };
      for (const payload of [
        null,
        42,
        "text",
        [],
        { hostId: 5 },
        { hostId: phone.hostId, id: "x", box: { e: 1, iv: "short", ct: "x" } },
      ]) {
        const answer = await s.timeout(5000).emitWithAck("rpc", payload);
        assert.equal(answer.code, ErrorCode.BadRequest, JSON.stringify(payload));
      }
      const wrongRole = await s.timeout(5000).emitWithAck("event:publish", { threadId: "t", seq: 1, box });
      assert.equal(wrongRole.code, ErrorCode.Forbidden);
      // No ack, unknown events, huge garbage: dropped without harm.
      s.emit("rpc", { junk: true });
      s.emit("no-such-event", 1, 2, 3);
      const answer = await phone.call({ type: "list-dir", path: "notes" });
      assert.ok(answer.ok);
      const sealedGarbage = await s.timeout(5000).emitWithAck("rpc", { hostId: phone.hostId, id: "y", box });
      assert.equal(sealedGarbage.code, ErrorCode.BadSeal);
    });
  });
});

async function sealWithHost(host: TestHost, value: unknown, ctx: readonly (string | number)[]) {
  return seal(host.identity.contentKey()!, host.identity.epoch, value, ctx);
}
