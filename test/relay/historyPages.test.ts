// History pages through a real relay on a real port: what it stores and serves, and the PWA's
// catch-up (ThreadService) reading them, with a middle that tampers with the relay's answers the
// way a misbehaving relay could. Whatever it serves, the phone ends with every event once.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cutPages,
  ErrorCode,
  sealPage,
  syncSchema,
  type StoredEvent,
  type StoredPage,
  type SyncRequest,
  z,
  type ThreadEvent,
} from "#protocol";
import { describeIssues } from "../../relay/socket/payloadIssues";
import { Cleanup } from "../support/cleanup";
import { memoryThreads, threadServiceClass } from "../support/memoryThreads";
import { connect, connected, type PhoneSocket } from "../support/phone";
import { pairedRawHost, type RawHost } from "../support/rawHost";
import { startRelay, type TestRelay } from "../support/relay";

const A = 130;
const B = 40;
const event = (thread: string, seq: number): ThreadEvent => ({ type: "assistant-text", text: `${thread} ${seq}`, at: seq });

type Answer = { ok: true; pages?: StoredPage[]; events: unknown[]; more: boolean } | { ok: false; code: string; message: string };
type Tamper = (answer: Answer, req: SyncRequest) => Answer;

describe("history pages through a relay", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  let tmp: string;
  let relay: TestRelay;
  let host: RawHost;
  let phone: PhoneSocket;

  async function publishPage(threadId: string, from: number, to: number) {
    const events = Array.from({ length: to - from + 1 }, (_, i) => event(threadId, from + i));
    const [page] = cutPages(from, events, 1);
    assert.equal(page?.to, to);
    const box = await sealPage(await host.threadKey(threadId), host.epoch, host.hostId, threadId, page);
    const send = () => host.socket.timeout(10_000).emitWithAck("page:publish", { threadId, from, to, box });
    return Object.assign(await send(), { again: send });
  }

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "tether-pages-"));
    relay = cleanup.add(await startRelay(), (r) => r.stop());
    host = await pairedRawHost(relay.url, tmp, cleanup);
    for (const [threadId, count] of [
      ["a", A],
      ["b", B],
    ] as const) {
      for (let seq = 1; seq <= count; seq++)
        await host.publish(threadId, seq, await host.sealEvent(threadId, seq, event(threadId, seq)));
    }
    phone = cleanup.add(connect(relay.url, { token: host.phone.token }), (s) => s.close());
    await connected(phone);
  });
  after(async () => {
    await cleanup.run();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("stores a page only over events it holds, never over another page, and serves it only to a phone that asks", async () => {
    const first = await publishPage("a", 1, 60);
    assert.equal(first.ok, true);
    assert.deepEqual(await first.again(), { ok: true }, "the same page again (a retry)");
    assert.equal(((await publishPage("a", 1, 60)) as { code: string }).code, ErrorCode.Conflict, "sealed again: other content");
    assert.equal(((await publishPage("a", 50, 70)) as { code: string }).code, ErrorCode.Conflict);
    assert.equal(((await publishPage("a", 121, 140)) as { code: string }).code, ErrorCode.NotFound, "131 to 140 never came");
    assert.equal((await publishPage("a", 61, 120)).ok, true);
    const tooLong = await host.socket.timeout(10_000).emitWithAck("page:publish", {
      threadId: "a",
      from: 1,
      to: 501,
      box: { e: 1, iv: "A".repeat(16), ct: "B".repeat(40) },
    });
    assert.equal(!tooLong.ok && tooLong.code, ErrorCode.BadRequest);

    const old = await phone.timeout(10_000).emitWithAck("sync", { hostId: host.hostId, cursors: {} });
    assert.ok(old.ok);
    assert.equal("pages" in old, false, "a phone that does not ask gets today's answer");
    assert.equal(old.events.length, A + B);
    const paged = await phone.timeout(10_000).emitWithAck("sync", { hostId: host.hostId, cursors: { a: 30 }, pages: true });
    assert.ok(paged.ok);
    assert.deepEqual(
      paged.pages?.map((p: StoredPage) => [p.threadId, p.from, p.to]),
      [
        ["a", 1, 60],
        ["a", 61, 120],
      ],
      "the page holding 31, then the next",
    );
    assert.deepEqual(
      paged.events.map((e: StoredEvent) => `${e.threadId}${e.seq}`),
      [...Array.from({ length: 10 }, (_, i) => `a${121 + i}`), ...Array.from({ length: B }, (_, i) => `b${i + 1}`)],
    );
    assert.equal(paged.more, false);
  });

  async function catchUp(tamper?: Tamper, have = 0) {
    const requests: SyncRequest[] = [];
    let pagesServed = 0;
    const socket = {
      timeout: (ms: number) => ({
        async emitWithAck(name: "sync", req: SyncRequest) {
          requests.push(req);
          const answer = (await phone.timeout(ms).emitWithAck(name, req)) as Answer;
          const served = tamper ? tamper(structuredClone(answer), req) : answer;
          if (served.ok) pagesServed += served.pages?.length ?? 0;
          return served;
        },
      }),
    };
    const cache = memoryThreads();
    if (have > 0) {
      const held = Array.from({ length: have }, (_, i) => ({
        hostId: host.hostId,
        threadId: "a",
        seq: i + 1,
        event: event("a", i + 1),
      }));
      await (cache.threads as { applyEvents(h: string, e: unknown[]): Promise<void> }).applyEvents(host.hostId, held);
    }
    const ThreadService = await threadServiceClass();
    const record = {
      hostId: host.hostId,
      hostKey: host.phone.hostKey,
      epoch: host.phone.epoch,
      contentKey: host.phone.contentKey,
      profile: { name: "test host", workspace: "test", platform: "linux", version: "0" },
      pairedAt: Date.now(),
    };
    const service = new ThreadService({
      threads: cache.threads,
      host: (id) => (id === host.hostId ? record : undefined),
      connection: async () => ({ socket: socket as unknown as PhoneSocket, deviceId: host.phone.deviceId }),
      now: Date.now,
    });
    await service.catchUp(host.hostId);
    // Every event once, as the host sealed it, and the cursor at the end of each thread.
    for (const [threadId, count] of [
      ["a", A],
      ["b", B],
    ] as const) {
      const held = cache.held.get(threadId)!;
      assert.deepEqual(
        [...held.keys()].sort((x, y) => x - y),
        Array.from({ length: count }, (_, i) => i + 1),
        threadId,
      );
      for (const [seq, json] of held) assert.deepEqual(JSON.parse(json), event(threadId, seq));
      assert.equal(cache.seqs.get(threadId), count);
    }
    return { requests, pagesServed };
  }

  it("catches up from pages and then events, every event once", async () => {
    const { requests, pagesServed } = await catchUp();
    assert.equal(pagesServed, 2);
    assert.equal(requests[0]?.pages, true);
  });

  it("drops what a page repeats of what the phone has", async () => {
    const { pagesServed } = await catchUp(undefined, 30);
    assert.equal(pagesServed, 2, "page 1-60 still brings 31-60");
  });

  const tampers: [string, Tamper][] = [
    [
      "a page moved to another thread",
      (a) => (a.ok && a.pages?.[0] ? { ...a, pages: [{ ...a.pages[0], threadId: "b" }, ...a.pages.slice(1)] } : a),
    ],
    [
      "a page moved to another range",
      (a) => (a.ok && a.pages?.[1] ? { ...a, pages: [a.pages[0]!, { ...a.pages[1], from: 60, to: 119 }] } : a),
    ],
    [
      "a truncated page",
      (a) =>
        a.ok && a.pages?.[0]
          ? { ...a, pages: [{ ...a.pages[0], box: { ...a.pages[0].box, ct: a.pages[0].box.ct.slice(0, -40) } }] }
          : a,
    ],
    ["a page past a hole (the first left out)", (a) => (a.ok && a.pages?.[1] ? { ...a, pages: a.pages.slice(1) } : a)],
  ];
  for (const [name, tamper] of tampers) {
    it(`refuses ${name} and catches up on events without losing one`, async () => {
      const { requests } = await catchUp(tamper);
      assert.ok(
        requests.some((r, i) => i > 0 && r.pages !== true),
        "after a refused page, the phone asks for events alone",
      );
    });
  }

  it("asks an older relay, which refuses the pages field, as before", async () => {
    // What a relay older than the field answers: its strict schema, its own words for the refusal.
    const olderSchema = z.omit(syncSchema, { pages: true });
    const refused: Tamper = (a, req) => {
      const parsed = olderSchema.safeParse(req);
      if (parsed.success) return a;
      return { ok: false, code: ErrorCode.BadRequest, message: `invalid sync payload: ${describeIssues(parsed.error)}` };
    };
    const { requests } = await catchUp(refused);
    assert.equal(requests[0]?.pages, true);
    assert.equal(requests[1]?.pages, undefined);
    assert.ok(
      requests.slice(1).every((r) => r.pages === undefined),
      "a relay that refused the field once is not asked for pages again",
    );
  });
});
