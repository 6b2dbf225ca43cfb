// The scripted ACP agent's turns that ask things of the client: permission (and the branches on
// its answer), files, terminals and cancellation. What the client answered must both steer the
// turn and land in the agent's record file, since host tests assert on either.

import assert from "node:assert/strict";
import { RequestError, type RequestPermissionRequest, type RequestPermissionResponse } from "@agentclientprotocol/sdk";
import { codeOf, CWD, newSession, ofKind, prompt, said, withAgent } from "../support/acpAgent/harness";
import { permissionOptions, step, type Step } from "../support/acpAgent/script";
import { quietFor } from "../support/wait";

const runTests = { toolCallId: "run-1", title: "Run npm test", kind: "execute" as const };
const selected = (optionId: string): RequestPermissionResponse => ({ outcome: { outcome: "selected", optionId } });

describe("scripted ACP agent: permission", function () {
  let answer: (request: RequestPermissionRequest) => RequestPermissionResponse = () => assert.fail("no answer set");
  const asked: RequestPermissionRequest[] = [];
  const gated: Step[] = [
    step.toolCall({ ...runTests, status: "pending" }),
    step.permission(runTests),
    step.ifAllowed(
      [step.toolUpdate({ toolCallId: "run-1", status: "completed" }), step.say("ran")],
      [step.toolUpdate({ toolCallId: "run-1", status: "failed" }), step.say("denied")],
    ),
  ];
  const live = withAgent(
    {
      turns: [
        gated,
        gated,
        gated,
        [
          step.permission(runTests, permissionOptions, "push"),
          {
            do: "branch",
            label: "push",
            when: { optionId: "allow-always" },
            then: [step.say("always")],
            else: [step.say("not always")],
          },
        ],
      ],
    },
    { permission: (request) => (asked.push(request), answer(request)) },
  );
  let sessionId = "";
  before(async () => ({ sessionId } = await newSession(live.client)));

  async function turn(): Promise<string[]> {
    const from = live.client.notifications.length;
    await prompt(live.client, sessionId, "go");
    return said(live.client.updates(sessionId, from));
  }

  it("asks with the script's tool call and options, and runs the tool when allowed", async function () {
    answer = (r) => selected(r.options.find((o) => o.kind === "allow_once")!.optionId);
    assert.deepEqual(await turn(), ["ran"]);
    assert.deepEqual(asked.at(-1), { sessionId, toolCall: runTests, options: permissionOptions });
    assert.deepEqual(ofKind(live.agent.records(), "permission").at(-1), {
      kind: "permission",
      label: "permission",
      outcome: { outcome: "selected", optionId: "allow-once", kind: "allow_once" },
    });
  });

  it("takes the other branch when rejected or cancelled", async function () {
    answer = () => selected("reject-once");
    assert.deepEqual(await turn(), ["denied"]);
    answer = () => ({ outcome: { outcome: "cancelled" } });
    assert.deepEqual(await turn(), ["denied"]);
    assert.deepEqual(
      ofKind(live.agent.records(), "answer")
        .filter((r) => r.method === "session/request_permission")
        .map((r) => r.result),
      [selected("allow-once"), selected("reject-once"), { outcome: { outcome: "cancelled" } }],
    );
  });

  it("branches on the option id under a label", async function () {
    answer = () => selected("allow-always");
    assert.deepEqual(await turn(), ["always"]);
  });
});

describe("scripted ACP agent: files and terminals", function () {
  const files = new Map([[`${CWD}/a.txt`, "alpha\n"]]);
  const terminalCalls: string[] = [];
  let killed = false;
  const live = withAgent(
    {
      turns: [
        [
          step.read(`${CWD}/a.txt`, { echo: true, line: 1, limit: 10 }),
          step.write(`${CWD}/b.txt`, "beta\n"),
          step.write("/etc/passwd", "x"),
          step.read(`${CWD}/missing.txt`, { echo: true }),
        ],
        [
          step.toolCall({ toolCallId: "t-echo", title: "echo hi", kind: "execute" }),
          step.terminal("echo", ["hi"], { toolCallId: "t-echo", echo: true }),
        ],
        [step.terminal("sleep", ["60"], { calls: ["kill", "wait_for_exit", "output", "release"], echo: true })],
      ],
    },
    {
      readTextFile: ({ path }) => {
        const content = files.get(path);
        if (content === undefined) throw RequestError.resourceNotFound(path);
        return { content };
      },
      writeTextFile: ({ path, content }) => {
        if (!path.startsWith(CWD)) throw new RequestError(-32099, "outside the workspace");
        files.set(path, content);
      },
      createTerminal: ({ command, args }) => (
        terminalCalls.push(`create ${command} ${args?.join(" ")}`),
        { terminalId: "term-1" }
      ),
      terminalOutput: ({ terminalId }) => (
        terminalCalls.push(`output ${terminalId}`),
        { output: killed ? "" : "hi\n", truncated: false, exitStatus: killed ? { signal: "SIGKILL" } : { exitCode: 0 } }
      ),
      waitForTerminalExit: ({ terminalId }) => (
        terminalCalls.push(`wait ${terminalId}`),
        killed ? { signal: "SIGKILL" } : { exitCode: 0 }
      ),
      killTerminal: ({ terminalId }) => void (terminalCalls.push(`kill ${terminalId}`), (killed = true)),
      releaseTerminal: ({ terminalId }) => void terminalCalls.push(`release ${terminalId}`),
    },
  );
  let sessionId = "";
  before(async () => ({ sessionId } = await newSession(live.client)));

  it("reads and writes through the client, and records each answer or error", async function () {
    const from = live.client.notifications.length;
    await prompt(live.client, sessionId, "files");
    assert.equal(files.get(`${CWD}/b.txt`), "beta\n");
    assert.equal(files.has("/etc/passwd"), false);
    assert.deepEqual(said(live.client.updates(sessionId, from)), [
      "alpha\n",
      "read failed: Resource not found: /work/project/missing.txt",
    ]);
    const answers = ofKind(live.agent.records(), "answer");
    assert.deepEqual(
      answers.map((a) => [a.method, a.error?.code ?? "ok"]),
      [
        ["fs/read_text_file", "ok"],
        ["fs/write_text_file", "ok"],
        ["fs/write_text_file", -32099],
        ["fs/read_text_file", -32002],
      ],
    );
    assert.deepEqual(answers[0]!.params, { sessionId, path: `${CWD}/a.txt`, line: 1, limit: 10 });
    assert.equal(answers[2]!.error?.message, "outside the workspace");
  });

  it("runs a command in a client terminal: create, wait, output, release, shown on the tool call", async function () {
    const from = live.client.notifications.length;
    await prompt(live.client, sessionId, "run");
    assert.deepEqual(terminalCalls, ["create echo hi", "wait term-1", "output term-1", "release term-1"]);
    const updates = live.client.updates(sessionId, from);
    const shown = updates.find((u) => u.sessionUpdate === "tool_call_update");
    assert.deepEqual(shown?.sessionUpdate === "tool_call_update" && shown.content, [{ type: "terminal", terminalId: "term-1" }]);
    assert.deepEqual(said(updates), ["hi\n"]);
  });

  it("kills a terminal when the script says so", async function () {
    terminalCalls.length = 0;
    await prompt(live.client, sessionId, "stop it");
    assert.deepEqual(terminalCalls, ["create sleep 60", "kill term-1", "wait term-1", "output term-1", "release term-1"]);
    const waited = ofKind(live.agent.records(), "answer").find(
      (a) => a.method === "terminal/wait_for_exit" && a.result !== undefined && JSON.stringify(a.result).includes("SIGKILL"),
    );
    assert.ok(waited, "the agent records the killed command's exit");
  });
});

describe("scripted ACP agent: cancel", function () {
  let onPermission: () => Promise<RequestPermissionResponse> = () => assert.fail("not asked");
  const live = withAgent(
    {
      turns: [
        [step.say("working"), step.waitForCancel(), step.say("never")],
        [step.say("long"), step.wait(60_000), step.say("after the wait")],
        [step.permission(runTests), step.ifAllowed([step.say("ran")], [step.say("not run")])],
      ],
    },
    { permission: () => onPermission() },
  );
  let sessionId = "";
  before(async () => ({ sessionId } = await newSession(live.client)));
  const cancel = () => live.client.agent.notify("session/cancel", { sessionId });

  it("ends a turn waiting for cancel as cancelled once session/cancel arrives", async function () {
    const from = live.client.notifications.length;
    const answer = prompt(live.client, sessionId, "go");
    await live.client.waitForUpdate((u) => said([u])[0] === "working", from);
    let settled = false;
    void answer.finally(() => (settled = true));
    await quietFor("the turn ending before a cancel", 200, () => settled);
    await cancel();
    assert.equal((await answer).stopReason, "cancelled");
    assert.deepEqual(said(live.client.updates(sessionId, from)), ["working"]);
    const records = live.agent.records();
    assert.deepEqual(ofKind(records, "notification").at(-1), {
      kind: "notification",
      method: "session/cancel",
      params: { sessionId },
    });
    assert.equal(ofKind(records, "turn").at(-1)?.stopReason, "cancelled");
  });

  it("cuts a wait short and plays nothing after it", async function () {
    const from = live.client.notifications.length;
    const answer = prompt(live.client, sessionId, "go");
    await live.client.waitForUpdate((u) => said([u])[0] === "long", from);
    await cancel();
    assert.equal((await answer).stopReason, "cancelled");
    assert.deepEqual(said(live.client.updates(sessionId, from)), ["long"]);
  });

  it("ends the turn cancelled when the client cancels while a permission is pending", async function () {
    let asked!: () => void;
    const wasAsked = new Promise<void>((resolve) => (asked = resolve));
    // The client's side of the spec: on cancel, answer the pending permission `cancelled`.
    let release!: () => void;
    onPermission = () => (asked(), new Promise((resolve) => (release = () => resolve({ outcome: { outcome: "cancelled" } }))));
    const from = live.client.notifications.length;
    const answer = prompt(live.client, sessionId, "go");
    await wasAsked;
    await cancel();
    release();
    assert.equal((await answer).stopReason, "cancelled");
    assert.deepEqual(said(live.client.updates(sessionId, from)), []);
    assert.equal(await codeOf(prompt(live.client, sessionId, "past the end")), -32603);
  });
});
