// Codex's published ACP adapter, run for real against the scripted Responses API server: which
// of its modes send a command to the client, what the client is asked, and what it cannot gate.
// REAL-AGENTS.md in this folder writes the findings down for the host.

import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { methods } from "@agentclientprotocol/sdk";
import { codexAgent } from "../support/acpAgentLaunch";
import {
  agentText,
  choose,
  CLIENT_CAPABILITIES,
  finalStatus,
  installOrSkip,
  toolCallUpdates,
  withAcpAgent,
  type Decide,
} from "../support/acpClient";
import type { FakeModelServer, FakeStep } from "../support/fakeModels";
import { startFakeResponses, type ResponsesBody } from "../support/fakeResponses";
import { makeWorkspace } from "../support/workspace";

const ESCALATED = { cmd: "echo ran > ran.txt", sandbox_permissions: "require_escalated", justification: "Mark the run?" };

describe("Codex over ACP (the real adapter, offline)", function () {
  this.timeout(60_000);
  let server: FakeModelServer<ResponsesBody>;
  let workspace: string;
  let home: string;

  before(async function () {
    await installOrSkip(this, "codex");
  });

  beforeEach(async () => {
    server = await startFakeResponses();
    workspace = makeWorkspace({ "notes.txt": "hello notes\n" });
    home = mkdtempSync(join(tmpdir(), "tether-codex-home-"));
  });

  afterEach(async () => {
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  /** One prompt through a fresh agent in `mode`; the script plays the model's side. */
  async function turn(mode: string, script: FakeStep<ResponsesBody>[], decide: Decide) {
    server.push(...script);
    const launch = await codexAgent({ modelUrl: server.url, home });
    return withAcpAgent(launch, workspace, decide, async (ctx, record) => {
      const init = await ctx.request(methods.agent.initialize, { protocolVersion: 1, clientCapabilities: CLIENT_CAPABILITIES });
      const session = await ctx.request(methods.agent.session.new, { cwd: workspace, mcpServers: [] });
      await ctx.request(methods.agent.session.setMode, { sessionId: session.sessionId, modeId: mode });
      const reply = await ctx.request(methods.agent.session.prompt, {
        sessionId: session.sessionId,
        prompt: [{ type: "text", text: "Look at the notes and mark the run." }],
      });
      return { init, session, reply, record };
    });
  }

  it("starts in Auto review; in read-only a command inside the sandbox runs unasked, an escalated one waits for the client", async () => {
    const { init, session, reply, record } = await turn(
      "read-only",
      [
        { toolCalls: [{ id: "call_cat", name: "exec_command", args: { cmd: "cat notes.txt" } }] },
        { toolCalls: [{ id: "call_mark", name: "exec_command", args: ESCALATED }] },
        { text: "All done." },
      ],
      choose("allow_once"),
    );

    assert.deepEqual(
      init.authMethods?.map((m) => m.id),
      ["api-key", "chat-gpt"],
      "it lists its logins, but a provider in config.toml needs none",
    );
    assert.equal(
      session.modes?.currentModeId,
      "agent",
      "a new session starts in Auto review: Codex's reviewer, not the client, decides",
    );
    assert.deepEqual(
      session.modes?.availableModes.map((m) => m.id),
      ["read-only", "workspace-write", "agent", "agent-full-access"],
    );
    assert.equal(reply.stopReason, "end_turn");
    assert.match(agentText(record), /All done\.$/);

    // The sandboxed read: reported as a command, never asked about; its output reached the model.
    assert.equal(finalStatus(record, "call_cat"), "completed");
    assert.match(JSON.stringify(server.requests[1]!.body.input.at(-1)), /hello notes/);

    // The escalated command: asked about once, with its command line, then run by Codex itself.
    assert.deepEqual(
      record.permissions.map((p) => p.toolCall.toolCallId),
      ["call_mark"],
    );
    const [ask] = record.permissions;
    assert.equal(ask!.toolCall.kind, "execute");
    assert.equal(ask!.toolCall.title, "echo ran > ran.txt");
    assert.deepEqual(ask!.toolCall.rawInput, { command: "echo ran > ran.txt", cwd: workspace });
    assert.deepEqual(
      ask!.options.map((o) => [o.optionId, o.kind]),
      [
        ["allow_once", "allow_once"],
        ["accept_execpolicy_amendment", "allow_always"],
        ["cancel", "reject_once"],
      ],
    );
    assert.equal(readFileSync(join(workspace, "ran.txt"), "utf8"), "ran\n");
    assert.equal(finalStatus(record, "call_mark"), "completed");
    // Its `tool_call` shows a terminal by id, but the terminal is Codex's own: no terminal/* reached the client.
    const call = toolCallUpdates(record, "call_mark").find((u) => u.sessionUpdate === "tool_call");
    assert.deepEqual(call?.content, [{ type: "terminal", terminalId: "call_mark" }]);
    assert.deepEqual(record.clientCalls, []);
  });

  it("a rejected escalated command does not run, and the turn ends cancelled", async () => {
    const { reply, record } = await turn(
      "read-only",
      [{ toolCalls: [{ id: "call_mark", name: "exec_command", args: ESCALATED }] }],
      choose("reject_once"),
    );
    assert.equal(record.permissions.length, 1);
    assert.equal(existsSync(join(workspace, "ran.txt")), false, "Codex ran a command the client rejected");
    assert.equal(finalStatus(record, "call_mark"), "failed");
    assert.equal(reply.stopReason, "cancelled", "rejecting ends the turn; the model is not asked again");
    assert.equal(server.requests.length, 1);
  });

  it("an edit (apply_patch) in read-only asks, naming the files; the diffs come on its tool call; Codex writes them itself", async () => {
    // Codex edits with `apply_patch` run through its shell tool (no separate tool is offered for an unknown model).
    const patch = [
      "*** Begin Patch",
      "*** Add File: out.txt",
      "+written",
      "*** Update File: notes.txt",
      "@@",
      "-hello notes",
      "+bye notes",
      "*** End Patch",
    ];
    const { record } = await turn(
      "read-only",
      [
        {
          toolCalls: [
            { id: "call_patch", name: "exec_command", args: { cmd: `apply_patch <<'EOF'\n${patch.join("\n")}\nEOF\n` } },
          ],
        },
        { text: "Patched." },
      ],
      choose("allow_once"),
    );
    const notes = join(workspace, "notes.txt");
    const out = join(workspace, "out.txt");
    assert.equal(record.permissions.length, 1);
    const [ask] = record.permissions;
    assert.deepEqual(
      {
        kind: ask!.toolCall.kind,
        title: ask!.toolCall.title,
        locations: ask!.toolCall.locations,
        content: ask!.toolCall.content,
      },
      { kind: "edit", title: "Edit files", locations: [{ path: notes }, { path: out }], content: undefined },
      "the request names the files but carries no diff",
    );
    assert.deepEqual(
      ask!.options.map((o) => [o.optionId, o.kind]),
      [
        ["allow_once", "allow_once"],
        ["allow_for_session", "allow_always"],
        ["cancel", "reject_once"],
      ],
    );
    const call = toolCallUpdates(record, "call_patch").find((u) => u.sessionUpdate === "tool_call");
    assert.deepEqual(call?.content, [
      { type: "diff", path: notes, oldText: "hello notes\n", newText: "bye notes\n", _meta: { kind: "update" } },
      { type: "diff", path: out, oldText: null, newText: "written\n", _meta: { kind: "add" } },
    ]);
    assert.equal(readFileSync(notes, "utf8"), "bye notes\n");
    assert.equal(readFileSync(out, "utf8"), "written\n");
    assert.deepEqual(record.clientCalls, [], "no fs/write_text_file: Codex writes the files itself");
  });

  it("in workspace-write, a command writing inside the workspace runs without asking the client", async () => {
    const { record } = await turn(
      "workspace-write",
      [{ toolCalls: [{ id: "call_mark", name: "exec_command", args: { cmd: "echo ran > ran.txt" } }] }, { text: "Marked." }],
      () => assert.fail("nothing should be asked"),
    );
    assert.deepEqual(record.permissions, []);
    assert.equal(readFileSync(join(workspace, "ran.txt"), "utf8"), "ran\n");
    assert.equal(finalStatus(record, "call_mark"), "completed");
  });
});
