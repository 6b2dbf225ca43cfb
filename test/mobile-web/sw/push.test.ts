import assert from "node:assert/strict";
import { FCM_DATA_KEY, type PushMessage } from "#protocol";
import { parseMessage } from "../../../mobile-web/src/sw/push";

const message: PushMessage = {
  hostId: "host-1",
  threadId: "thread-1",
  tag: "a-k3Jd9",
  box: { e: 1, iv: "A".repeat(16), ct: "C".padEnd(40, "x") },
};
const push = (text: string) => ({ text: () => text });
/** What a browser's worker receives for an FCM data message: FCM's own envelope around our data. */
const fcmEnvelope = (data: Record<string, unknown>) =>
  JSON.stringify({ data, from: "1234567890", priority: "high", fcmMessageId: "0:1750000000000%abc" });

describe("reading a push in the service worker", () => {
  it("reads the message as Web Push brings it", () => {
    assert.deepEqual(parseMessage(push(JSON.stringify(message))), message);
  });

  it("reads the message out of FCM's envelope", () => {
    assert.deepEqual(parseMessage(push(fcmEnvelope({ [FCM_DATA_KEY]: JSON.stringify(message) }))), message);
  });

  it("finds nothing to open in anything else, so the generic notification is shown", () => {
    const cases = [
      "",
      "not json",
      "null",
      JSON.stringify({ ...message, tag: undefined }),
      fcmEnvelope({}),
      fcmEnvelope({ [FCM_DATA_KEY]: message }),
      fcmEnvelope({ [FCM_DATA_KEY]: "{broken" }),
      fcmEnvelope({ [FCM_DATA_KEY]: JSON.stringify({ ...message, box: "plain text" }) }),
      JSON.stringify({ data: JSON.stringify(message) }),
      JSON.stringify({ notification: { title: "from the Firebase console" }, from: "1234567890" }),
    ];
    for (const text of cases) assert.equal(parseMessage(push(text)), null, text);
    assert.equal(parseMessage(null), null);
  });
});
