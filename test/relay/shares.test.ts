import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { join } from "node:path";
import { ErrorCode, threadRecordKey, type StoredEvent, type StoredRecord } from "#protocol";
import { newShareSecret, shareRecordKey, shareToken, shareVerifier } from "#protocol/share";
import { connect, connected, refusal, once, type PhoneSocket } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { until } from "../support/wait";

const box = (n: number) => ({ e: 1, iv: "A".repeat(16), ct: `${"B".repeat(40)}${n}` });

describe("relay: read-only shares of one thread", () => {
  let relay: TestRelay;
  let host: PhoneSocket;
  let hostId: string;
  const sockets: PhoneSocket[] = [];

  const viewer = async (token: string): Promise<PhoneSocket> => {
    const s = connect(relay.url, { share: token } as { token?: string });
    sockets.push(s);
    await connected(s);
    return s;
  };
  const ok = (answer: { ok: boolean; message?: string }): void => assert.ok(answer.ok, answer.message);

  beforeEach(async () => {
    relay = await startRelay();
    const anon = connect(relay.url);
    await connected(anon);
    const reg = await anon.timeout(5000).emitWithAck("host:register", {});
    anon.close();
    assert.ok(reg.ok);
    hostId = reg.deviceId;
    host = connect(relay.url, { token: reg.token });
    sockets.push(host);
    await connected(host);
    for (const threadId of ["shared", "other"]) {
      for (const seq of [1, 2]) ok(await host.timeout(5000).emitWithAck("event:publish", { threadId, seq, box: box(seq) }));
      ok(await host.timeout(5000).emitWithAck("record:put", { key: threadRecordKey(threadId), box: box(9) }));
    }
    ok(await host.timeout(5000).emitWithAck("record:put", { key: "profile", box: box(7) }));
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await relay.stop();
  });

  const share = async (threadId: string, shareId: string): Promise<string> => {
    const secret = newShareSecret();
    ok(await host.timeout(5000).emitWithAck("share:create", { shareId, threadId, verifier: await shareVerifier(secret) }));
    ok(await host.timeout(5000).emitWithAck("record:put", { key: shareRecordKey(shareId), box: box(5) }));
    return shareToken(secret);
  };

  it("a viewer reads its thread's events and records and nothing else of the host, live too", async () => {
    const token = await share("shared", "s1");
    const v = await viewer(token);
    const page = await v.timeout(5000).emitWithAck("share:sync", { after: 0 });
    if (!page.ok) throw new Error(page.message);
    assert.deepEqual(
      page.events.map((e: StoredEvent) => `${e.threadId}:${e.seq}`),
      ["shared:1", "shared:2"],
    );
    assert.deepEqual(page.records.map((r: StoredRecord) => r.key).sort(), [shareRecordKey("s1"), threadRecordKey("shared")]);
    const rest = await v.timeout(5000).emitWithAck("share:sync", { after: 1 });
    assert.deepEqual(rest.ok && rest.events.map((e: StoredEvent) => e.seq), [2]);

    const seen: string[] = [];
    for (const e of ["event", "events", "live", "record", "presence", "thread:deleted"] as const) {
      (v as unknown as { on(e: string, l: (p: StoredEvent) => void): void }).on(e, (p) =>
        seen.push(`${e}:${(p as { threadId?: string; key?: string }).threadId ?? (p as { key?: string }).key ?? ""}`),
      );
    }
    ok(await host.timeout(5000).emitWithAck("event:publish", { threadId: "other", seq: 3, box: box(3) }));
    ok(await host.timeout(5000).emitWithAck("live:publish", { threadId: "other", n: 1, box: box(1) }));
    ok(await host.timeout(5000).emitWithAck("record:put", { key: threadRecordKey("other"), box: box(4) }));
    ok(await host.timeout(5000).emitWithAck("record:put", { key: "profile", box: box(4) }));
    ok(await host.timeout(5000).emitWithAck("event:publish", { threadId: "shared", seq: 3, box: box(3) }));
    ok(await host.timeout(5000).emitWithAck("live:publish", { threadId: "shared", n: 1, box: box(1) }));
    ok(await host.timeout(5000).emitWithAck("record:put", { key: threadRecordKey("shared"), box: box(4) }));
    await until("the shared thread's traffic", () => seen.length >= 3);
    // Anything of the other thread or the host would have come before: the host sent it first.
    assert.deepEqual(seen, ["event:shared", "live:shared", `record:${threadRecordKey("shared")}`]);
  });

  it("a viewer can send nothing but share:sync: no phone sync, call, command or host event", async () => {
    const v = await viewer(await share("shared", "s1"));
    const attempts = [
      v.timeout(5000).emitWithAck("sync", { hostId, cursors: {} }),
      v.timeout(5000).emitWithAck("rpc", { hostId, id: "r1", box: box(1) }),
      v.timeout(5000).emitWithAck("command", { hostId, id: "c1", box: box(1) }),
      v.timeout(5000).emitWithAck("event:publish", { threadId: "shared", seq: 9, box: box(9) }),
      v.timeout(5000).emitWithAck("share:create", { shareId: "s2", threadId: "other", verifier: "0".repeat(64) }),
      v.timeout(5000).emitWithAck("pair:open", {}),
    ];
    for (const answer of await Promise.all(attempts)) {
      assert.equal(answer.ok, false);
      assert.equal(!answer.ok && answer.code, ErrorCode.Forbidden);
    }
    // A phone's sync is not a viewer's: a host's phone could not use share:sync either.
    const h = await host.timeout(5000).emitWithAck("share:sync", { after: 0 });
    assert.equal(!h.ok && h.code, ErrorCode.Forbidden);
  });

  it("an unknown token is refused; a revoked share is refused at once and its viewers cut off", async () => {
    assert.equal((await refusal(relay.url, { share: await shareToken(newShareSecret()) })).code, ErrorCode.Unauthorized);
    const token = await share("shared", "s1");
    const keep = await share("shared", "s2");
    const v = await viewer(token);
    const other = await viewer(keep);
    const gone = once(v, "disconnect" as never);
    const answer = await host.timeout(5000).emitWithAck("share:revoke", { shareId: "s1" });
    assert.ok(answer.ok && answer.revoked);
    await gone;
    const data = await refusal(relay.url, { share: token });
    assert.equal(data.code, ErrorCode.Unauthorized);
    assert.match(data.message, /revoked/);
    // The other share of the same thread still reads, and gets what comes next; the revoked one's record is gone.
    const page = await other.timeout(5000).emitWithAck("share:sync", { after: 2 });
    if (!page.ok) throw new Error(page.message);
    assert.deepEqual(page.records.map((r: StoredRecord) => r.key).sort(), [shareRecordKey("s2"), threadRecordKey("shared")]);
    const again = await host.timeout(5000).emitWithAck("share:revoke", { shareId: "s1" });
    assert.equal(!again.ok && again.code, ErrorCode.NotFound);
  });

  it("a share id or token is not taken twice, and the store keeps only the token's digest", async () => {
    const secret = newShareSecret();
    const verifier = await shareVerifier(secret);
    ok(await host.timeout(5000).emitWithAck("share:create", { shareId: "s1", threadId: "shared", verifier }));
    const twice = await host.timeout(5000).emitWithAck("share:create", { shareId: "s2", threadId: "other", verifier });
    assert.equal(!twice.ok && twice.code, ErrorCode.Conflict);
    await relay.stop({ keepData: true });
    const db = new Database(join(relay.dataDir, "relay.sqlite"), { readonly: true });
    try {
      const rows = db.prepare("SELECT * FROM shares").all() as { verifier: string; thread_id: string }[];
      assert.deepEqual(
        rows.map((r) => r.thread_id),
        ["shared"],
      );
      const dump = JSON.stringify(db.prepare("SELECT * FROM shares").all());
      assert.ok(!dump.includes(await shareToken(secret)) && !dump.includes(secret));
    } finally {
      db.close();
    }
    relay = await startRelay({ dataDir: relay.dataDir });
  });
});
