// Hooks around an outside agent: the scripted ACP agent in a real process asks Tether's gate
// (permission requests, fs/write_text_file), and every hook is a real sh script. The agent's
// own record says what it was answered; the thread says what a person sees.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ToolCallUpdate } from "@agentclientprotocol/sdk";
import type { PolicyMode, ThreadEvent } from "#protocol";
import type { HookSpec } from "../../../extension/core/hooks/hookConfig";
import { CHANGED_NOTE, UNTRUSTED_NOTE, type Hooks } from "../../../extension/core/hooks/hooks";
import { readRecords } from "../../support/acpAgent/launch";
import { step, type AgentRecord, type Step } from "../../support/acpAgent/script";
import {
  ended,
  eventsOf,
  pendingApproval,
  phone,
  promptText,
  requests,
  scriptedDefinition,
  startAcpHost,
  tempFolder,
  threadId,
  type AcpHost,
} from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";
import { hookFolder, script, testHooks, userHook, writeProjectHooks } from "../../support/hookScripts";
import { until } from "../../support/wait";

type Permission = Extract<AgentRecord, { kind: "permission" }>;
type Answer = Extract<AgentRecord, { kind: "answer" }>;

const command = (id: string, line: string): ToolCallUpdate => ({
  toolCallId: id,
  title: `Run ${line}`,
  kind: "execute",
  rawInput: { command: line },
});
const asking = (id: string, line: string): Step[] => [
  step.permission(command(id, line)),
  step.ifAllowed([step.say("ran")], [step.say("refused")]),
];

describe("hooks: an outside agent (ACP)", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  interface Setup {
    host: AcpHost;
    hooks: Hooks;
    folder: string;
    dir: string;
    records: () => AgentRecord[];
    recordPath: string;
    /** Sends the task, then one message per later turn. */
    next: () => void;
    id: string;
  }

  async function setup(turns: Step[][], mode: PolicyMode, user: (dir: string) => HookSpec[] = () => []): Promise<Setup> {
    const folder = tempFolder(cleanup);
    const dir = cleanup.add(hookFolder(), (d) => rmSync(d, { recursive: true, force: true }));
    const stateDir = cleanup.add(mkdtempSync(join(tmpdir(), "tether-hooks-state-")), (d) =>
      rmSync(d, { recursive: true, force: true }),
    );
    const { hooks } = testHooks(folder, stateDir, user(dir));
    const scripted = scriptedDefinition({ turns }, cleanup);
    const host = await startAcpHost({ cleanup, definitions: [scripted.definition], folder, stateDir, mode, hooks });
    const id = threadId();
    let sent = 0;
    const next = (): void => {
      if (sent++ === 0) host.manager.newTask({ threadId: id, text: "go", agent: "scripted" }, phone);
      else host.manager.message(id, `turn ${sent}`, phone);
    };
    return {
      host,
      hooks,
      folder,
      dir,
      id,
      next,
      records: () => readRecords(scripted.agent.recordPath),
      recordPath: scripted.agent.recordPath,
    };
  }

  const permissions = (s: Setup): Permission[] => s.records().filter((r): r is Permission => r.kind === "permission");
  const asks = (s: Setup): ThreadEvent[] => eventsOf(s.host, s.id).filter((e) => e.type === "approval-requested");
  const notes = (s: Setup): string[] =>
    eventsOf(s.host, s.id).flatMap((e) => (e.type === "status" && e.detail !== undefined ? [e.detail] : []));

  it("allow lifts the mode's ask: the agent is allowed without a person", async () => {
    const s = await setup([asking("p1", "touch one.txt")], "ask", (dir) => [
      userHook("PreToolUse", script(dir, "allow.sh", `cat > /dev/null; echo '{"decision":"approve"}'`), { matcher: "Bash" }),
    ]);
    s.next();
    assert.equal(await ended(s.host, s.id), "done");
    assert.equal(asks(s).length, 0, "a person was asked");
    assert.equal(permissions(s).at(-1)?.outcome.outcome, "selected");
    assert.equal((permissions(s).at(-1)?.outcome as { kind?: string }).kind, "allow_once");
  });

  it("deny refuses a write, and the agent's answer carries the hook's reason", async () => {
    const s = await setup([[step.write("gen/out.ts", "export {};\n"), step.say("tried")]], "full-auto", (dir) => [
      userHook("PreToolUse", script(dir, "deny.sh", `echo "Generated files are off limits." >&2; exit 2`), { matcher: "edit" }),
    ]);
    s.next();
    assert.equal(await ended(s.host, s.id), "done");
    const answer = s.records().find((r): r is Answer => r.kind === "answer" && r.method === "fs/write_text_file");
    assert.match(JSON.stringify(answer?.error), /Generated files are off limits\./);
    assert.equal(existsSync(join(s.folder, "gen/out.ts")), false);
  });

  it("ask, a timeout and a failing hook each ask in full-auto, with the hook's words on the approval", async () => {
    const s = await setup(
      [asking("p1", "echo one"), asking("p2", "echo two"), asking("p3", "echo three")],
      "full-auto",
      (dir) => [
        userHook(
          "PreToolUse",
          script(dir, "ask.sh", `grep -q '"echo one"' && echo '{"decision":"ask","reason":"One needs a look."}'; exit 0`),
        ),
        userHook("PreToolUse", script(dir, "slow.sh", `grep -q '"echo two"' && sleep 30; exit 0`), { timeoutS: 1 }),
        userHook("PreToolUse", script(dir, "fail.sh", `grep -q '"echo three"' && { echo "no python3" >&2; exit 1; }; exit 0`)),
      ],
    );
    const expected = [/^One needs a look\.$/, /took longer than its 1 s limit/, /failed \(exit 1\): no python3/];
    for (const [i, why] of expected.entries()) {
      s.next();
      const request = await pendingApproval(s.host, s.id, i);
      assert.match(request.why ?? "", why);
      await s.host.manager.handle({ type: "decide", threadId: s.id, approvalId: request.approvalId, decision: "approve" }, phone);
      assert.equal(await ended(s.host, s.id), "done");
    }
    assert.deepEqual(
      permissions(s).map((p) => (p.outcome as { kind?: string }).kind),
      ["allow_once", "allow_once", "allow_once"],
    );
  });

  it("after a tool the agent ran, when a prompt is sent and when the turn ends, for the agent's own calls", async () => {
    const ran: Step[] = [
      step.toolCall({ toolCallId: "t1", title: "Run ls", kind: "execute", rawInput: { command: "ls" }, status: "in_progress" }),
      step.toolUpdate({
        toolCallId: "t1",
        status: "completed",
        content: [{ type: "content", content: { type: "text", text: "a.txt" } }],
      }),
      step.say("listed"),
    ];
    const s = await setup([ran, [step.say("never")]], "full-auto", (dir) => [
      userHook("PostToolUse", script(dir, "post.sh", `grep -o '"output":"a.txt"'`), { matcher: "command" }),
      userHook("Stop", script(dir, "stop.sh", `grep -o '"status":"done"'`)),
      userHook(
        "UserPromptSubmit",
        script(dir, "prompt.sh", `grep -q deploy && { echo "Not from a phone." >&2; exit 2; }; exit 0`),
      ),
    ]);
    s.next();
    assert.equal(await ended(s.host, s.id), "done");
    await until("the hooks' output", () => notes(s).some((n) => n.includes('"status":"done"')) || undefined);
    assert.ok(
      notes(s).some((n) => n.includes('"output":"a.txt"')),
      "the post-tool hook did not see the agent's result",
    );

    s.host.manager.message(s.id, "now deploy it", phone);
    await until("the blocked prompt", () => notes(s).find((n) => /Not from a phone\./.test(n)));
    assert.equal(await ended(s.host, s.id), "stopped");
    const sent = requests(s.recordPath, "session/prompt").map(promptText);
    assert.ok(!sent.some((t) => t.includes("deploy")), "the blocked prompt reached the agent");
  });

  it("a project's hooks do not run until trusted, and are asked about again after a change", async () => {
    const turns = [asking("p1", "echo one"), asking("p2", "echo two"), asking("p3", "echo three")];
    const s = await setup(turns, "full-auto");
    const marker = join(s.dir, "ran");
    const mark = script(s.dir, "mark.sh", `cat > /dev/null; touch '${marker}'`);
    writeProjectHooks(s.folder, { hooks: [{ event: "PreToolUse", matcher: "command", command: mark }] });
    s.next();
    assert.equal(await ended(s.host, s.id), "done");
    assert.equal(existsSync(marker), false, "an untrusted project hook ran");
    assert.ok(notes(s).includes(UNTRUSTED_NOTE));

    const state = s.hooks.project();
    assert.ok(state.state === "untrusted");
    assert.equal(s.hooks.trustProject(state.hash), true);
    s.next();
    assert.equal(await ended(s.host, s.id), "done");
    assert.equal(existsSync(marker), true, "the trusted project hook did not run");

    rmSync(marker);
    writeProjectHooks(s.folder, { hooks: [{ event: "PreToolUse", matcher: "*", command: mark }] });
    s.next();
    assert.equal(await ended(s.host, s.id), "done");
    assert.equal(existsSync(marker), false, "a changed project hook ran");
    assert.ok(notes(s).includes(CHANGED_NOTE));
    assert.equal(s.hooks.project().state, "untrusted");
  });
});
