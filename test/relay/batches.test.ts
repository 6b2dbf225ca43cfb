// A host's stored events reach a phone that reads batches (`events`, one packet per relay turn)
// and one that does not (`event` each) alike: every event once, in the order the host sent it,
// with a record the host put between two events still between them. On one relay (SQLite) and
// across two relay processes sharing a real Redis (host on one, phones on the other).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode, randomId, threadRecordKey, type Box } from "#protocol";
import { agentEvent } from "../support/agentEvents";
import { Cleanup } from "../support/cleanup";
import { connect, connected, type PhoneSocket } from "../support/phone";
import { pairedRawHost, type RawHost } from "../support/rawHost";
import { startRedis, type TestRedis } from "../support/redisServer";
import { startRelay, type TestRelay } from "../support/relay";
import { until } from "../support/wait";

const COUNT = 200;
const THREADS = 4;
/** The record goes after this many events. */
const RECORD_AFTER = 100;

interface Seen {
  /** "threadId/seq" per event, "record" for the record, in arrival order. */
  order: string[];
  eventPackets: number;
  batchPackets: number;
  largestBatch: number;
}

async function phoneSocket(url: string, token: string, batches: boolean): Promise<{ socket: PhoneSocket; seen: Seen }> {
  const auth = batches ? { token, batches: true } : { token };
  const socket = connect(url, auth as { token: string });
  const seen: Seen = { order: [], eventPackets: 0, batchPackets: 0, largestBatch: 0 };
  socket.on("event", (e) => {
    seen.eventPackets++;
    seen.order.push(`${e.threadId}/${e.seq}`);
  });
  socket.on("events", (events) => {
    seen.batchPackets++;
    seen.largestBatch = Math.max(seen.largestBatch, events.length);
    for (const e of events) seen.order.push(`${e.threadId}/${e.seq}`);
  });
  socket.on("record", () => void seen.order.push("record"));
  await connected(socket);
  return { socket, seen };
}

const threadOf = (i: number): string => `thread-${i % THREADS}`;
const seqOf = (i: number): number => Math.floor(i / THREADS) + 1;

/** Publishes every event at once (all awaiting their answer), with the record in their midst. */
async function publishAll(raw: RawHost, boxes: Box[], recordBox: Box): Promise<void> {
  const answers: Promise<unknown>[] = [];
  boxes.forEach((box, i) => {
    answers.push(raw.socket.timeout(30_000).emitWithAck("event:publish", { threadId: threadOf(i), seq: seqOf(i), box }));
    if (i + 1 === RECORD_AFTER) {
      answers.push(raw.socket.timeout(30_000).emitWithAck("record:put", { key: threadRecordKey(threadOf(0)), box: recordBox }));
    }
  });
  for (const answer of await Promise.all(answers)) assert.deepEqual(answer, { ok: true });
}

function expectedOrder(): string[] {
  const order: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    order.push(`${threadOf(i)}/${seqOf(i)}`);
    if (i + 1 === RECORD_AFTER) order.push("record");
  }
  return order;
}

async function checkBatches(hostRelay: string, phoneRelay: string, tmp: string, cleanup: Cleanup): Promise<void> {
  const raw = await pairedRawHost(hostRelay, tmp, cleanup);
  raw.phone.close();
  const batch = await phoneSocket(phoneRelay, raw.phone.token, true);
  cleanup.add(batch.socket, (s) => s.close());
  const single = await phoneSocket(phoneRelay, raw.phone.token, false);
  cleanup.add(single.socket, (s) => s.close());
  const boxes = await Promise.all(Array.from({ length: COUNT }, (_, i) => raw.sealEvent(threadOf(i), seqOf(i), agentEvent(i))));
  const recordBox = boxes[0]!;

  await publishAll(raw, boxes, recordBox);
  // A retry of a stored event is answered and not delivered again; other content at its seq is refused.
  const retry = await raw.socket.timeout(10_000).emitWithAck("event:publish", { threadId: threadOf(0), seq: 1, box: boxes[0]! });
  assert.deepEqual(retry, { ok: true });
  const conflict = await raw.socket
    .timeout(10_000)
    .emitWithAck("event:publish", { threadId: threadOf(0), seq: 1, box: boxes[1]! });
  assert.equal(!conflict.ok && conflict.code, ErrorCode.Conflict);
  // One more event after those: once it is in, anything the two above sent would be too.
  const last = await raw.sealEvent("last", 1, agentEvent(COUNT));
  await raw.publish("last", 1, last);

  const expected = [...expectedOrder(), "last/1"];
  for (const [name, phone] of [
    ["batch", batch],
    ["single", single],
  ] as const) {
    await until(`the ${name} phone to get every event`, () => phone.seen.order.length >= expected.length, 30_000);
    assert.deepEqual(phone.seen.order, expected, `the ${name} phone got every event once, in order, the record in its place`);
  }
  assert.equal(batch.seen.eventPackets, 0, "a phone that reads batches gets no single events");
  assert.equal(single.seen.batchPackets, 0, "a phone that does not read batches gets none");
  assert.equal(single.seen.eventPackets, COUNT + 1);
  assert.ok(batch.seen.largestBatch > 1, `events published together came in batches (largest ${batch.seen.largestBatch})`);
  assert.ok(batch.seen.batchPackets < COUNT, `${batch.seen.batchPackets} packets for ${COUNT + 1} events`);
}

describe("relay: events in batches", () => {
  let tmp: string;
  let cleanup: Cleanup;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "tether-batches-"));
    cleanup = new Cleanup();
  });
  afterEach(async () => {
    await cleanup.run();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("delivers every event once and in order to a phone that reads batches and to one that does not", async () => {
    const relay: TestRelay = cleanup.add(await startRelay(), (r) => r.stop());
    await checkBatches(relay.url, relay.url, tmp, cleanup);
  });

  describe("across two relay processes on Redis", () => {
    let redis: TestRedis;
    before(async function () {
      this.timeout(20_000);
      redis = await startRedis();
    });
    after(() => redis?.stop());

    it("delivers the same to phones on the other process than their host's", async () => {
      const redisPrefix = `t${randomId(6)}:`;
      const config = { redis: redis.url };
      const a: TestRelay = cleanup.add(await startRelay({ config, redisPrefix }), (r) => r.stop());
      const b: TestRelay = cleanup.add(await startRelay({ config, redisPrefix }), (r) => r.stop());
      await checkBatches(a.url, b.url, tmp, cleanup);
    });
  });
});
