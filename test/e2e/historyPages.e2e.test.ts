// The whole PWA in Chromium catching up from history pages: a phone away while its host worked
// opens the app; the relay answers its sync with the host's pages (one box for a run of events)
// and the events after them. IndexedDB ends with every event once, in order, as the host sealed it.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cutPages, sealPage, type ThreadSummary } from "#protocol";
import { agentEvent } from "../support/agentEvents";
import { Cleanup } from "../support/cleanup";
import { pwaFixture, storedEvents, type PwaFixture } from "../support/pwaFixture";
import { until } from "../support/wait";

const DIST = join(__dirname, "..", "..", "dist");
const THREADS = ["paged-a", "paged-b"];
const COUNT = 130;

function summary(threadId: string, lastSeq: number): ThreadSummary {
  const at = Date.now();
  return {
    threadId,
    title: `Task ${threadId}`,
    workspace: "e2e",
    status: "done",
    pending: [],
    lastSeq,
    createdAt: at - 60_000,
    updatedAt: at,
    model: "openai:e2e-model",
    mode: "auto-edit",
  };
}

/** Each thread's stored events, as [seq, event] in the order the records keep them. */
const STORED = `(async () => {
  const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const db = await req(indexedDB.open("tether"));
  const pages = await req(db.transaction("pages").objectStore("pages").getAll());
  db.close();
  const out = {};
  for (const p of pages) for (const e of p.events) (out[p.threadId] ??= []).push([e.seq, e.event]);
  return out;
})()`;

describe("end to end: catching up from history pages", function () {
  this.timeout(120_000);
  const cleanup = new Cleanup();
  let tmp: string;
  let fx: PwaFixture;

  before(async () => {
    if (!existsSync(join(DIST, "relay.js"))) throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    tmp = mkdtempSync(join(tmpdir(), "tether-history-e2e-"));
    fx = await pwaFixture(tmp, cleanup);
  });

  after(async () => {
    await cleanup.run();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("stores every event once, in order, from pages and the events after them", async () => {
    // The commute: the app is closed while the host works.
    await fx.page.close();
    const { host } = fx;
    const sealed = new Map<string, ReturnType<typeof agentEvent>[]>();
    for (const threadId of THREADS) {
      // Made once: an agent event carries the time it was made.
      const events = Array.from({ length: COUNT }, (_, i) => agentEvent(i + 1));
      sealed.set(threadId, events);
      for (const [i, event] of events.entries())
        await host.publish(threadId, i + 1, await host.sealEvent(threadId, i + 1, event));
      await host.putSummary(summary(threadId, COUNT));
      // Pages 1-60 and 61-120; 121-130 stay events.
      const run = (from: number) => events.slice(from - 1, from - 1 + 60);
      for (const page of [...cutPages(1, run(1), 1), ...cutPages(61, run(61), 1)]) {
        const box = await sealPage(await host.threadKey(threadId), host.epoch, host.hostId, threadId, page);
        const answer = await host.socket
          .timeout(10_000)
          .emitWithAck("page:publish", { threadId, from: page.from, to: page.to, box });
        assert.ok(answer.ok, `page ${page.from}-${page.to}`);
      }
    }

    const page = await fx.context.newPage();
    const sent: string[] = [];
    const received: string[] = [];
    page.on("websocket", (ws) => {
      ws.on("framesent", (f) => void sent.push(String(f.payload)));
      ws.on("framereceived", (f) => void received.push(String(f.payload)));
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(`${e.name}: ${e.message}`));
    await page.goto(`${fx.relay.url}/#/`);
    await until("every event stored", async () => (await storedEvents(page)) === THREADS.length * COUNT, 60_000);

    assert.ok(
      sent.some((f) => f.includes('"sync"') && f.includes('"pages":true')),
      "the app asked for pages",
    );
    assert.ok(
      received.some((f) => f.includes('"pages":[{')),
      "the relay answered with pages",
    );
    const stored = (await page.evaluate(STORED)) as Record<string, [number, unknown][]>;
    const seqs = Array.from({ length: COUNT }, (_, i) => i + 1);
    for (const threadId of THREADS) {
      const held = stored[threadId] ?? [];
      assert.deepEqual(
        held.map(([seq]) => seq),
        seqs,
        `${threadId}: each seq once, in order`,
      );
      for (const [seq, event] of held) assert.deepEqual(event, sealed.get(threadId)![seq - 1], `${threadId} ${seq}`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
});
