// `tether-host --agent NAME=COMMAND` as a user runs it: real relay and host processes from dist/,
// an outside agent that speaks the Agent Client Protocol (the scripted one, a real child process
// of the host), and a phone client that pairs, starts a task with that agent, approves the
// command it asks to run, and reads the plan, the command's output and the end. Then every byte
// the relay stored, logged or sent is searched for the task, the plan, the command, its output
// and the agent's name.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostProfileSchema, randomId } from "#protocol";
import { scriptedAgentCommand, readRecords } from "../support/acpAgent/launch";
import { step, type AgentScript } from "../support/acpAgent/script";
import { Cleanup } from "../support/cleanup";
import { pairPhone, type PairedPhone } from "../support/phone";
import { start, type Proc } from "../support/processes";
import { scanWire, startWireTap, type WireTap } from "../support/wireTap";
import { makeWorkspace } from "../support/workspace";

const DIST = join(__dirname, "..", "..", "dist");
const AGENT = "wombatagent";
const PROMPT_MARKER = "quokka-acp-prompt-4417";
const PLAN_MARKER = "numbat-plan-entry-2290";
const THOUGHT_MARKER = "bilby-thinking-8812";
const OUTPUT_MARKER = "platypus-acp-out-6631";
const COMMAND = `echo ${OUTPUT_MARKER}`;

const script: AgentScript = {
  modes: {
    currentModeId: "yolo",
    availableModes: [
      { id: "default", name: "Ask first" },
      { id: "yolo", name: "Never ask" },
    ],
  },
  turns: [
    [
      step.think(`Thinking it over (${THOUGHT_MARKER}).`),
      step.update({
        sessionUpdate: "plan",
        entries: [
          { content: `Run the check (${PLAN_MARKER})`, status: "in_progress", priority: "high" },
          { content: "Report", status: "pending", priority: "medium" },
        ],
      }),
      step.say("Running the check."),
      step.toolCall({ toolCallId: "call-1", title: COMMAND, kind: "execute", status: "pending", rawInput: { command: COMMAND } }),
      step.permission({ toolCallId: "call-1" }),
      step.ifAllowed(
        [
          step.terminal("echo", [OUTPUT_MARKER], { toolCallId: "call-1" }),
          step.toolUpdate({
            toolCallId: "call-1",
            status: "completed",
            content: [{ type: "content", content: { type: "text", text: OUTPUT_MARKER } }],
          }),
        ],
        [step.toolUpdate({ toolCallId: "call-1", status: "failed" })],
      ),
      step.update({ sessionUpdate: "usage_update", used: 41_000, size: 200_000, cost: { amount: 0.12, currency: "USD" } }),
      step.say("The check passed."),
    ],
  ],
};

describe("tether-host runs an outside agent over ACP from a phone (processes)", function () {
  this.timeout(90_000);
  const cleanup = new Cleanup();
  let tmp: string;
  let workspace: string;
  let relay: Proc;
  let tap: WireTap;
  let host: Proc;
  let records: string;
  let phone: PairedPhone | undefined;

  before(async () => {
    if (!existsSync(join(DIST, "host.js")) || !existsSync(join(DIST, "relay.js"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    tmp = mkdtempSync(join(tmpdir(), "tether-acp-e2e-"));
    workspace = makeWorkspace({ "README.md": "# project\n" });
    const agent = scriptedAgentCommand(script, cleanup);
    records = agent.recordPath;
    relay = start("node", [join(DIST, "relay.js"), "--port", "0", "--data-dir", join(tmp, "relay"), "--log-format", "json"]);
    const relayUrl = (await relay.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    tap = await startWireTap(Number(new URL(relayUrl).port));
    const commandLine = [agent.command, ...agent.args].map((w) => `'${w}'`).join(" ");
    host = start(
      "node",
      [
        join(DIST, "host.js"),
        "--relay",
        tap.url,
        "--folder",
        workspace,
        "--name",
        "e2e-acp",
        "--state-dir",
        join(tmp, "host"),
        "--agent",
        `${AGENT}=${commandLine}`,
        "--mode",
        "ask",
        "--pair",
        "--accept-pairing",
      ],
      { env: { ...agent.env, OPENAI_API_KEY: "", TETHER_MODEL: "" } },
    );
  });

  after(async () => {
    phone?.close();
    await host?.stop();
    await tap?.close();
    await relay?.stop();
    await cleanup.run();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("starts the agent's task, gates its command on the phone, streams it, and the relay sees none of it", async () => {
    const link = (await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
    phone = await pairPhone(link, "e2e phone");
    const profile = hostProfileSchema.parse(phone.profile);
    const listed = profile.agents?.find((a) => a.id === AGENT);
    assert.ok(listed?.installed, `the phone is told the agent is there: ${JSON.stringify(profile.agents)}`);
    assert.ok(
      profile.agents?.some((a) => a.id === "claude"),
      "the known agents are listed too",
    );

    const threadId = randomId(12);
    await phone.send({ type: "new-task", threadId, text: `Check it (${PROMPT_MARKER})`, agent: AGENT });
    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested", 30_000);
    assert.ok(asked.type === "approval-requested");
    assert.equal(asked.command, COMMAND, "the card shows the command the agent asked to run");
    assert.equal(asked.rule, "mode ask: commands ask", "Tether's policy judged it first");
    assert.deepEqual(
      asked.options?.map((o) => o.kind),
      ["allow_once", "allow_always", "reject_once", "reject_always"],
    );
    const allow = asked.options!.find((o) => o.kind === "allow_once")!;
    await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve", optionId: allow.optionId });
    const end = await phone.waitFor(threadId, (e) => e.type === "status" && ["done", "failed"].includes(e.status), 30_000);
    assert.ok(end.type === "status" && end.status === "done", `ended ${JSON.stringify(end)}`);

    const events = phone.events(threadId).map((n) => n.event);
    const task = events[0];
    assert.ok(task?.type === "task" && task.agent?.id === AGENT);
    const states = events.flatMap((e) => (e.type === "agent-state" ? [e] : []));
    const mode = states.findLast((e) => e.mode !== undefined)?.mode;
    assert.equal(mode, "default", "the session was moved to the mode that asks");
    const modes = states.findLast((e) => e.modes !== undefined)?.modes;
    assert.deepEqual(
      modes?.map((m) => m.id),
      ["default"],
      "the mode that never asks is not offered under ask",
    );
    assert.ok(events.some((e) => e.type === "plan" && e.entries[0]!.content.includes(PLAN_MARKER)));
    assert.ok(events.some((e) => e.type === "thought" && e.text.includes(THOUGHT_MARKER)));
    const result = events.find((e) => e.type === "tool-result" && e.callId === "call-1");
    assert.ok(result?.type === "tool-result" && result.ok && result.output.includes(OUTPUT_MARKER));
    assert.ok(events.some((e) => e.type === "usage" && e.used === 41_000 && e.size === 200_000));
    assert.ok(
      phone.live.some((l) => l.event.type === "output" && l.event.callId === "call-1" && l.event.chunk.includes(OUTPUT_MARKER)),
      "the command's output streamed live under its tool call",
    );
    // The command ran through Tether's own runner (the agent's terminal), after the approval.
    const sent = readRecords(records);
    const answer = sent.find((r) => r.kind === "permission");
    assert.deepEqual(answer && "outcome" in answer ? answer.outcome : undefined, {
      outcome: "selected",
      optionId: allow.optionId,
      kind: "allow_once",
    });
    assert.ok(
      sent.some((r) => r.kind === "answer" && r.method === "terminal/output" && JSON.stringify(r.result).includes(OUTPUT_MARKER)),
    );

    const markers = [PROMPT_MARKER, PLAN_MARKER, THOUGHT_MARKER, OUTPUT_MARKER, AGENT];
    const relayFiles = readdirSync(join(tmp, "relay")).map((f) => readFileSync(join(tmp, "relay", f)).toString("latin1"));
    for (const marker of markers) {
      for (const text of [...relayFiles, relay.output()]) assert.ok(!text.includes(marker), `the relay holds "${marker}"`);
    }
    phone.close();
    await host.stop();
    await tap.whenIdle();
    const wire = scanWire(tap.connections, [...markers, "Claude Code", "e2e-acp"]);
    assert.equal(wire.deflateUpgrades, 0);
    assert.ok(wire.bytesFromServer > 4096, `only ${wire.bytesFromServer} bytes recorded from the relay`);
    assert.ok(wire.serverSent(threadId), "the thread id is in what the relay sent");
    assert.deepEqual(wire.hits, [], "the relay sent or was sent something of the agent's thread in the clear");
  });
});
