// The outbox on its own: at most one send per tag, and a settle that races its notification.

import assert from "node:assert/strict";
import { generateContentKey } from "#protocol";
import { Outbox, type Notification } from "../../../extension/core/notify/outbox";
import { FakePushLink } from "../../support/fakePushLink";
import { memoryLog, type LogEntry } from "../../support/host";
import { quietFor, until } from "../../support/wait";

const approval = (body = "run the tests"): Notification => ({
  tag: "a-ap1",
  threadId: "th1",
  payload: { type: "approval", threadId: "th1", approvalId: "ap1", title: "Approve `npm test` in api?", body },
  urgency: "high",
});
const settled: Notification = {
  tag: "s-a-ap1",
  threadId: "th1",
  payload: { type: "settled", threadId: "th1", closeTag: "a-ap1" },
  urgency: "normal",
};

describe("notification outbox", () => {
  let link: FakePushLink;
  let outbox: Outbox;
  let logged: LogEntry[];

  beforeEach(async () => {
    const key = await generateContentKey();
    link = new FakePushLink(key);
    const log = memoryLog();
    logged = log.entries;
    outbox = new Outbox({ link, keys: { epoch: 1, contentKey: () => key }, log, retryDelaysMs: [10] });
  });
  afterEach(() => outbox.close());

  it("sends a tag once, however often it is asked to", async () => {
    outbox.send(approval());
    outbox.send(approval());
    await link.waitForPushed(1);
    outbox.send(approval());
    link.setState("connecting");
    link.setState("open");
    await quietFor("a second send of the tag", 100, () => link.requests.length > 1);
  });

  it("sends the newest content of a tag that waited for the link", async () => {
    link.setState("connecting");
    outbox.send(approval("first"));
    outbox.send(approval("second"));
    link.setState("open");
    const pushed = await link.waitForPushed(1);
    assert.ok(pushed[0]!.payload.type === "approval");
    assert.equal(pushed[0]!.payload.body, "second");
    await quietFor("a send of the older content", 100, () => link.requests.length > 1);
  });

  it("closes a notification settled while it was being sent, after it went out", async () => {
    link.answers.push({ ok: false, code: "internal", message: "busy" });
    outbox.send(approval());
    outbox.settle("a-ap1", settled);
    const pushed = await link.waitForPushed(2);
    assert.deepEqual(
      pushed.map((p) => p.request.tag),
      ["a-ap1", "s-a-ap1"],
    );
  });

  it("sends no settle for a notification the relay refused", async () => {
    link.answers.push({ ok: false, code: "bad-request", message: "no" });
    outbox.send(approval());
    await until("the refusal to be taken as final", () => logged.some((e) => e.message === "could not send a notification"));
    outbox.settle("a-ap1", settled);
    await quietFor("a settle", 100, () => link.requests.length > 1);
    assert.deepEqual(
      link.requests.map((r) => r.tag),
      ["a-ap1"],
    );
  });
});
