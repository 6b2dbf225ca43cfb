// Continuing from the phone a session of an outside agent that was started on the computer: the
// host lists the agent's sessions in the workspace (ACP `session/list`), and a task that names one
// loads it, takes its history into the thread (the person's words as said on the computer), puts
// the session in the mode that asks, and sends the task's words as the next prompt, once.

import assert from "node:assert/strict";
import { realpathSync, rmSync } from "node:fs";
import type { HostAgents } from "../../../extension/core/agents/hostAgents";
import { readRecords, scriptedAgentCommand } from "../../support/acpAgent/launch";
import { exchange, step, type AgentScript } from "../../support/acpAgent/script";
import { Cleanup } from "../../support/cleanup";
import { startAcpHost, type AcpHost } from "../../support/acpHost";
import { until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";

const BY = { id: "phone-1", name: "Pixel" };

describe("an outside agent's sessions started on the computer", function () {
  this.timeout(30_000);
  const cleanup = new Cleanup();
  let folder: string;
  let agent: AcpHost;
  let agents: HostAgents;
  let records: string;

  before(async () => {
    folder = realpathSync(
      cleanup.add(makeWorkspace({ "README.md": "# x\n" }), (d) => rmSync(d, { recursive: true, force: true })),
    );
    const script: AgentScript = {
      initialize: { agentCapabilities: { loadSession: true, sessionCapabilities: { list: {} } } },
      modes: {
        currentModeId: "yolo",
        availableModes: [
          { id: "default", name: "Default" },
          { id: "yolo", name: "YOLO" },
        ],
      },
      sessions: [
        { sessionId: "old-1", cwd: folder, title: "Fix the login page", updatedAt: "2026-12-01T10:00:00Z" },
        { sessionId: "old-2", cwd: folder, title: "Add rate limiting", updatedAt: "2026-12-05T07:00:00Z" },
        { sessionId: "elsewhere", cwd: "/somewhere/else", title: "Another project" },
      ],
      history: { "old-2": [...exchange("Add rate limiting to /api/subscribe", "Done: 10 per minute.")] },
      turns: [[step.say("Lowered it to 5 per minute.")]],
    };
    const command = scriptedAgentCommand(script, cleanup);
    records = command.recordPath;
    const host = await startAcpHost({
      folder,
      cleanup,
      definitions: [{ id: "scripted", name: "Scripted", command: [command.command, ...command.args], env: command.env }],
    });
    agent = host;
    agents = host.agents;
  });

  after(() => cleanup.run());

  it("lists the agent's sessions in this workspace, newest first", async () => {
    const listed = await agents.listSessions("scripted", folder);
    assert.equal(listed.listed, true);
    assert.deepEqual(
      listed.sessions.map((s) => [s.sessionId, s.title]),
      [
        ["old-2", "Add rate limiting"],
        ["old-1", "Fix the login page"],
      ],
    );
    assert.equal(agents.openSessions, 0, "the process started to ask is ended");
  });

  it("continues one: its history becomes the thread's, the mode that asks is set, and only the new words are sent", async () => {
    const thread = agent.manager.newTask(
      { threadId: "continue-old-2", text: "Make it 5 per minute", agent: "scripted", agentSession: "old-2" },
      BY,
    );
    await until("the run to end", () => (["done", "failed"].includes(thread.status) ? thread.status : undefined), 20_000);
    const events = thread.events.map((n) => n.event);
    assert.equal(thread.status, "done", JSON.stringify(events.filter((e) => e.type === "error")));
    const said = events.flatMap((e) =>
      e.type === "user-message" ? [`${e.by.name}: ${e.text}`] : e.type === "assistant-text" ? [`agent: ${e.text}`] : [],
    );
    assert.deepEqual(said, [
      "on the computer: Add rate limiting to /api/subscribe",
      "agent: Done: 10 per minute.",
      "agent: Lowered it to 5 per minute.",
    ]);
    const sent = readRecords(records);
    const loads = sent.filter((r) => r.kind === "request" && r.method === "session/load");
    assert.equal(loads.length, 1);
    const params = (method: string): string[] =>
      sent.flatMap((r) => (r.kind === "request" && r.method === method ? [JSON.stringify(r.params)] : []));
    const modes = params("session/set_mode");
    assert.ok(
      modes.some((m) => m.includes('"default"')),
      `the session was put in the mode that asks: ${modes.join(", ")}`,
    );
    const prompts = params("session/prompt");
    assert.equal(prompts.length, 1);
    assert.ok(prompts[0]!.includes("Make it 5 per minute") && !prompts[0]!.includes("/api/subscribe"), prompts[0]);
  });
});
