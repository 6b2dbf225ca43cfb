// The viewer of a shared thread against a relay that misbehaves on purpose: it serves the shared
// thread's real boxes, and also another thread's boxes (as they are, and relabelled as the shared
// thread's), a record of another share, and an event moved to another seq. Only what the host
// sealed for that thread, at that place, may show.

import assert from "node:assert/strict";
import {
  exportSecretKey,
  generateContentKey,
  seal,
  sealContext,
  threadRecordKey,
  type StoredEvent,
  type ThreadEvent,
} from "#protocol";
import { deriveThreadKey } from "#protocol/threadKeys";
import { newShareSecret, shareKey, shareRecordContext, shareRecordKey, type ShareLink, type ShareRecord } from "#protocol/share";
import { ShareSession, type Connect, type ShareState, type ViewerSocket } from "../../mobile-web/src/share/shareSession";

const HOST = "host1";
const at = 1_700_000_000_000;

const message = (text: string): ThreadEvent => ({ type: "assistant-text", text, at }) as ThreadEvent;

/** A stand-in relay: answers share:sync with what the test gives it and pushes what it is told to. */
function hostileRelay(answer: () => { records: unknown[]; events: unknown[] }) {
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  const socket: ViewerSocket = {
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener as (...args: unknown[]) => void]);
      return socket;
    },
    timeout: () => ({ emitWithAck: async () => ({ ok: true, ...answer(), more: false }) }),
    connect: () => socket,
    close: () => socket,
  };
  const emit = (event: string, ...args: unknown[]): void => {
    for (const l of listeners.get(event) ?? []) l(...args);
  };
  const connect: Connect = () => {
    setImmediate(() => emit("connect"));
    return socket;
  };
  return { connect, emit };
}

describe("mobile-web: the viewer of a shared thread", () => {
  it("opens only the shared thread's boxes, at their place, whatever the relay serves", async () => {
    const content = await generateContentKey();
    const shared = await deriveThreadKey(content, 1, "shared", true);
    const other = await deriveThreadKey(content, 1, "other", true);
    const secret = newShareSecret();
    const link: ShareLink = { hostId: HOST, threadId: "shared", shareId: "s1", secret };
    const record: ShareRecord = { threadId: "shared", host: "Desk", keys: [{ e: 1, k: await exportSecretKey(shared) }] };
    const shareBox = await seal(await shareKey(secret), 1, record, shareRecordContext(HOST, "s1"));
    const event = async (key: CryptoKey, threadId: string, seq: number, text: string): Promise<StoredEvent> => ({
      hostId: HOST,
      threadId,
      seq,
      box: await seal(key, 1, message(text), sealContext.event(HOST, threadId, seq)),
      at,
    });
    const real = await event(shared, "shared", 1, "shared words");
    const otherThread = await event(other, "other", 1, "other words");
    // Another thread's box, sealed with that thread's key, relabelled as the shared thread's.
    const relabelled = { ...(await event(other, "other", 2, "other secret")), threadId: "shared", seq: 2 };
    // Sealed with the content key itself (what a viewer never holds).
    const contentSealed = await event(content, "shared", 3, "content words");
    // The shared thread's own event 1, served again as seq 4.
    const moved = { ...real, seq: 4 };
    const summaryOther = {
      hostId: HOST,
      key: threadRecordKey("shared"),
      box: await seal(
        other,
        1,
        { threadId: "shared", title: "from another thread" },
        sealContext.record(HOST, threadRecordKey("shared")),
      ),
      at,
    };
    const foreignShare = {
      hostId: HOST,
      key: shareRecordKey("s1"),
      box: await seal(
        await shareKey(newShareSecret()),
        1,
        { ...record, keys: [{ e: 1, k: await exportSecretKey(other) }] },
        shareRecordContext(HOST, "s1"),
      ),
      at,
    };
    const relay = hostileRelay(() => ({
      records: [{ hostId: HOST, key: shareRecordKey("s1"), box: shareBox, at }, summaryOther],
      events: [real, otherThread, relabelled, contentSealed, moved],
    }));
    let state: ShareState | undefined;
    const session = new ShareSession(link, "http://relay", relay.connect, (s) => (state = s));
    await session.start();
    for (let i = 0; i < 100 && (state?.events.length ?? 0) === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(state?.host, "Desk");
    assert.deepEqual(
      state?.events.map((e) => [e.seq, (e.event as { text?: string }).text]),
      [[1, "shared words"]],
    );
    assert.equal(state?.unreadable, 3, "the relabelled, content-sealed and moved boxes are refused");
    assert.equal(state?.summary, null, "a summary sealed with another thread's key is not shown");

    // A share record sealed for another link is not believed: no key of the other thread is added.
    relay.emit("record", foreignShare);
    relay.emit("event", await event(other, "shared", 5, "other key"));
    relay.emit("event", await event(shared, "shared", 6, "next words"));
    for (let i = 0; i < 100 && (state?.events.length ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      state?.events.map((e) => e.seq),
      [1, 6],
    );
    session.close();
  });
});
