// The phone's store of thread events moved from one IndexedDB record per event (schema 3) to
// one record per thread per page (schema 4). A phone that caught up under the old schema opens
// the new app: every event it had is still there, once, in order, readable offline, and the
// next catch-up goes on from where it was.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { ThreadSummary } from "#protocol";
import { agentEvent } from "../support/agentEvents";
import { Cleanup } from "../support/cleanup";
import { pwaFixture, storedEvents, type PwaFixture } from "../support/pwaFixture";
import { until } from "../support/wait";

const DIST = join(__dirname, "..", "..", "dist");
const THREADS = ["old-a", "old-b"];

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

// Page scripts are strings: tsx's transform adds helpers to functions that the browser lacks.

/** Rewrites the app's database as schema 3 had it, with the same records, events one per record. */
const TO_SCHEMA_3 = `(async () => {
  const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const current = await req(indexedDB.open("tether"));
  const read = (name) => req(current.transaction(name).objectStore(name).getAll());
  const device = await req(current.transaction("device").objectStore("device").get("self"));
  const hosts = await read("hosts");
  const threads = await read("threads");
  const events = (await read("pages")).flatMap((p) =>
    p.events.map((e) => ({ hostId: p.hostId, threadId: p.threadId, seq: e.seq, event: e.event })));
  current.close();
  await req(indexedDB.deleteDatabase("tether"));
  const open = indexedDB.open("tether", 3);
  open.onupgradeneeded = () => {
    const db = open.result;
    db.createObjectStore("device");
    db.createObjectStore("hosts", { keyPath: "hostId" });
    db.createObjectStore("threads", { keyPath: ["hostId", "threadId"] });
    db.createObjectStore("events", { keyPath: ["hostId", "threadId", "seq"] });
    db.createObjectStore("settings");
    db.createObjectStore("outbox", { keyPath: "id" });
  };
  const db = await req(open);
  const tx = db.transaction(["device", "hosts", "threads", "events"], "readwrite");
  tx.objectStore("device").put(device, "self");
  for (const h of hosts) tx.objectStore("hosts").put(h);
  for (const t of threads) tx.objectStore("threads").put(t);
  for (const e of events) tx.objectStore("events").put(e);
  await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
  const count = await req(db.transaction("events").objectStore("events").count());
  db.close();
  return count;
})()`;

/** The schema's version, its stores, and each thread's stored seqs in the order they are kept. */
const SCHEMA_NOW = `(async () => {
  const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const db = await req(indexedDB.open("tether"));
  const stores = [...db.objectStoreNames];
  const pages = stores.includes("pages") ? await req(db.transaction("pages").objectStore("pages").getAll()) : [];
  db.close();
  const seqs = {};
  for (const p of pages) for (const e of p.events) (seqs[p.threadId] ??= []).push(e.seq);
  return { version: db.version, stores, seqs };
})()`;

interface Schema {
  version: number;
  stores: string[];
  seqs: Record<string, number[]>;
}

describe("end to end: thread events kept under the old schema", function () {
  this.timeout(120_000);
  const cleanup = new Cleanup();
  let tmp: string;
  let fx: PwaFixture;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    if (!existsSync(join(DIST, "relay.js"))) throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    tmp = mkdtempSync(join(tmpdir(), "tether-pages-e2e-"));
    fx = await pwaFixture(tmp, cleanup);
    page = fx.page;
  });

  after(async () => {
    await cleanup.run();
    rmSync(tmp, { recursive: true, force: true });
  });

  const publish = async (from: number, to: number): Promise<void> => {
    for (const threadId of THREADS) {
      for (let seq = from; seq <= to; seq++) {
        await fx.host.publish(threadId, seq, await fx.host.sealEvent(threadId, seq, agentEvent(seq)));
      }
      await fx.host.putSummary(summary(threadId, to));
    }
  };

  it("moves every event into pages, reads them offline, and catches up after them without doubles", async () => {
    await publish(1, 40);
    await until("the first 80 events stored", async () => (await storedEvents(page)) === 80, 30_000);

    // The phone as the last version left it: schema 3, one record per event.
    assert.equal(await page.evaluate(TO_SCHEMA_3), 80);

    // The new app opens it offline: the upgrade moves the events, and the thread reads from them.
    await fx.context.setOffline(true);
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/t/${THREADS[0]}`);
    // A new document, not the same one at another hash: the app starts and opens its database.
    const offlineLoad = await page.reload();
    assert.ok(offlineLoad?.fromServiceWorker(), "the offline reload was not answered by the service worker");
    // From the new app on: the old one, its database deleted under it, may fail on its way out.
    page.on("pageerror", (e) => pageErrors.push(`${e.name}: ${e.message}`));
    await page.getByText("Step 30: I'll look at the failing test").waitFor({ timeout: 30_000 });
    const moved = (await page.evaluate(SCHEMA_NOW)) as Schema;
    assert.equal(moved.version, 4);
    assert.ok(!moved.stores.includes("events"), `the old store is still there: ${moved.stores.join(", ")}`);
    const oneToForty = Array.from({ length: 40 }, (_, i) => i + 1);
    for (const threadId of THREADS) assert.deepEqual(moved.seqs[threadId], oneToForty, threadId);

    // Back online: the cursors kept by the old schema hold, so only the new events come.
    await fx.context.setOffline(false);
    await publish(41, 60);
    await until("the 40 later events stored", async () => (await storedEvents(page)) === 120, 30_000);
    const after = (await page.evaluate(SCHEMA_NOW)) as Schema;
    const oneToSixty = Array.from({ length: 60 }, (_, i) => i + 1);
    for (const threadId of THREADS)
      assert.deepEqual(
        [...after.seqs[threadId]!].sort((a, b) => a - b),
        oneToSixty,
      );
    assert.deepEqual(pageErrors, []);
  });
});
