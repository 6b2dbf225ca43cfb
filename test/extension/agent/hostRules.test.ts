// "Always on this computer" through a real relay: a phone's decision adds the host's rule for
// the parsed command, kept in the headless host's state file; the next matching command in
// another thread runs without asking; `tether-host rules --remove` takes it back for a host
// that is running; a request the host offered no rule for cannot be allowed so.

import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { ErrorCode, TetherError, randomId, type ThreadEvent } from "#protocol";
import { runRulesCommand } from "../../../extension/headless/rulesCommand";
import { HostRulesFile, keepHostRules, type HostRuleKeeper } from "../../../extension/node/hostRulesFile";
import { startAgentHost, type AgentHost } from "../../support/agentHost";
import { startFakeOpenAI, type FakeModelServer, type FakeTurn, type OpenAIBody } from "../../support/fakeModels";
import { pairPhone, type PairedPhone } from "../../support/phone";
import { startRelay, type TestRelay } from "../../support/relay";
import { until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";

const call = (name: string, args: object): FakeTurn => ({ toolCalls: [{ name, args }] });
const finish = (summary: string): FakeTurn => call("finish", { summary });

describe("Always on this computer", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let host: AgentHost;
  let phone: PairedPhone;
  let keeper: HostRuleKeeper;
  let applied: string[][];
  const said: string[] = [];

  const newTask = async (text: string): Promise<string> => {
    const threadId = randomId(12);
    await phone.send({ type: "new-task", threadId, text, mode: "ask" });
    return threadId;
  };
  const ended = (threadId: string): Promise<ThreadEvent> =>
    phone.waitFor(threadId, (e) => e.type === "status" && ["done", "failed", "stopped"].includes(e.status), 30_000);
  const asked = async (threadId: string) => {
    const event = await phone.waitFor(threadId, (e) => e.type === "approval-requested");
    assert.ok(event.type === "approval-requested");
    return event;
  };

  beforeEach(async () => {
    relay = await startRelay();
    model = await startFakeOpenAI();
    workspace = makeWorkspace({
      "package.json": '{ "scripts": { "test": "echo the tests pass" } }\n',
      "notes.txt": "keep me\n",
    });
    applied = [];
    host = await startAgentHost({
      relay: relay.url,
      folder: workspace,
      modelUrl: model.url,
      mode: "ask",
      allow: ["git status"],
      addHostRule: (rule, by) => keeper.add(rule, by),
    });
    keeper = keepHostRules({
      file: new HostRulesFile(host.stateDir),
      base: ["git status"],
      apply: (rules) => {
        applied.push(rules);
        host.threads.setAllowRules(rules);
      },
      say: (line) => said.push(line),
    });
    phone = await pairPhone((await host.host.openPairing()).url, "Pixel 8");
  });

  afterEach(async () => {
    keeper.close();
    phone.close();
    await host.stop();
    rmSync(host.stateDir, { recursive: true, force: true });
    await model.close();
    await relay.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("adds the rule from one thread, lets the next `npm test` in another run without asking, and is taken back", async () => {
    model.push(call("run_command", { command: "npm test", reason: "run the tests" }), finish("Tests pass."));
    const first = await newTask("Run the tests");
    const request = await asked(first);
    assert.equal(request.computerRule, "npm test");
    await phone.send({ type: "decide", threadId: first, approvalId: request.approvalId, decision: "approve-on-computer" });
    const firstEnd = await ended(first);
    assert.ok(firstEnd.type === "status" && firstEnd.status === "done");
    const file = JSON.parse(readFileSync(new HostRulesFile(host.stateDir).path, "utf8")) as {
      allow: { rule: string; by: string }[];
    };
    assert.deepEqual(
      file.allow.map((r) => [r.rule, r.by]),
      [["npm test", "Pixel 8"]],
    );
    assert.ok(said.some((line) => line.includes("`npm test`") && line.includes('tether-host rules --remove "npm test"')));

    // Another thread, same host: the rule is in force without a restart.
    model.push(call("run_command", { command: "npm test -- --silent" }), finish("Still passing."));
    const second = await newTask("Run the tests again");
    const secondEnd = await ended(second);
    assert.ok(secondEnd.type === "status" && secondEnd.status === "done");
    const events = phone.events(second).map((o) => o.event);
    assert.equal(events.filter((e) => e.type === "approval-requested").length, 0, "the second run did not ask");
    const result = events.find((e) => e.type === "tool-result" && e.tool === "run_command");
    assert.ok(result?.type === "tool-result" && result.ok && /the tests pass/.test(result.output));

    // Taken back from a terminal while the host runs: the next run asks again.
    const out: string[] = [];
    assert.equal(
      runRulesCommand(["--state-dir", host.stateDir], {}, (t) => out.push(t)),
      0,
    );
    assert.match(out.join(""), /npm test\s+added .* from Pixel 8/);
    assert.equal(
      runRulesCommand(["--remove", "npm test", "--state-dir", host.stateDir], {}, () => undefined),
      0,
    );
    await until("the running host to drop the removed rule", () => !applied.at(-1)?.includes("npm test"));
    assert.deepEqual(applied.at(-1), ["git status"]);
    model.push(call("run_command", { command: "npm test" }), finish("Asked."));
    const third = await newTask("Run them once more");
    const again = await asked(third);
    assert.equal(again.command, "npm test");
    await phone.send({ type: "decide", threadId: third, approvalId: again.approvalId, decision: "deny" });
    await ended(third);
  });

  it("offers no rule for `rm`, and refuses the choice for it without running anything", async () => {
    model.push(call("run_command", { command: "rm notes.txt" }), finish("Not removed."));
    const threadId = await newTask("Tidy up");
    const request = await asked(threadId);
    assert.equal(request.computerRule, undefined);
    await assert.rejects(
      phone.send({ type: "decide", threadId, approvalId: request.approvalId, decision: "approve-on-computer" }),
      (err: TetherError) => err.code === ErrorCode.BadRequest,
    );
    assert.equal(readFileSync(`${workspace}/notes.txt`, "utf8"), "keep me\n");
    assert.deepEqual(new HostRulesFile(host.stateDir).list(), []);
    await phone.send({ type: "decide", threadId, approvalId: request.approvalId, decision: "deny" });
    await ended(threadId);
  });
});
