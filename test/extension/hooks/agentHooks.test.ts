// Hooks around Tether's own agent: the real thread manager, gate and policy, the model behind a
// scripted local server, and every hook a real sh script run by a real shell. What is checked is
// what a person sees: whether a command ran, what the agent was told, what the approval card
// says, what the thread shows.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomId, type DeviceRef, type PolicyMode, type ThreadEvent } from "#protocol";
import { WITHHELD } from "../../../extension/core/hooks/blockedPrompts";
import type { HookSpec } from "../../../extension/core/hooks/hookConfig";
import { CHANGED_NOTE, UNTRUSTED_NOTE, type Hooks } from "../../../extension/core/hooks/hooks";
import { nextEvent, runEnded, startAgentThreads, type AgentThreads } from "../../support/agentThreads";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../../support/fakeModels";
import { hookFolder, script, testHooks, userHook, writeProjectHooks } from "../../support/hookScripts";
import { GITHUB_TOKEN } from "../../support/plantedSecrets";
import { makeWorkspace } from "../../support/workspace";

type Requested = Extract<ThreadEvent, { type: "approval-requested" }>;
type Result = Extract<ThreadEvent, { type: "tool-result" }>;
const phone: DeviceRef = { id: "phone-1", name: "Pixel" };
const ALLOW = `cat > /dev/null; echo '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"allow"}}'`;

describe("hooks: Tether's own agent", function () {
  this.timeout(60_000);
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let stateDir: string;
  let dir: string;
  let threads: AgentThreads;
  let hooks: Hooks;
  let user: HookSpec[];
  let breakWith: (problem: string | undefined) => void;

  beforeEach(async () => {
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "# test\n" });
    stateDir = mkdtempSync(join(tmpdir(), "tether-hooks-state-"));
    dir = hookFolder();
    ({ hooks, user, breakWith } = testHooks(workspace, stateDir));
    threads = await startAgentThreads({ folder: workspace, modelUrl: model.url, mode: "full-auto", stateDir, hooks });
  });

  afterEach(async () => {
    await threads.close();
    await model.close();
    for (const d of [workspace, stateDir, dir]) rmSync(d, { recursive: true, force: true });
  });

  const events = (threadId: string): ThreadEvent[] => threads.manager.get(threadId)?.events.map((n) => n.event) ?? [];
  const task = (text: string, mode?: PolicyMode): string => {
    const threadId = randomId(12);
    threads.manager.newTask({ threadId, text, ...(mode ? { mode } : {}) }, phone);
    return threadId;
  };
  const command = (line: string): void =>
    model.push(
      { toolCalls: [{ name: "run_command", args: { command: line, reason: "needed" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "done" } }] },
    );
  const asked = async (threadId: string): Promise<Requested> =>
    (await nextEvent(threads.manager, threadId, (e) => e.type === "approval-requested", 20_000)) as Requested;
  const result = (threadId: string): Result | undefined => events(threadId).find((e): e is Result => e.type === "tool-result");
  const notes = (threadId: string): string[] =>
    events(threadId).flatMap((e) => (e.type === "status" && e.detail !== undefined ? [e.detail] : []));
  const decide = (threadId: string, approvalId: string, decision: "approve" | "deny"): Promise<unknown> =>
    threads.manager.handle({ type: "decide", threadId, approvalId, decision }, phone);

  it("allow lifts the mode's ask: the command runs unasked, and the hook got the call and the thread", async () => {
    const seen = join(dir, "seen.json");
    user.push(
      userHook("PreToolUse", script(dir, "allow.sh", `cat > '${seen}'; echo "$TETHER_THREAD_ID" > '${seen}.env'; ${ALLOW}`), {
        matcher: "command",
      }),
    );
    command("echo hooked");
    const threadId = task("Say hooked", "ask");
    await runEnded(threads.manager, threadId);
    assert.equal(events(threadId).filter((e) => e.type === "approval-requested").length, 0, "a person was asked");
    assert.equal(result(threadId)?.ok, true);
    assert.match(result(threadId)?.output ?? "", /hooked/);
    const input = JSON.parse(readFileSync(seen, "utf8")) as Record<string, unknown>;
    assert.equal(input.hook_event_name, "PreToolUse");
    assert.equal(input.tool_name, "run_command");
    assert.equal(input.tool_kind, "command");
    assert.equal((input.tool_input as { command: string }).command, "echo hooked");
    assert.equal(input.thread_id, threadId);
    assert.equal(readFileSync(`${seen}.env`, "utf8").trim(), threadId);
  });

  it("allow never lifts what the policy keeps for a person: a write into .vscode/ still asks", async () => {
    user.push(userHook("PreToolUse", script(dir, "allow.sh", ALLOW)));
    model.push(
      { toolCalls: [{ name: "write_file", args: { path: ".vscode/settings.json", content: "{}\n", reason: "settings" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "done" } }] },
    );
    const threadId = task("Change the settings", "ask");
    const request = await asked(threadId);
    assert.equal(request.path, ".vscode/settings.json");
    await decide(threadId, request.approvalId, "deny");
    await runEnded(threads.manager, threadId);
    assert.equal(existsSync(join(workspace, ".vscode/settings.json")), false);
  });

  it("allow never lifts the secret scan's ask", async () => {
    user.push(userHook("PreToolUse", script(dir, "allow.sh", ALLOW)));
    model.push(
      {
        toolCalls: [
          { name: "write_file", args: { path: "ci.ts", content: `export const t = "${GITHUB_TOKEN}";\n`, reason: "ci" } },
        ],
      },
      { toolCalls: [{ name: "finish", args: { summary: "done" } }] },
    );
    const threadId = task("Add the token");
    const request = await asked(threadId);
    assert.equal(request.rule, "secret scan");
    await decide(threadId, request.approvalId, "deny");
    await runEnded(threads.manager, threadId);
    assert.equal(existsSync(join(workspace, "ci.ts")), false);
  });

  it("deny (exit 2) refuses the call, and the agent reads the hook's reason", async () => {
    user.push(
      userHook("PreToolUse", script(dir, "deny.sh", `echo "Use git clean, never rm, here." >&2; exit 2`), { matcher: "Bash" }),
    );
    command("rm -f README.md");
    const threadId = task("Clean up");
    await runEnded(threads.manager, threadId);
    assert.equal(existsSync(join(workspace, "README.md")), true, "the denied command ran");
    assert.equal(result(threadId)?.ok, false);
    assert.match(result(threadId)?.output ?? "", /Use git clean, never rm, here\./);
    assert.match(JSON.stringify(model.requests[1]?.body.messages), /Use git clean, never rm, here\./, "the model was not told");
  });

  it("ask asks even in full-auto, with the hook's reason on the approval", async () => {
    user.push(userHook("PreToolUse", script(dir, "ask.sh", `echo '{"decision":"ask","reason":"Deploys need a second look."}'`)));
    command("echo deploy");
    const threadId = task("Deploy");
    const request = await asked(threadId);
    assert.equal(request.why, "Deploys need a second look.");
    assert.equal(request.rule, "hook: asks");
    assert.equal(request.computerRule, undefined, "a rule for the command would not lift the hook's ask");
    await decide(threadId, request.approvalId, "approve");
    await runEnded(threads.manager, threadId);
    assert.match(result(threadId)?.output ?? "", /deploy/);
  });

  it("a hook past its time limit is ended, and the call asks saying so", async () => {
    user.push(userHook("PreToolUse", script(dir, "slow.sh", "sleep 30"), { timeoutS: 1 }));
    command("echo slow");
    const started = Date.now();
    const threadId = task("Be slow");
    const request = await asked(threadId);
    assert.ok(Date.now() - started < 10_000, "the hook was not ended at its limit");
    assert.match(request.why ?? "", /took longer than its 1 s limit and was ended/);
    assert.equal(request.rule, "hook: failed");
    await decide(threadId, request.approvalId, "deny");
    await runEnded(threads.manager, threadId);
    assert.equal(result(threadId)?.ok, false);
  });

  for (const [name, body, shown] of [
    ["exits 1", `echo "jq: not found" >&2; exit 1`, /failed \(exit 1\): jq: not found/],
    ["prints what is not JSON", `echo "looks fine to me"`, /not a JSON answer: looks fine to me/],
  ] as const) {
    it(`a hook that ${name} fails closed: the call asks in full-auto, the failure shown`, async () => {
      user.push(userHook("PreToolUse", script(dir, "broken.sh", body)));
      command("echo broken");
      const threadId = task("Try");
      const request = await asked(threadId);
      assert.match(request.why ?? "", shown);
      await decide(threadId, request.approvalId, "deny");
      await runEnded(threads.manager, threadId);
    });
  }

  it("a hooks list that cannot be read fails closed: a prompt is not sent, a call asks saying why", async () => {
    breakWith("hooks.json is not valid JSON: Unexpected token");
    const blocked = task("Anything");
    const ended = await runEnded(threads.manager, blocked);
    assert.match(ended.type === "status" ? (ended.detail ?? "") : "", /Your hooks cannot be read.*hooks\.json is not valid JSON/);
    assert.equal(model.requests.length, 0, "the prompt reached the model");

    // Read when the task was sent, broken by the time the agent runs a command.
    breakWith(undefined);
    model.push(
      () => {
        breakWith("hooks.json is not valid JSON: Unexpected token");
        return { toolCalls: [{ name: "run_command", args: { command: "echo unread", reason: "r" } }] };
      },
      { toolCalls: [{ name: "finish", args: { summary: "done" } }] },
    );
    const threadId = task("Try");
    const request = await asked(threadId);
    assert.match(request.why ?? "", /Your hooks cannot be read.*hooks\.json is not valid JSON/);
    await decide(threadId, request.approvalId, "deny");
    await runEnded(threads.manager, threadId);
  });

  it("the phone's hooks-trust command trusts only the content it names", async () => {
    writeProjectHooks(workspace, { hooks: [{ event: "Stop", command: "true" }] });
    const state = hooks.project();
    assert.ok(state.state === "untrusted");
    await assert.rejects(
      threads.manager.handle({ type: "hooks-trust", hash: "f".repeat(64) }, phone),
      /changed or is gone since it was shown/,
    );
    assert.equal(hooks.project().state, "untrusted");
    await threads.manager.handle({ type: "hooks-trust", hash: state.hash }, phone);
    assert.equal(hooks.project().state, "trusted");
  });

  it("after a tool, when a prompt is sent and when the run ends: output on the thread, a prompt blocked with its reason", async () => {
    user.push(
      userHook("PostToolUse", script(dir, "post.sh", `grep -o '"tool_name":"[a-z_]*"'`), { matcher: "command" }),
      userHook("Stop", script(dir, "stop.sh", `cat > /dev/null; echo "tests passed"`)),
      userHook(
        "UserPromptSubmit",
        script(dir, "prompt.sh", `grep -q deploy && { echo "No deploys from a phone." >&2; exit 2; }; exit 0`),
      ),
      userHook("UserPromptSubmit", script(dir, "context.sh", `cat > /dev/null; echo "branch main is protected"`)),
    );
    command("echo formatted");
    const threadId = task("Format it");
    await runEnded(threads.manager, threadId);
    await nextEvent(threads.manager, threadId, (e) => e.type === "status" && /tests passed/.test(e.detail ?? ""));
    assert.ok(
      notes(threadId).some((n) => n.includes('"tool_name":"run_command"')),
      "the post-tool hook's output is not shown",
    );
    assert.ok(
      notes(threadId).some((n) => n.includes("branch main is protected")),
      "a prompt hook's words are not shown",
    );
    const requestsBefore = model.requests.length;

    const blocked = task("Please deploy to production");
    const ended = await runEnded(threads.manager, blocked);
    assert.equal(ended.type === "status" && ended.status, "stopped");
    assert.match(
      ended.type === "status" ? (ended.detail ?? "") : "",
      /kept this message from being sent.*No deploys from a phone\./,
    );
    assert.equal(model.requests.length, requestsBefore, "the blocked prompt reached the model");

    // The person goes on in that thread: the next message is sent, the blocked words never are.
    model.push({ text: "Formatted instead." });
    threads.manager.message(blocked, "Then only format it", phone);
    await nextEvent(threads.manager, blocked, (e) => e.type === "status" && e.status === "done");
    const sent = JSON.stringify(model.requests.at(-1)?.body.messages);
    assert.match(sent, /Then only format it/);
    assert.ok(!sent.includes("deploy to production"), "the blocked words reached the model with the next message");
    assert.ok(sent.includes(WITHHELD));
  });

  it("a run a person stopped still runs its Stop hooks, and shows what they said", async () => {
    user.push(userHook("Stop", script(dir, "stop.sh", `grep -o '"status":"[a-z]*"'`)));
    model.push({ text: "Thinking for a long while before doing anything at all", delayMs: 200 });
    const threadId = task("Think");
    await nextEvent(threads.manager, threadId, (e) => e.type === "status" && e.status === "running");
    threads.manager.stop(threadId, phone);
    await nextEvent(threads.manager, threadId, (e) => e.type === "status" && (e.detail ?? "").includes('"status":"stopped"'));
  });

  it("a project's hooks do not run until trusted, and not again once the file changed", async () => {
    const marker = join(dir, "ran");
    const mark = script(dir, "mark.sh", `cat > /dev/null; touch '${marker}'`);
    writeProjectHooks(workspace, { hooks: [{ event: "PreToolUse", command: mark }] });
    model.push(
      { toolCalls: [{ name: "run_command", args: { command: "echo one", reason: "1" } }] },
      { toolCalls: [{ name: "run_command", args: { command: "echo two", reason: "2" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "done" } }] },
    );
    const first = task("Two commands");
    await runEnded(threads.manager, first);
    assert.equal(existsSync(marker), false, "an untrusted project hook ran");
    assert.deepEqual(
      notes(first).filter((n) => n === UNTRUSTED_NOTE),
      [UNTRUSTED_NOTE],
      "the thread says once that the project's hooks are not trusted",
    );

    const state = hooks.project();
    assert.equal(state.state, "untrusted");
    assert.ok(state.state === "untrusted" && state.hooks[0]?.command === mark, "the person is not shown the hook's command");
    assert.equal(hooks.trustProject("0".repeat(64)), false, "a hash the file does not have was trusted");
    assert.equal(hooks.trustProject(state.state === "untrusted" ? state.hash : ""), true);
    command("echo three");
    await runEnded(threads.manager, task("After trust"));
    assert.equal(existsSync(marker), true, "the trusted project hook did not run");

    rmSync(marker);
    writeProjectHooks(workspace, { hooks: [{ event: "PreToolUse", command: `${mark}; curl example.com` }] });
    command("echo four");
    const changed = task("After a change");
    await runEnded(threads.manager, changed);
    assert.equal(existsSync(marker), false, "a changed project hook ran without being trusted again");
    assert.ok(notes(changed).includes(CHANGED_NOTE));
    assert.equal(
      hooks.trustProject(state.state === "untrusted" ? state.hash : ""),
      false,
      "the old content's hash trusted the new file",
    );
  });
});
