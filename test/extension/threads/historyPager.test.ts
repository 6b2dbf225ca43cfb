// The host's history pages: which runs of a thread's published events it seals as pages, and
// when; each page opened as a phone opens it must hold exactly its range's events.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode, openPage, PAGE_MAX_EVENTS, type Box, type ThreadEvent } from "#protocol";
import { HistoryPager } from "../../../extension/core/threads/historyPager";
import { HostIdentity } from "../../../extension/core/identity";
import type { RelayLink } from "../../../extension/core/link/relayLink";
import type { Thread } from "../../../extension/core/threads/thread";
import type { ThreadManager } from "../../../extension/core/threads/threadManager";
import { stateFile } from "../../../extension/node/stateFile";
import { quietLog } from "../../support/host";
import { until } from "../../support/wait";

const HOST = "host-1";
const text = (seq: number): ThreadEvent => ({ type: "assistant-text", text: `step ${seq}`, at: seq });

interface Sent {
  threadId: string;
  from: number;
  to: number;
  box: Box;
}

function fakes(answer: (p: Sent) => { ok: true } | { ok: false; code: string; message: string } = () => ({ ok: true })) {
  const events: { seq: number; event: ThreadEvent }[] = [];
  const thread = {
    id: "t1",
    get events() {
      return events;
    },
  } as unknown as Thread;
  const sent: Sent[] = [];
  const link = {
    state: "open",
    async request(name: string, payload: Sent) {
      assert.equal(name, "page:publish");
      sent.push(payload);
      return answer(payload);
    },
  } as unknown as RelayLink;
  const threads = { get: (id: string) => (id === "t1" ? thread : undefined), list: () => [thread] } as unknown as ThreadManager;
  return { events, link, threads, sent };
}

describe("history pages on the host", function () {
  this.timeout(20_000);
  let dir: string;
  let identity: HostIdentity;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tether-pager-"));
    identity = await HostIdentity.loadOrCreate(stateFile(join(dir, "state.json")));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function pager(f: ReturnType<typeof fakes>, published: () => number, paged: Record<string, number> = {}) {
    let saves = 0;
    const p = new HistoryPager(
      {
        link: f.link,
        identity,
        threads: f.threads,
        log: quietLog,
        hostId: () => HOST,
        publishedSeq: () => published(),
        save: () => void saves++,
        quietMs: 50,
      },
      paged,
    );
    return { p, saves: () => saves };
  }

  async function opened(page: Sent) {
    return openPage((await identity.threadKey(page.threadId, page.box.e))!, { hostId: HOST, ...page });
  }

  it("seals a full page as soon as its events are published and the rest once the thread is quiet", async () => {
    const f = fakes();
    let published = 0;
    const { p, saves } = pager(f, () => published);
    for (let seq = 1; seq <= PAGE_MAX_EVENTS + 120; seq++) f.events.push({ seq, event: text(seq) });
    published = 40;
    p.onPublished("t1");
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(f.sent.length, 0, "40 quiet events stay events: a page needs 50");
    published = PAGE_MAX_EVENTS + 120;
    p.onPublished("t1");
    await until("the full page", () => f.sent.length >= 1);
    assert.deepEqual([f.sent[0]!.from, f.sent[0]!.to], [1, PAGE_MAX_EVENTS]);
    await until("the quiet rest", () => f.sent.length === 2);
    assert.deepEqual([f.sent[1]!.from, f.sent[1]!.to], [PAGE_MAX_EVENTS + 1, PAGE_MAX_EVENTS + 120]);
    const rest = await opened(f.sent[1]!);
    assert.deepEqual(
      rest.map((e) => e.seq),
      Array.from({ length: 120 }, (_, i) => PAGE_MAX_EVENTS + 1 + i),
    );
    assert.deepEqual(rest[0]!.event, text(PAGE_MAX_EVENTS + 1));
    assert.deepEqual(p.paged, { t1: PAGE_MAX_EVENTS + 120 });
    assert.ok(saves() >= 2, "how far the pages reach is saved");
    p.close();
  });

  it("a page sealed for one range or thread does not open as another", async () => {
    const f = fakes();
    const { p } = pager(f, () => 60);
    for (let seq = 1; seq <= 60; seq++) f.events.push({ seq, event: text(seq) });
    p.onHello();
    await until("a page", () => f.sent.length === 1);
    const page = f.sent[0]!;
    assert.equal((await opened(page)).length, 60);
    await assert.rejects(opened({ ...page, to: 59 }), (e: { code?: string }) => e.code === ErrorCode.BadSeal);
    await assert.rejects(opened({ ...page, from: 2, to: 61 }), (e: { code?: string }) => e.code === ErrorCode.BadSeal);
    await assert.rejects(opened({ ...page, threadId: "t2" }), (e: { code?: string }) => e.code === ErrorCode.BadSeal);
    p.close();
  });

  it("goes on from where its pages reach, past a range the relay has or lost, and stops for a relay without pages", async () => {
    const f = fakes((page) =>
      page.from === 51
        ? { ok: false, code: ErrorCode.Conflict, message: "overlaps" }
        : page.from === 101
          ? { ok: false, code: ErrorCode.BadRequest, message: "The relay knows no such event." }
          : { ok: true },
    );
    for (let seq = 1; seq <= 200; seq++) f.events.push({ seq, event: text(seq) });
    const { p } = pager(f, () => 100, { t1: 0 + 50 });
    p.onHello();
    await until("the page after 50", () => f.sent.length === 1);
    assert.deepEqual([f.sent[0]!.from, f.sent[0]!.to], [51, 100]);
    await until("past the conflict", () => p.paged.t1 === 100);
    const q = pager(f, () => 200, { t1: 100 });
    q.p.onHello();
    await until("asked once", () => f.sent.length === 2);
    await new Promise((r) => setTimeout(r, 150));
    q.p.onPublished("t1");
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(f.sent.length, 2, "a relay that knows no page:publish is not asked again until the next hello");
    assert.equal(q.p.paged.t1, 100);
    p.close();
    q.p.close();
  });
});
