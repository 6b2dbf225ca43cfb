// The scripted ACP agent's life outside a normal turn: a login before the first session, methods
// it does not offer, and the ways a real agent dies (a crash with a few lines on stderr, a hang
// that not even a cancel ends, the client closing its stdin). Host tests lean on each of these
// to check what a person sees when an outside agent misbehaves.

import assert from "node:assert/strict";
import { codeOf, CWD, newSession, ofKind, prompt, said, withAgent } from "../support/acpAgent/harness";
import { step } from "../support/acpAgent/script";
import { quietFor } from "../support/wait";

describe("scripted ACP agent: authentication", function () {
  const live = withAgent({
    authRequired: true,
    initialize: { authMethods: [{ id: "login", name: "Log in", description: "Opens a browser" }] },
    turns: [[step.say("signed in")]],
  });

  it("answers session/new with auth_required until authenticate succeeds", async function () {
    assert.equal(await codeOf(newSession(live.client)), -32000);
    assert.equal(await codeOf(live.client.agent.request("authenticate", { methodId: "password" })), -32602);
    assert.equal(await codeOf(newSession(live.client)), -32000);
    await live.client.agent.request("authenticate", { methodId: "login" });
    const { sessionId } = await newSession(live.client);
    const from = live.client.notifications.length;
    assert.equal((await prompt(live.client, sessionId, "hi")).stopReason, "end_turn");
    assert.deepEqual(said(live.client.updates(sessionId, from)), ["signed in"]);
    assert.deepEqual(
      ofKind(live.agent.records(), "reply")
        .filter((r) => r.method === "session/new" || r.method === "authenticate")
        .map((r) => [r.method, r.error?.code ?? "ok"]),
      [
        ["session/new", -32000],
        ["authenticate", -32602],
        ["session/new", -32000],
        ["authenticate", "ok"],
        ["session/new", "ok"],
      ],
    );
  });

  it("refuses what its capabilities do not offer (load, list) and methods it does not know, recording each", async function () {
    assert.equal(await codeOf(live.client.agent.request("session/load", { sessionId: "x", cwd: CWD, mcpServers: [] })), -32601);
    assert.equal(await codeOf(live.client.agent.request("session/list", {})), -32601);
    assert.equal(await codeOf(live.client.agent.request("_tether/unknown", { a: 1 })), -32601);
    assert.deepEqual(ofKind(live.agent.records(), "request").at(-1), {
      kind: "request",
      method: "_tether/unknown",
      params: { a: 1 },
    });
  });

  it("exits when the client closes its stdin", async function () {
    live.agent.proc.child.stdin!.end();
    assert.deepEqual(await live.agent.exited, { code: 0, signal: null });
  });
});

describe("scripted ACP agent: crash", function () {
  const live = withAgent({ turns: [[step.say("about to fail"), step.crash(["fatal: the model went away", "at turn 0"])]] });

  it("writes its lines to stderr and exits with code 3 mid-turn; the pending prompt fails", async function () {
    const { sessionId } = await newSession(live.client);
    const answer = prompt(live.client, sessionId, "go");
    assert.deepEqual(await live.agent.exited, { code: 3, signal: null });
    await assert.rejects(answer);
    assert.deepEqual(said(live.client.updates(sessionId)), ["about to fail"]);
    assert.equal(live.agent.stderr(), "fatal: the model went away\nat turn 0\n");
  });
});

describe("scripted ACP agent: hang", function () {
  const live = withAgent({ turns: [[step.say("stuck"), step.hang()]] });

  it("never ends the turn, not even on cancel, but stays alive", async function () {
    const { sessionId } = await newSession(live.client);
    let settled = false;
    const answer = prompt(live.client, sessionId, "go");
    void answer.then(
      () => (settled = true),
      () => (settled = true),
    );
    await live.client.waitForUpdate((u) => said([u])[0] === "stuck");
    await live.client.agent.notify("session/cancel", { sessionId });
    await quietFor("the hung turn ending", 500, () => settled);
    assert.equal(live.agent.proc.child.exitCode, null);
    assert.equal(ofKind(live.agent.records(), "notification").length, 1, "the cancel reached the agent");
  });
});
