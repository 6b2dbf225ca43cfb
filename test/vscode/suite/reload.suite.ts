// Runs inside VS Code, in two editor sessions the outer test opens one after the other on the
// same workspace, server storage and browser storage, as reloading the window does: the first
// leaves a task running (its model still streaming) when its window closes, the second finds
// the task ended as interrupted, as a phone paired after the reload reads it from the relay.

import assert from "node:assert/strict";
import { randomId } from "#protocol";
import type { PairedPhone } from "../../support/phone";
import { cranes } from "../scenarios";
import { until } from "../../support/wait";
import { onlyInPhase } from "../support/desk";
import { pairThroughEditor, syncedThread } from "../support/phones";

describe("Tether in VS Code: reloading the window", function () {
  this.timeout(60_000);
  let phone: PairedPhone | undefined;
  afterEach(() => phone?.close());

  describe("before the reload", () => {
    before(onlyInPhase("reload-start"));

    it("leaves a task running when the window closes", async () => {
      phone = await pairThroughEditor("Phone before the reload");
      const threadId = randomId(12);
      await phone.send({ type: "new-task", threadId, text: cranes.task });
      await phone.waitFor(threadId, (e) => e.type === "status" && e.status === "running");
      // The model has started to answer, and takes a minute to finish: the run is mid-call.
      const streaming = phone;
      await until(
        "streamed text from the model",
        () => streaming.live.some((l) => l.threadId === threadId && l.event.type === "text"),
        15_000,
      );
      assert.equal(
        phone
          .events(threadId)
          .some((o) => o.event.type === "status" && o.event.status !== "running" && o.event.status !== "queued"),
        false,
      );
    });
  });

  describe("after the reload", () => {
    before(onlyInPhase("reload-check"));

    it("shows the task that was running as interrupted", async () => {
      phone = await pairThroughEditor("Phone after the reload");
      const { summary, events } = await syncedThread(phone, cranes.task, (s) => s.status !== "running" && s.status !== "queued");
      assert.equal(summary.status, "stopped");
      const last = events.at(-1);
      assert.ok(last?.type === "status" && last.status === "stopped", `the thread ended with ${JSON.stringify(last)}`);
      assert.match(last.detail ?? "", /^interrupted: the host (shut down|stopped) during this run$/);
      // It never got to an answer.
      assert.equal(
        events.some((e) => e.type === "assistant-text" || e.type === "summary"),
        false,
      );
    });
  });
});
