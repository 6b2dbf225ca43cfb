// 4. Catch-up: a phone back from a commute while its host worked, with thousands of missed
// events (long command output included), until it has them all. Twice: the PWA's own catch-up
// code (ThreadService: sync pages, open, apply) in Node with its cache in memory, and the whole
// PWA in Chromium, from opening the app until every event is in its IndexedDB. The floor
// serves the same boxes from memory in pages of the same size.

import { writeFileSync } from "node:fs";
import {
  PAGE_MAX_EVENTS,
  type Box,
  type StoredEvent,
  type StoredPage,
  type SyncRequest,
  type ThreadEvent,
  type ThreadSummary,
} from "#protocol";
import { HistoryPager } from "../../extension/core/threads/historyPager";
import type { HostIdentity } from "../../extension/core/identity";
import type { RelayLink } from "../../extension/core/link/relayLink";
import type { Thread } from "../../extension/core/threads/thread";
import type { ThreadManager } from "../../extension/core/threads/threadManager";
import { syncAnswerSchema } from "../../mobile-web/src/link/inbound";
import { openHistoryPage, openThreadEvent } from "../../mobile-web/src/threads/open";
import { memoryThreads, threadServiceClass } from "../../test/support/memoryThreads";
import { type PhoneSocket, connect, connected } from "../../test/support/phone";
import type { RawHost } from "../../test/support/rawHost";
import { pwaFixture, storedEvents } from "../../test/support/pwaFixture";
import { agentEvent } from "../../test/support/agentEvents";
import { floorClient, startFloor } from "../lib/floor";
import { profilePage, topFunctions } from "../lib/profile";
import { figure } from "../lib/results";
import { Cleanup, type Scenario } from "../lib/scenario";
import { fmt, now, round, sleep } from "../lib/stats";

const THREADS = 5;
/** The PWA's page size (threadService.ts SYNC_PAGE). */
const PAGE = 1000;
const TRACE_CATEGORIES = [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "v8",
  "blink",
  "IndexedDB",
  "toplevel",
  "disabled-by-default-v8.gc",
];

export const catchup: Scenario = {
  id: "catchup",
  title: "Catch-up after a commute",
  async run(ctx, out) {
    const count = ctx.quick ? 500 : 10_000;
    out.params = { events: count, threads: THREADS };
    const cleanup = new Cleanup();
    try {
      const fx = await pwaFixture(ctx.tmp, cleanup);
      const { host } = fx;
      // The commute: the phone's connection and the app are gone while the host works.
      host.phone.close();
      await fx.page.close();
      ctx.log(`publishing ${count} events on ${THREADS} threads`);
      const threadOf = (i: number): string => `commute-${i % THREADS}`;
      const seqOf = (i: number): number => Math.floor(i / THREADS) + 1;
      // Made once: an agent event carries the time it was made, and its page must hold the same.
      const events = Array.from({ length: count }, (_, i) => agentEvent(i));
      const boxes = await Promise.all(events.map((event, i) => host.sealEvent(threadOf(i), seqOf(i), event)));
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < count) {
            const i = next++;
            await host.publish(threadOf(i), seqOf(i), boxes[i]!);
          }
        }),
      );
      for (let t = 0; t < THREADS; t++) await host.putSummary(summary(`commute-${t}`, Math.ceil((count - t) / THREADS)));
      const cipherChars = boxes.reduce((sum, b) => sum + b.ct.length, 0);
      ctx.log("the host seals its history pages");
      const byThread = new Map<string, ThreadEvent[]>();
      for (let i = 0; i < count; i++) {
        const list = byThread.get(threadOf(i)) ?? [];
        list.push(events[i]!);
        byThread.set(threadOf(i), list);
      }
      const paging = await publishPages(host, byThread);

      ctx.log("catching up: the PWA's code in Node");
      const node = await nodeCatchUp(fx.relay.url, host, count);
      ctx.log("catching up: the PWA in Chromium");
      const chromium = await browserCatchUp(fx, count);
      ctx.log("floor: the same boxes in pages from memory");
      const floor = await floorCatchUp(boxes);

      out.figures.push(
        figure({
          id: "node",
          label: `caught up on ${count.toLocaleString("en-US")} events, PWA code in Node (memory cache)`,
          value: round(node.ms),
          unit: "ms",
          // Issue 19: within twice the floor's fetch of the same pages, in the same run.
          goal: { op: "<=", value: round(2 * floor) },
          floor: round(floor),
        }),
        figure({
          id: "chromium",
          label: "…the whole PWA in Chromium, app opened until all in IndexedDB",
          value: chromium.ms === null ? null : round(chromium.ms),
          unit: "ms",
          goal: { op: "<=", value: 1000 },
          floor: round(floor),
        }),
        figure({
          id: "events-only",
          label: "…a phone older than history pages (events alone), PWA code in Node",
          value: round(node.eventsOnlyMs),
          unit: "ms",
          floor: round(floor),
        }),
        figure({
          id: "pages-fetch",
          label: "…of which fetching the answers with history pages (nothing opened)",
          value: round(node.pagesFetchMs),
          unit: "ms",
          floor: round(floor),
        }),
        figure({
          id: "pages-open",
          label: "…of which opening the history pages and the events after them (one after another)",
          value: round(node.pagesOpenMs),
          unit: "ms",
        }),
        figure({
          id: "fetch",
          label: "events alone: fetching the answers (nothing opened)",
          value: round(node.fetchMs),
          unit: "ms",
          floor: round(floor),
        }),
        figure({
          id: "schema",
          label: "events alone: checking the answers against their schema (zod)",
          value: round(node.schemaMs),
          unit: "ms",
        }),
        figure({
          id: "open",
          label: "events alone: opening the boxes (in memory, one after another)",
          value: round(node.openMs),
          unit: "ms",
        }),
        figure({ id: "wire", label: "bytes received for the catch-up", value: round(node.bytes / 2 ** 20), unit: "MB" }),
        figure({
          id: "wire-events-only",
          label: "…events alone",
          value: round(node.eventsOnlyBytes / 2 ** 20),
          unit: "MB",
        }),
        figure({
          id: "host-pages",
          label: `host: sealing and storing its history pages of the ${count.toLocaleString("en-US")} events`,
          value: round(paging.ms),
          unit: "ms",
        }),
      );
      out.notes.push(
        `${fmt(count)} events of an agent run (${fmt(cipherChars / 2 ** 20)} MB of ciphertext; one 30,000-character command output ` +
          `in every hundred events, a 3,000-character one in every ten) on ${THREADS} threads, stored by a relay process; ` +
          `a phone older than pages asks for ${PAGE} events an answer, this one for 2,500. The host's own HistoryPager (extension/core/threads/` +
          `historyPager.ts) then seals its history pages as it does at a hello: ${fmt(paging.pages)} pages covering ` +
          `${fmt(paging.paged)} events (at most ${PAGE_MAX_EVENTS} events or about 1.5 MB each). A phone that reads pages ` +
          `gets, per thread, the pages from its cursor and then the events after them; ${fmt(node.pagesServed)} pages ` +
          `were served in this catch-up.`,
        `The Node figure's goal is twice the floor's fetch of the same events in the same run (issue 19). ` +
          `Where the Node phone's ${fmt(node.ms)} ms go, measured part by part: fetching the answers with pages ` +
          `${fmt(node.pagesFetchMs)} ms (the floor: ${fmt(floor)} ms), opening the pages and the events after them ` +
          `${fmt(node.pagesOpenMs)} ms (one after another; ThreadService opens an answer's boxes concurrently and asks ` +
          `for the next answer while it opens and stores this one, so these parts overlap). A phone older than pages ` +
          `(events alone, ${fmt(node.eventsOnlyMs)} ms): fetching ${fmt(node.fetchMs)} ms, the sync schema (zod, ` +
          `which runs the base64url pattern over every box) ${fmt(node.schemaMs)} ms, opening the ${fmt(count)} boxes ` +
          `${fmt(node.openMs)} ms.`,
        `Chromium, main thread while catching up (self time): ${chromium.top.join(", ")}.`,
        ...(node.missing.length ? [`The Node run's memory cache answered nothing to: ${node.missing.join(", ")}.`] : []),
        "Made: a page's boxes open concurrently while the next page is fetched; base64 decodes with Buffer or " +
          "Uint8Array.fromBase64; each page is stored in one IndexedDB transaction while the next is opened, and a " +
          "page updates each thread once. Since schema 4 (issue 19) a page's events of one thread are one IndexedDB " +
          "record keyed by its last seq (store/eventPages.ts), read and deleted by key range; the upgrade moves the " +
          "old per-event records into such pages in its own transaction (test/e2e/eventPages.e2e.test.ts).",
        "What that changed, Chromium traces of the old and the new app in one sitting (load average 13 to 14 on 2 " +
          "cores, CATCHUP_TRACE=<file> npm run bench -- catchup): IndexedDB puts 10,016 → 26; the page's main-thread " +
          "tasks while the pages came 10,887 → 611, busy 1,890 → 911 ms; first to last box opened 2,231 → 1,208 ms. " +
          "The wall time moves with the machine's load (old 2,230 to 3,210 ms in 4 runs, new 1,740 to 2,820 ms in 7, " +
          "load average 7 to 16), so compare those traced figures, not one run.",
        "Before history pages (trace of the app at load average 8): the first sync answer was opened 530 ms after " +
          "the document started and the last 1,740 ms (10 answers, about 120 ms each); the main thread was busy three " +
          "quarters of that time, 10,000 WebCrypto decrypt calls' setup 195 ms of it, and one WebCrypto call per box " +
          "cost more than twice the floor's whole fetch by itself. A Worker for the decrypts and answers of 2,500 " +
          "events were tried then and measured no better.",
        "Made (issue 19): history pages. The host seals each complete run of a thread's published events again as " +
          "one box (protocol/historyPages.ts, at most 500 events or about 1.5 MB; its context binds host, thread, from " +
          "and to); the relay stores pages beside the events; a phone that asks gets the page chains from its cursors " +
          "and the events after them, up to 2,500 events an answer. 10,000 events are about 30 boxes instead of " +
          "10,000. Three earlier full runs at load average 12 to 17 (seven workers on 2 cores): the Node catch-up " +
          "362, 1,120 and 632 ms with pages against 1,580, 2,900 and 1,950 ms reading events alone in the same runs " +
          "(2.6 to 4.4 times faster), 1.79, 2.41 and 2.69 times the floor (202, 465 and 235 ms) against the goal of " +
          "2: at the goal only in the quietest run, so not reliably met on this loaded machine. Opening the pages and " +
          "the events after them one after another took 101 to 403 ms against 1,260 to 1,620 ms for the 10,000 " +
          "boxes; the relay's answers with pages came in 0.8 to 2.6 times the floor's fetch, and that fetch (one " +
          "SQLite read and a Socket.IO frame of up to 3.5 MB per answer, parsed by the phone) is now the larger part.",
        "What is left: the whole PWA in Chromium took 1,770, 2,610 and 2,150 ms in those runs (goal 1,000 ms). Its CPU " +
          "profile while catching up: 39 % idle (waiting on the WebCrypto thread, IndexedDB in the browser process " +
          "and the relay), 22 % native work (IndexedDB messages, socket frames), 10 % writing the events into their " +
          "IndexedDB records (store/eventPages.ts), 3 % the sync schema's base64url pattern over the pages' boxes. " +
          "With the boxes gone from the path, what remains is the app's start, carrying 13 MB through Socket.IO and " +
          "writing 10,000 events into IndexedDB; it was not traced again at this load (CATCHUP_TRACE=<file> at a " +
          "quiet moment is the next step, to split the start from the stores). In Node, what the parts above leave " +
          "is mostly the sync schema's base64url pattern over the pages' 13 MB of boxes (as for events alone: 62 to " +
          "158 ms in these runs); AES-GCM already refuses a box whose text does not decode to the sealed bytes, so a " +
          "lighter check of page boxes on the phone is the next lever (not made: the schema is shared with the relay).",
      );
    } finally {
      await cleanup.run();
    }
  },
};

function summary(threadId: string, lastSeq: number): ThreadSummary {
  const at = Date.now();
  return {
    threadId,
    title: `Commute task ${threadId}`,
    workspace: "bench",
    status: "running",
    pending: [],
    lastSeq,
    createdAt: at - 3_600_000,
    updatedAt: at,
    model: "openai:bench-model",
    mode: "auto-edit",
  };
}

/**
 * The host's history pages of what it published, sealed and sent by the host's own HistoryPager
 * (as after a restart, its hello: every complete run of each thread), over the bench's socket.
 */
async function publishPages(
  host: RawHost,
  events: Map<string, ThreadEvent[]>,
): Promise<{ pages: number; paged: number; ms: number }> {
  const threadList = [...events].map(([id, list]) => ({ id, events: list.map((event, i) => ({ seq: i + 1, event })) }));
  let pages = 0;
  const link = {
    state: "open",
    async request(name: "page:publish", payload: unknown) {
      const answer = await host.socket.timeout(30_000).emitWithAck(name, payload as never);
      if (answer.ok) pages++;
      return answer;
    },
  } as unknown as RelayLink;
  const identity = {
    contentKey: () => host.key,
    threadKey: (threadId: string) => host.threadKey(threadId),
    epoch: host.epoch,
  } as unknown as HostIdentity;
  const threads = {
    get: (id: string) => threadList.find((t) => t.id === id) as unknown as Thread | undefined,
    list: () => threadList as unknown as Thread[],
  } as unknown as ThreadManager;
  const pager = new HistoryPager({
    link,
    identity,
    threads,
    log: { info() {}, warn() {}, error() {} } as never,
    hostId: () => host.hostId,
    publishedSeq: (id) => events.get(id)?.length ?? 0,
    save() {},
  });
  const t0 = now();
  pager.onHello();
  await pager.idle();
  const ms = now() - t0;
  pager.close();
  return { pages, paged: Object.values(pager.paged).reduce((a, b) => a + b, 0), ms };
}

interface NodeFigures {
  /** ThreadService's catch-up, pages and events (this phone). */
  ms: number;
  /** The same, events alone (a phone older than pages). */
  eventsOnlyMs: number;
  bytes: number;
  eventsOnlyBytes: number;
  fetchMs: number;
  schemaMs: number;
  openMs: number;
  pagesFetchMs: number;
  pagesOpenMs: number;
  pagesServed: number;
  missing: string[];
}

async function nodeCatchUp(url: string, host: RawHost, count: number): Promise<NodeFigures> {
  const { phone } = host;
  const socket = connect(url, { token: phone.token });
  await connected(socket);
  try {
    let bytes = 0;
    socket.io.engine.on(
      "data",
      (data: string | ArrayBuffer) => void (bytes += typeof data === "string" ? data.length : data.byteLength),
    );
    const record = {
      hostId: host.hostId,
      hostKey: phone.hostKey,
      epoch: phone.epoch,
      contentKey: phone.contentKey,
      profile: { name: "bench host", workspace: "bench", platform: "linux", version: "0" },
      pairedAt: Date.now(),
    };
    const ThreadService = await threadServiceClass();
    const missing = new Set<string>();
    // A phone older than pages: its requests never carry the field.
    const olderPhone = {
      timeout: (ms: number) => ({
        emitWithAck: (name: "sync", req: SyncRequest) => socket.timeout(ms).emitWithAck(name, { ...req, pages: undefined }),
      }),
    } as unknown as PhoneSocket;
    const run = async (through: PhoneSocket): Promise<number> => {
      const cache = memoryThreads({ keepContent: false });
      const service = new ThreadService({
        threads: cache.threads,
        host: (id) => (id === host.hostId ? record : undefined),
        connection: async () => ({ socket: through, deviceId: phone.deviceId }),
        now: Date.now,
      });
      const t0 = now();
      await service.catchUp(host.hostId);
      const ms = now() - t0;
      for (const name of cache.missing) missing.add(name);
      if (cache.events() !== count) throw new Error(`caught up on ${cache.events()} of ${count} events`);
      return ms;
    };
    const eventsOnlyMs = await run(olderPhone);
    const eventsOnlyBytes = bytes;
    bytes = 0;
    const ms = await run(socket);
    const pagedBytes = bytes;

    // Its parts: the pages alone (relay and wire), then opening what they brought (phone CPU).
    const fetchAll = async (pages: boolean) => {
      const answers: unknown[] = [];
      const stored: StoredEvent[] = [];
      const served: { page: StoredPage; cursor: number }[] = [];
      const cursors: Record<string, number> = {};
      const t0 = now();
      for (;;) {
        const answer = await socket
          .timeout(30_000)
          .emitWithAck("sync", { hostId: host.hostId, cursors, limit: PAGE, ...(pages && { pages }) });
        if (!answer.ok) throw new Error(answer.message);
        answers.push(answer);
        for (const page of answer.pages ?? []) {
          served.push({ page, cursor: cursors[page.threadId] ?? 0 });
          cursors[page.threadId] = page.to;
        }
        for (const e of answer.events) {
          stored.push(e);
          cursors[e.threadId] = Math.max(cursors[e.threadId] ?? 0, e.seq);
        }
        if (!answer.more) break;
      }
      return { ms: now() - t0, answers, stored, served };
    };
    const plain = await fetchAll(false);
    const t2 = now();
    for (const answer of plain.answers) syncAnswerSchema.parse(answer);
    const schemaMs = now() - t2;
    const t3 = now();
    for (const e of plain.stored) await openThreadEvent(phone.contentKey, e);
    const openMs = now() - t3;
    const paged = await fetchAll(true);
    const t4 = now();
    for (const { page, cursor } of paged.served) await openHistoryPage(phone.contentKey, host.hostId, page, cursor);
    for (const e of paged.stored) await openThreadEvent(phone.contentKey, e);
    const pagesOpenMs = now() - t4;
    return {
      ms,
      eventsOnlyMs,
      bytes: pagedBytes,
      eventsOnlyBytes,
      fetchMs: plain.ms,
      schemaMs,
      openMs,
      pagesFetchMs: paged.ms,
      pagesOpenMs,
      pagesServed: paged.served.length,
      missing: [...missing],
    };
  } finally {
    socket.close();
  }
}

/**
 * Opens the app again in the context that paired; resolves with the time until IndexedDB holds
 * every event, and where the page's main thread spent that time.
 */
async function browserCatchUp(
  fx: Awaited<ReturnType<typeof pwaFixture>>,
  count: number,
): Promise<{ ms: number | null; top: string[] }> {
  const page = await fx.context.newPage();
  // CATCHUP_TRACE=file.json records a Chromium trace of the catch-up, for a closer look.
  const trace = process.env.CATCHUP_TRACE;
  if (trace) await fx.browser.startTracing(page, { path: trace, categories: TRACE_CATEGORIES });
  try {
    const { result, profile } = await profilePage(page, async () => {
      const t0 = now();
      await page.goto(`${fx.relay.url}/#/`);
      for (;;) {
        if ((await storedEvents(page)) >= count) return now() - t0;
        if (now() - t0 > 60_000) return null;
        await sleep(50);
      }
    });
    if (trace) writeFileSync(`${trace}.cpuprofile`, JSON.stringify(profile));
    return { ms: result, top: topFunctions(profile, 6) };
  } finally {
    if (trace) await fx.browser.stopTracing();
    await page.close();
  }
}

async function floorCatchUp(boxes: Box[]): Promise<number> {
  const cleanup = new Cleanup();
  try {
    const floor = cleanup.add(await startFloor(), (f) => f.stop());
    const host = cleanup.add(await floorClient(floor.url, "host", "catchup"), (c) => c.close());
    const phone = cleanup.add(await floorClient(floor.url, "phone", "catchup"), (c) => c.close());
    let acked = 0;
    const stored = new Promise<void>((resolve) =>
      host.onMessage((m) => {
        if (m.t === "ack" && ++acked === boxes.length) resolve();
      }),
    );
    for (const [i, box] of boxes.entries())
      host.send({ t: "pub", id: i, ack: true, threadId: `commute-${i % THREADS}`, seq: i + 1, box });
    await stored;
    let pages: ((m: { more: boolean; events: unknown[] }) => void) | undefined;
    phone.onMessage((m) => {
      if (m.t === "page") pages?.(m as unknown as { more: boolean; events: unknown[] });
    });
    const t0 = now();
    let after = 0;
    for (;;) {
      const page = await new Promise<{ more: boolean; events: unknown[] }>((resolve) => {
        pages = resolve;
        phone.send({ t: "sync", after, limit: PAGE });
      });
      after += page.events.length;
      if (!page.more) break;
    }
    if (after !== boxes.length) throw new Error(`floor: ${after} of ${boxes.length}`);
    return now() - t0;
  } finally {
    await cleanup.run();
  }
}
