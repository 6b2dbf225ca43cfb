// Hostile input: over ten thousand malformed or malicious payloads across every event a
// client can send, from anonymous, host and phone sockets. The relay must answer each one it
// can answer with a typed error, stay up, log none of the payloads' content, and keep what
// it stored exactly as it was.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ErrorCode, type ClientToServerEvents } from "#protocol";
import { HostIdentity } from "../../extension/core/identity";
import { stateFile } from "../../extension/node/stateFile";
import { startAgentHost, type AgentHost } from "../support/agentHost";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";

/** Every event a client may send, each with a payload of the right shape to mutate. */
const EVENTS = {
  "host:register": () => ({}),
  "pair:open": () => ({}),
  "pair:join": () => ({ slotId: "slot1", phoneKey: "A".repeat(87), hello: box(), proof: "P".repeat(43) }),
  "pair:decide": () => ({ slotId: "slot1", accept: true, grant: box() }),
  "phone:revoke": (ids) => ({ phoneId: ids.otherPhone }),
  "phones:list": () => ({}),
  "pair:leave": (ids) => ({ hostId: ids.otherHost }),
  rpc: (ids) => ({ hostId: ids.host, id: "rpc1", box: box() }),
  command: (ids) => ({ hostId: ids.host, id: "cmd1", box: box() }),
  "inbox:flush": () => ({}),
  "live:publish": () => ({ threadId: "t1", n: 1, box: box() }),
  "event:publish": () => ({ threadId: "t1", seq: 1, box: box() }),
  "page:publish": () => ({ threadId: "t1", from: 1, to: 2, box: box() }),
  "record:put": () => ({ key: "profile", box: box() }),
  "thread:delete": () => ({ threadId: "t1" }),
  sync: (ids) => ({ hostId: ids.host, cursors: { t1: 0 } }),
  "push:subscribe": () => ({
    target: {
      kind: "webpush",
      subscription: { endpoint: "https://push.example/x", keys: { p256dh: "A".repeat(87), auth: "B".repeat(22) } },
    },
    muted: [],
  }),
  "push:unsubscribe": () => ({}),
  "push:send": () => ({ threadId: "t1", tag: "tag1", box: box(), urgency: "high" }),
  "share:create": () => ({ shareId: "share1", threadId: "t1", verifier: "0".repeat(64) }),
  "share:revoke": () => ({ shareId: "share1" }),
  "share:sync": () => ({ after: 0 }),
} satisfies Record<keyof ClientToServerEvents, (ids: Ids) => unknown>;

interface Ids {
  host: string;
  phone: string;
  otherHost: string;
  otherPhone: string;
}

/** Payloads that are not hostile at all: the host revoking its own phone, the phone leaving. */
function unpairs(event: string, role: string, payload: unknown, ids: Ids): boolean {
  const text = JSON.stringify(payload) ?? "";
  return (
    (event === "phone:revoke" && role === "host" && text.includes(ids.phone)) ||
    (event === "pair:leave" && role === "phone" && text.includes(ids.host))
  );
}

// Not a valid id (ids are routing metadata the relay may log): nothing may echo it.
const MARKER = "fuzz:marker";
const box = (): unknown => ({ e: 1, iv: "A".repeat(16), ct: "B".repeat(40) });

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function deep(depth: number): unknown {
  let value: unknown = MARKER;
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
}

/** Values no schema should take where a string, number, id or box belongs. */
function hostileValues(ids: Ids): unknown[] {
  return [
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 53 + 1,
    1e308,
    "",
    MARKER,
    `${MARKER}\u0000\u202e`,
    `../../${MARKER}`,
    `${MARKER}-${"x".repeat(70)}`,
    "y".repeat(200_000) + MARKER,
    [],
    [MARKER],
    {},
    { e: 1, iv: MARKER, ct: MARKER },
    { e: 2 ** 31, iv: "A".repeat(16), ct: "B".repeat(40) },
    { e: 1, iv: "A".repeat(16), ct: "B".repeat(40), extra: MARKER },
    JSON.parse(`{"__proto__":{"polluted":"${MARKER}"}}`),
    JSON.parse(`{"constructor":{"prototype":{"polluted":"${MARKER}"}}}`),
    deep(40),
    deep(2_000),
    "unknownid123",
    ids.otherHost,
    ids.otherPhone,
    ids.host,
    ids.phone,
  ];
}

/** Mutates one field (at any depth) of a payload, or replaces it whole. */
function mutate(payload: unknown, value: unknown, rnd: () => number): unknown {
  if (rnd() < 0.15 || payload === null || typeof payload !== "object") return value;
  const copy = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
  const keys = Object.keys(copy);
  const roll = rnd();
  if (keys.length === 0 || roll < 0.1) {
    copy[rnd() < 0.5 ? MARKER : "__proto__"] = value;
    return copy;
  }
  const key = keys[Math.floor(rnd() * keys.length)]!;
  if (roll < 0.2) {
    delete copy[key];
    return copy;
  }
  const inner = copy[key];
  copy[key] = inner !== null && typeof inner === "object" && rnd() < 0.5 ? mutate(inner, value, rnd) : value;
  return copy;
}

type Answer = { ok: boolean; code?: string; message?: string } | undefined;

/** Everything the relay keeps for a host, sealed as stored. */
async function storedFor(phone: PairedPhone): Promise<{ records: unknown[]; events: unknown[] }> {
  const records: unknown[] = [];
  const events: unknown[] = [];
  const cursors: Record<string, number> = {};
  for (;;) {
    const page = await phone.socket.timeout(10_000).emitWithAck("sync", { hostId: phone.hostId, cursors });
    if (!page.ok) throw new Error(page.message);
    if (records.length === 0) records.push(...page.records);
    for (const e of page.events) {
      events.push(e);
      cursors[e.threadId] = e.seq;
    }
    if (!page.more) return { records, events };
  }
}

function emit(socket: PhoneSocket, event: string, payload: unknown): Promise<Answer | "no-answer"> {
  const raw = socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<Answer> } };
  return raw
    .timeout(5_000)
    .emitWithAck(event, payload)
    .catch(() => "no-answer" as const);
}

describe("relay under hostile input", function () {
  this.timeout(180_000);
  let relay: TestRelay;
  let workspace: string;
  let host: AgentHost;
  let other: TestHost;
  let phone: PairedPhone;
  let otherPhone: PairedPhone;
  /** Moved on after the fuzz, so the fuzzed phone's event budget has refilled for the last checks. */
  let clockAhead = 0;

  before(async () => {
    // A host connection that goes (the relay closes those that send oversized frames) leaves
    // a command unacknowledged: the relay answers "queued" after this, within the 5 s wait.
    relay = await startRelay({ commandAckTimeoutMs: 1_500, now: () => Date.now() + clockAhead });
    workspace = makeWorkspace({ "notes.md": "ship it\n" });
    // A host with threads, so commands that reach it are opened and refused as a real one would.
    host = await startAgentHost({ relay: relay.url, folder: workspace });
    other = await startHost(relay.url, workspace, { name: "other-host" });
    phone = await pairPhone((await host.host.openPairing()).url, "fuzz phone");
    otherPhone = await pairPhone((await other.host.openPairing()).url, "other phone");
  });

  after(async () => {
    phone?.close();
    otherPhone?.close();
    await host?.stop();
    await other?.stop();
    await relay?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("answers ten thousand hostile payloads with typed errors, stays up and keeps its data intact", async () => {
    const before = await storedFor(phone);
    const otherBefore = await storedFor(otherPhone);
    const ids = { host: phone.hostId, phone: phone.deviceId, otherHost: otherPhone.hostId, otherPhone: otherPhone.deviceId };
    const values = hostileValues(ids);
    const rnd = random(0x7e7e7);

    // Three kinds of sender; each reconnects if the relay closed it (oversized frames do).
    const hostToken = (await HostIdentity.loadOrCreate(stateFile(host.stateDir))).credentials(relay.url)?.token;
    assert.ok(hostToken, "the host has no token for this relay");
    const senders: { role: string; auth: { token?: string }; socket?: PhoneSocket }[] = [
      { role: "anonymous", auth: {} },
      { role: "phone", auth: { token: phone.token } },
      { role: "host", auth: { token: hostToken } },
    ];
    // One connection per sender at a time, shared by the batch that asks while it opens.
    const opening = new Map<(typeof senders)[number], Promise<PhoneSocket>>();
    const socketOf = (s: (typeof senders)[number]): Promise<PhoneSocket> => {
      if (s.socket?.connected) return Promise.resolve(s.socket);
      let pending = opening.get(s);
      if (!pending) {
        s.socket?.close();
        const socket = connect(relay.url, s.auth);
        s.socket = socket;
        // A second connection of the host answers commands and calls as the host would, or the
        // relay (which waits for every connection of the host) would wait on it.
        if (s.role === "host") {
          const raw = socket as unknown as { on(e: string, l: (p: unknown, r: (a: unknown) => void) => void): void };
          for (const event of ["command", "rpc"])
            raw.on(event, (_p, reply) => reply({ ok: false, code: ErrorCode.BadSeal, message: "not opened" }));
        }
        pending = connected(socket)
          .then(() => socket)
          .finally(() => opening.delete(s));
        opening.set(s, pending);
      }
      return pending;
    };

    const events = Object.keys(EVENTS) as (keyof typeof EVENTS)[];
    const tally = { sent: 0, failures: 0, successes: 0, noAnswer: 0, closed: 0, byCode: new Map<string, number>() };
    const unanswered: string[] = [];
    const TOTAL = Number(process.env.FUZZ_TOTAL ?? 10_500);
    const BATCH = 50;
    while (tally.sent < TOTAL) {
      const batch: Promise<void>[] = [];
      for (let i = 0; i < BATCH; i++) {
        const sender = senders[Math.floor(rnd() * senders.length)]!;
        const event = events[Math.floor(rnd() * events.length)]!;
        const value = values[Math.floor(rnd() * values.length)];
        const payload = mutate(EVENTS[event](ids), value, rnd);
        if (unpairs(event, sender.role, payload, ids)) continue;
        tally.sent++;
        batch.push(
          socketOf(sender).then(async (socket) => {
            const answer = await emit(socket, event, payload);
            if (answer === "no-answer") {
              // Only a frame past the size limit may go unanswered: the relay closes that socket.
              if (socket.connected) {
                tally.noAnswer++;
                unanswered.push(`${sender.role} ${event} ${JSON.stringify(payload).slice(0, 300)}`);
              } else tally.closed++;
              return;
            }
            assert.equal(typeof answer?.ok, "boolean", `${event} answered ${JSON.stringify(answer)}`);
            if (answer!.ok) {
              tally.successes++;
              return;
            }
            tally.failures++;
            assert.ok(Object.values(ErrorCode).includes(answer!.code as ErrorCode), `unknown code ${answer!.code}`);
            assert.equal(typeof answer!.message, "string");
            tally.byCode.set(answer!.code!, (tally.byCode.get(answer!.code!) ?? 0) + 1);
          }),
        );
      }
      await Promise.all(batch);
    }
    for (const s of senders) s.socket?.close();

    // Every payload got an answer, except those whose socket the relay closed for its size.
    assert.deepEqual(unanswered, [], "payloads went unanswered on an open socket");
    assert.ok(tally.failures > TOTAL * 0.9, `only ${tally.failures} of ${TOTAL} were refused`);

    // Up, and nothing it stored changed; the sealed path still works end to end.
    assert.equal((await fetch(`${relay.url}/healthz`)).status, 200);
    // The phone that sent the payloads is over its event budget for a while (the rate-limited
    // answers above); a minute later it is served again.
    clockAhead += 60_000;
    // The fuzzing host connection may add its own (unreadable) events and replace its records
    // (latest wins): it is that host. Its events stay as they were (a seq is never rewritten),
    // and the other host's store is untouched.
    const after = await storedFor(phone);
    for (const e of before.events)
      assert.ok(
        after.events.some((a) => JSON.stringify(a) === JSON.stringify(e)),
        "an event changed",
      );
    assert.deepEqual(await storedFor(otherPhone), otherBefore);
    const listing = await phone.call({ type: "list-dir", path: "" });
    assert.ok(listing.ok, JSON.stringify(listing));
    assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype was polluted");

    // Logged without content.
    const logs = relay.logs.join("\n");
    assert.ok(
      !logs.includes(MARKER),
      `a payload's content reached the relay's log: ${relay.logs.find((l) => l.includes(MARKER))?.slice(0, 400)}`,
    );
    console.log(
      `      ${tally.sent} payloads: ${tally.failures} refused (` +
        [...tally.byCode].map(([c, n]) => `${c} ${n}`).join(", ") +
        `), ${tally.successes} accepted, ${tally.closed} on sockets closed for size`,
    );
  });
});
