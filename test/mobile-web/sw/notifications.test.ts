import assert from "node:assert/strict";
import {
  APPROVE_ACTION,
  DENY_ACTION,
  actionFailedNotification,
  genericNotification,
  isThreadInView,
  notificationData,
  notificationFor,
  targetUrl,
  type ClientView,
} from "../../../mobile-web/src/sw/notifications";

const NOW = 1_750_000_000_000;
const APP = "https://tether.example";
const onThread = (threadId: string, over: Partial<ClientView & { focused: boolean }> = {}): ClientView => ({
  url: `${APP}/#/h/host-1/t/${threadId}`,
  visibilityState: "visible",
  focused: true,
  ...over,
});

describe("what a push shows on the lock screen", () => {
  it("offers Approve and Deny on an approval, and keeps it on screen until answered", () => {
    const shown = notificationFor(
      "host-1",
      "a-k3Jd9",
      {
        type: "approval",
        threadId: "t-42",
        approvalId: "k3Jd9",
        title: "Approve `npm test` in api-service?",
        body: "The agent wants to run a command.",
      },
      NOW,
    );
    assert.equal(shown.title, "Approve `npm test` in api-service?");
    assert.equal(shown.options.body, "The agent wants to run a command.");
    assert.deepEqual(shown.options.actions, [
      { action: APPROVE_ACTION, title: "Approve" },
      { action: DENY_ACTION, title: "Deny" },
    ]);
    assert.equal(shown.options.requireInteraction, true);
    assert.equal(shown.options.tag, "a-k3Jd9");
    assert.equal(shown.options.renotify, false, "a repeat of the same tag replaces it quietly");
    assert.equal(shown.options.timestamp, NOW);
    assert.deepEqual(shown.options.data, { hostId: "host-1", threadId: "t-42", tag: "a-k3Jd9", approvalId: "k3Jd9" });
  });

  it("keeps a question on screen too, but without decision buttons", () => {
    const shown = notificationFor(
      "host-1",
      "q-7",
      { type: "question", threadId: "t-42", questionId: "7", title: "Which database?", body: "Postgres or SQLite?" },
      NOW,
    );
    assert.equal(shown.title, "Which database?");
    assert.equal(shown.options.actions, undefined);
    assert.equal(shown.options.requireInteraction, true);
    assert.equal(shown.options.tag, "q-7");
    assert.deepEqual(shown.options.data, { hostId: "host-1", threadId: "t-42", tag: "q-7" });
  });

  it("lets a finished task's notification go away on its own", () => {
    const shown = notificationFor(
      "host-1",
      "f-t-42-19",
      { type: "finished", threadId: "t-42", status: "failed", title: "  ", body: "Tests failed in api-service." },
      NOW,
    );
    assert.equal(shown.title, "Tether", "a blank title still names the app");
    assert.equal(shown.options.body, "Tests failed in api-service.");
    assert.equal(shown.options.actions, undefined);
    assert.notEqual(shown.options.requireInteraction, true);
    assert.equal(shown.options.data.approvalId, undefined);
  });

  it("shows a generic notice for a push it cannot open, with nothing the relay could not see", () => {
    const unrouted = genericNotification();
    assert.equal(unrouted.title, "Tether");
    assert.equal(unrouted.options.body, "Something needs your attention.");
    const routed = genericNotification({ hostId: "host-1", threadId: "t-42", tag: "a-k3Jd9" });
    assert.equal(routed.options.tag, "a-k3Jd9", "a later readable push of that tag replaces it");
    assert.deepEqual(routed.options.data, { hostId: "host-1", threadId: "t-42", tag: "a-k3Jd9" });
  });

  it("replaces an approval whose button press failed with one that has no buttons", () => {
    const data = { hostId: "host-1", threadId: "t-42", tag: "a-k3Jd9", approvalId: "k3Jd9" };
    const refused = actionFailedNotification(data, "Already decided by Pixel 8 (approve).");
    assert.equal(refused.options.body, "Already decided by Pixel 8 (approve). Open Tether to see the thread.");
    assert.equal(refused.options.tag, "a-k3Jd9");
    assert.equal(refused.options.actions, undefined);
    assert.deepEqual(refused.options.data, { hostId: "host-1", threadId: "t-42", tag: "a-k3Jd9" });
    assert.equal(actionFailedNotification(data, null).options.body, "Open Tether to decide there.");
  });
});

describe("whether the person is already looking at the thread", () => {
  it("is so only for a visible window on that very thread, focused or not", () => {
    assert.equal(isThreadInView([onThread("t-42", { focused: false })], "host-1", "t-42"), true);
    assert.equal(isThreadInView([onThread("t-42")], "host-1", "t-42"), true);
    assert.equal(isThreadInView([onThread("t-1", { visibilityState: "hidden" }), onThread("t-42")], "host-1", "t-42"), true);
  });

  it("is not so for a hidden window, another thread, another host or another screen", () => {
    assert.equal(isThreadInView([], "host-1", "t-42"), false);
    assert.equal(isThreadInView([onThread("t-42", { visibilityState: "hidden", focused: false })], "host-1", "t-42"), false);
    assert.equal(isThreadInView([onThread("t-7")], "host-1", "t-42"), false);
    assert.equal(isThreadInView([onThread("t-42")], "host-2", "t-42"), false);
    for (const url of [`${APP}/#/h/host-1`, `${APP}/#/settings`, `${APP}/`, "not a url", `${APP}/#/h/host-1/t/t-42/extra`]) {
      assert.equal(isThreadInView([onThread("t-42", { url })], "host-1", "t-42"), false, url);
    }
  });
});

describe("where a notification click leads", () => {
  it("opens the thread, the host's threads, or the app's home", () => {
    assert.equal(targetUrl({ hostId: "host-1", threadId: "t-42", tag: "x" }), "/#/h/host-1/t/t-42");
    assert.equal(targetUrl({ hostId: "host-1", tag: "x" }), "/#/h/host-1");
    assert.equal(targetUrl({ threadId: "t-42", tag: "x" }), "/");
    assert.equal(targetUrl(null), "/");
    assert.equal(targetUrl(undefined), "/");
  });

  it("reads back what the worker stored on a notification, and nothing else", () => {
    assert.deepEqual(notificationData({ hostId: "host-1", threadId: "t-42", tag: "a-1", approvalId: "1", extra: "x" }), {
      tag: "a-1",
      hostId: "host-1",
      threadId: "t-42",
      approvalId: "1",
    });
    assert.deepEqual(notificationData({ tag: "a-1", hostId: 7, threadId: null, approvalId: {} }), {
      tag: "a-1",
      hostId: undefined,
      threadId: undefined,
      approvalId: undefined,
    });
    for (const junk of [null, undefined, "a-1", 42, [], {}, { tag: 1, hostId: "host-1" }]) {
      assert.equal(notificationData(junk), null, JSON.stringify(junk));
    }
    assert.equal(targetUrl(notificationData({ tag: "t", hostId: ["host-1"] })), "/");
  });
});
