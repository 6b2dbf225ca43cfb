import assert from "node:assert/strict";
import type { Command, ThreadEvent, ThreadSummary } from "#protocol";
import type { CachedThread } from "../../../mobile-web/src/threads/cache";
import type { NumberedEvent } from "../../../mobile-web/src/threads/timelineItems";
import {
  approvalKey,
  questionKey,
  threadKey,
  waitingDetail,
  waitingItems,
  type FeedHost,
  type FeedInput,
  type WaitingDetail,
} from "../../../mobile-web/src/threads/waiting";
import { TAIL_EVENTS, WaitingDetails } from "../../../mobile-web/src/threads/waitingDetails";

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const editor = { id: "e", name: "VS Code" };

type NewEvent = ThreadEvent extends infer E ? (E extends ThreadEvent ? Omit<E, "at"> : never) : never;

const request = (approvalId: string, command: string): NewEvent => ({
  type: "approval-requested",
  approvalId,
  callId: `c-${approvalId}`,
  tool: "run_command",
  kind: "command",
  command,
  reason: "check",
  rule: "mode ask: commands ask",
});

/** Events numbered from `from`, a second apart starting at `start`. */
function events(start: number, from: number, ...list: NewEvent[]): NumberedEvent[] {
  return list.map((event, i) => ({ seq: from + i, event: { ...event, at: start + i * 1000 } as ThreadEvent }));
}

function thread(hostId: string, threadId: string, over: Partial<ThreadSummary> = {}, seq = 3): CachedThread {
  return {
    hostId,
    threadId,
    seq,
    summary: {
      threadId,
      title: `Task ${threadId}`,
      workspace: "api",
      status: "awaiting-approval",
      pending: [],
      lastSeq: seq,
      createdAt: T0,
      updatedAt: T0 + 60_000,
      model: "m",
      mode: "ask",
      ...over,
    },
  };
}

const online = (hostId: string, name: string): FeedHost => ({ hostId, name, reach: { kind: "reachable" } });

function input(over: Partial<FeedInput>): FeedInput {
  return { hosts: [], threads: [], details: {}, unsent: [], done: new Set(), ...over };
}

const labels = (items: ReturnType<typeof waitingItems>): string[] =>
  items.map((i) => `${i.computer}: ${i.kind === "approval" ? i.title : i.text}`);

describe("phone: what waits across computers", () => {
  it("lists every computer's approvals and questions, oldest first, whichever computer they are on", () => {
    const a = thread("h-a", "t1", { pending: [{ approvalId: "a1", title: "npm test" }] });
    const b = thread("h-b", "t2", { pending: [{ approvalId: "b1", title: "make" }], question: "Which port?" });
    const details: Record<string, WaitingDetail> = {
      [threadKey("h-a", "t1")]: waitingDetail(events(T0 + 5000, 1, request("a1", "npm test"))),
      [threadKey("h-b", "t2")]: waitingDetail(
        events(T0, 1, request("b1", "make"), { type: "question", questionId: "q1", text: "Which port?" }),
      ),
    };
    const items = waitingItems(input({ hosts: [online("h-a", "laptop"), online("h-b", "desktop")], threads: [a, b], details }));
    // desktop's approval was asked at T0, its question a second later, laptop's at T0+5s.
    assert.deepEqual(labels(items), ["desktop: make", "desktop: Which port?", "laptop: npm test"]);
    const [first, second, third] = items;
    assert.equal(first?.kind === "approval" && first.request?.command, "make");
    assert.equal(second?.kind === "question" && second.question?.questionId, "q1");
    assert.equal(third?.threadTitle, "Task t1");
  });

  it("keeps the agent's order within a thread while the requests are not here yet", () => {
    const t = thread("h", "t", {
      pending: [
        { approvalId: "x2", title: "second" },
        { approvalId: "x1", title: "first" },
      ],
    });
    assert.deepEqual(labels(waitingItems(input({ hosts: [online("h", "pc")], threads: [t] }))), ["pc: second", "pc: first"]);
  });

  it("drops an item once its summary or its events say it was decided, and leaves the others", () => {
    const t = thread("h", "t", {
      pending: [
        { approvalId: "a1", title: "one" },
        { approvalId: "a2", title: "two" },
      ],
    });
    // The resolution's event came before the summary that leaves it out.
    const detail = waitingDetail(
      events(T0, 1, request("a1", "one"), request("a2", "two"), {
        type: "approval-resolved",
        approvalId: "a1",
        decision: "approve",
        by: editor,
      }),
    );
    const items = waitingItems(input({ hosts: [online("h", "pc")], threads: [t], details: { [threadKey("h", "t")]: detail } }));
    assert.deepEqual(labels(items), ["pc: two"]);
    const later = thread("h", "t", { pending: [] });
    assert.deepEqual(waitingItems(input({ hosts: [online("h", "pc")], threads: [later] })), []);
  });

  it("hides what this phone decided once sent, and says so while it waits in the outbox", () => {
    const t = thread("h", "t", { pending: [{ approvalId: "a1", title: "npm test" }], question: "Port?", lastSeq: 2 });
    const detail = waitingDetail(events(T0, 1, request("a1", "npm test"), { type: "question", questionId: "q", text: "Port?" }));
    const done = new Set([approvalKey("h", "t", "a1"), questionKey("h", "t", "q")]);
    const unsent: { hostId: string; command: Command }[] = [
      { hostId: "h", command: { type: "answer", threadId: "t", questionId: "q", text: "8080" } },
    ];
    const details = { [threadKey("h", "t")]: detail };
    const items = waitingItems(input({ hosts: [online("h", "pc")], threads: [t], details, done, unsent }));
    assert.deepEqual(
      items.map((i) => [i.kind, i.unsent]),
      [["question", true]],
    );
    // Sent: hidden until the host's summary no longer asks.
    assert.deepEqual(waitingItems(input({ hosts: [online("h", "pc")], threads: [t], details, done })), []);
  });

  it("shows the thread's next question after one was answered here, and not an answered one the summary still lists", () => {
    const asked = events(T0, 1, { type: "question", questionId: "q1", text: "Port?" });
    const answeredEvent = events(T0 + 1000, 2, { type: "answer", questionId: "q1", text: "8080", by: editor });
    const done = new Set([questionKey("h", "t", "q1")]);
    const hosts = [online("h", "pc")];
    // The answer's event is here, the summary still says the question waits.
    const stale = thread("h", "t", { question: "Port?", lastSeq: 1, status: "awaiting-answer" }, 2);
    const settled = { [threadKey("h", "t")]: waitingDetail([...asked, ...answeredEvent]) };
    assert.deepEqual(waitingItems(input({ hosts, threads: [stale], details: settled })), []);
    // Then the agent asks again in the same thread.
    const again = events(T0 + 2000, 3, { type: "question", questionId: "q2", text: "Which host?" });
    const next = thread("h", "t", { question: "Which host?", lastSeq: 3, status: "awaiting-answer" }, 3);
    const details = { [threadKey("h", "t")]: waitingDetail([...asked, ...answeredEvent, ...again]) };
    const items = waitingItems(input({ hosts, threads: [next], details, done }));
    assert.deepEqual(labels(items), ["pc: Which host?"]);
    assert.equal(items[0]?.kind === "question" && items[0].question?.questionId, "q2");
  });

  it("leaves out computers it is not given (unpaired) and threads without a summary; marks offline ones", () => {
    const sent: CachedThread = {
      hostId: "h",
      threadId: "new",
      seq: 0,
      summary: null,
      sent: { text: "x", at: T0, queued: false },
    };
    const gone = thread("h-gone", "t", { pending: [{ approvalId: "g", title: "rm" }] });
    const away = thread("h", "t", { pending: [{ approvalId: "a", title: "npm test" }] });
    const items = waitingItems(
      input({ hosts: [{ hostId: "h", name: "pc", reach: { kind: "offline", since: T0 } }], threads: [sent, gone, away] }),
    );
    assert.deepEqual(labels(items), ["pc: npm test"]);
    assert.deepEqual(items[0]?.reach, { kind: "offline", since: T0 });
  });
});

describe("phone: reading the requests behind what waits", () => {
  it("reads the newest events first, the whole thread only when the request is older", async () => {
    const old = events(T0, 1, request("a1", "npm test"));
    const filler = events(
      T0 + 1000,
      2,
      ...Array.from({ length: TAIL_EVENTS + 10 }, (): NewEvent => ({ type: "assistant-text", text: "…" })),
    );
    const all = [...old, ...filler];
    const last = all.length;
    const reads: number[] = [];
    const loader = new WaitingDetails(async (_h, _t, after) => {
      reads.push(after);
      return all.filter((e) => e.seq > after);
    });
    const t = thread("h", "t", { pending: [{ approvalId: "a1", title: "npm test" }], lastSeq: last }, last);
    await loader.sync([t]);
    assert.deepEqual(reads, [last - TAIL_EVENTS, 0]);
    assert.equal(loader.details[threadKey("h", "t")]?.approvals[0]?.command, "npm test");

    // Nothing changed: nothing read again. Nothing waits any more: the detail is let go.
    await loader.sync([t]);
    assert.equal(reads.length, 2);
    await loader.sync([thread("h", "t", { pending: [], status: "running", lastSeq: last + 1 }, last + 1)]);
    assert.deepEqual(loader.details, {});
    assert.equal(reads.length, 2);
  });

  it("reads a thread again when its events move on, so a request that came after its summary shows", async () => {
    let stored = events(T0, 1, { type: "assistant-text", text: "hm" });
    const loader = new WaitingDetails(async (_h, _t, after) => stored.filter((e) => e.seq > after));
    const pending = { pending: [{ approvalId: "a1", title: "npm test" }], lastSeq: 2 };
    await loader.sync([thread("h", "t", pending, 1)]);
    assert.deepEqual(loader.details[threadKey("h", "t")]?.approvals, []);
    stored = [...stored, ...events(T0 + 1000, 2, request("a1", "npm test"))];
    await loader.sync([thread("h", "t", pending, 2)]);
    assert.equal(loader.details[threadKey("h", "t")]?.approvals[0]?.approvalId, "a1");
  });
});
