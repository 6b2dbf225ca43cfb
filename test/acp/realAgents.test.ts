// Claude Code's published ACP adapter, run for real against the scripted Anthropic server: what
// a client sees of a turn that reads a file, runs a command and edits a file, and what the
// client can gate. REAL-AGENTS.md in this folder writes the findings down for the host.

import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { methods, type ClientContext, type NewSessionResponse } from "@agentclientprotocol/sdk";
import { claudeAgent } from "../support/acpAgentLaunch";
import {
  finalStatus,
  installOrSkip,
  agentText,
  choose,
  CLIENT_CAPABILITIES,
  toolCallUpdates,
  updateShape,
  withAcpAgent,
  type AcpRecord,
  type Decide,
} from "../support/acpClient";
import { startFakeAnthropic, type AnthropicBody, type FakeModelServer, type FakeStep } from "../support/fakeModels";
import { makeWorkspace } from "../support/workspace";

/** Starts a session, by default in the mode that sends every command and edit to the client; `null` leaves it as it starts. */
async function startSession(ctx: ClientContext, cwd: string, mode: string | null = "default"): Promise<NewSessionResponse> {
  const init = await ctx.request(methods.agent.initialize, { protocolVersion: 1, clientCapabilities: CLIENT_CAPABILITIES });
  assert.equal(init.protocolVersion, 1);
  assert.deepEqual(init.authMethods, [], "a model server by URL and token needs no login");
  const session = await ctx.request(methods.agent.session.new, { cwd, mcpServers: [] });
  if (mode) await ctx.request(methods.agent.session.setMode, { sessionId: session.sessionId, modeId: mode });
  return session;
}

describe("Claude Code over ACP (the real adapter, offline)", function () {
  this.timeout(60_000);
  let server: FakeModelServer<AnthropicBody>;
  let workspace: string;
  let home: string;

  before(async function () {
    await installOrSkip(this, "claude");
  });

  beforeEach(async () => {
    server = await startFakeAnthropic();
    workspace = makeWorkspace({ "notes.txt": "hello notes\n", "config.ini": "mode = slow\n" });
    home = mkdtempSync(join(tmpdir(), "tether-claude-home-"));
  });

  afterEach(async () => {
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  /** One prompt through a fresh agent, in manual mode unless told; the script plays the model's side. */
  async function turn(script: FakeStep<AnthropicBody>[], decide: Decide, mode?: string | null) {
    server.push(...script);
    const launch = await claudeAgent({ modelUrl: server.url, home });
    return withAcpAgent(launch, workspace, decide, async (ctx, record: AcpRecord) => {
      const session = await startSession(ctx, workspace, mode);
      const reply = await ctx.request(methods.agent.session.prompt, {
        sessionId: session.sessionId,
        prompt: [{ type: "text", text: "Look at the notes and tidy up." }],
      });
      return { session, reply, record };
    });
  }

  it("starts in auto, which decides for itself; in manual a command waits for the client, a read does not", async () => {
    const { session, reply, record } = await turn(
      [
        { toolCalls: [{ id: "toolu_read", name: "Read", args: { file_path: join(workspace, "notes.txt") } }] },
        { toolCalls: [{ id: "toolu_bash", name: "Bash", args: { command: "echo ran > ran.txt", description: "Mark the run" } }] },
        { text: "All done." },
      ],
      choose("allow_once"),
    );

    assert.equal(
      session.modes?.currentModeId,
      "auto",
      "a new session starts in auto: Claude's own classifier, not the client, decides",
    );
    assert.deepEqual(
      session.modes?.availableModes.map((m) => m.id),
      ["default", "acceptEdits", "plan", "auto"],
    );
    assert.equal(reply.stopReason, "end_turn");
    assert.equal(agentText(record), "All done.");
    assert.deepEqual(updateShape(record), [
      "tool_call",
      "tool_call_update",
      "tool_call",
      "tool_call_update",
      "agent_message_chunk",
    ]);

    // The read: reported, never asked about, and done by the agent itself from disk.
    const read = toolCallUpdates(record, "toolu_read");
    assert.deepEqual(read[0], { ...read[0], sessionUpdate: "tool_call", kind: "read", status: "pending", rawInput: {} });
    assert.ok(read.some((u) => "locations" in u && u.locations?.[0]?.path === join(workspace, "notes.txt")));
    assert.equal(finalStatus(record, "toolu_read"), "completed");

    // The command: asked about once, with its command line in rawInput, then run by the agent.
    assert.equal(record.permissions.length, 1);
    const [ask] = record.permissions;
    assert.equal(ask!.toolCall.toolCallId, "toolu_bash");
    assert.equal(ask!.toolCall.kind, "execute");
    assert.equal(ask!.toolCall.title, "echo ran > ran.txt");
    assert.deepEqual(ask!.toolCall.rawInput, { command: "echo ran > ran.txt", description: "Mark the run" });
    assert.deepEqual(ask!.toolCall.content, [{ type: "content", content: { type: "text", text: "Mark the run" } }]);
    assert.deepEqual(ask!.toolCall.locations, [{ path: join(workspace, "ran.txt") }], "it names the file the command writes");
    assert.deepEqual(
      ask!.options.map((o) => [o.optionId, o.kind]),
      [
        ["allow-once", "allow_once"],
        ["allow-with-updates", "allow_always"],
        ["reject", "reject_once"],
      ],
    );
    assert.equal(readFileSync(join(workspace, "ran.txt"), "utf8"), "ran\n");
    assert.equal(finalStatus(record, "toolu_bash"), "completed");

    // Its own file access and shell: nothing reaches fs/* or terminal/* although both are offered.
    assert.deepEqual(record.clientCalls, []);
    const toolResult = JSON.stringify(server.requests[1]!.body.messages.at(-1));
    assert.match(toolResult, /hello notes/, "the model got the file as it is on disk");

    // Beside the script: a title request, answered by its shape.
    assert.ok(server.sideRequests.some((r) => r.kind === "title"));
    assert.equal(server.remaining, 0);
  });

  it("left in auto, the mode it starts in, it runs a command without asking the client", async () => {
    const { record } = await turn(
      [
        { toolCalls: [{ id: "toolu_bash", name: "Bash", args: { command: "echo ran > ran.txt", description: "Mark the run" } }] },
        { text: "Done." },
      ],
      () => assert.fail("auto mode asked the client"),
      null,
    );
    assert.deepEqual(record.permissions, []);
    assert.equal(readFileSync(join(workspace, "ran.txt"), "utf8"), "ran\n");
    assert.equal(finalStatus(record, "toolu_bash"), "completed");
  });

  it("a rejected command does not run, and the model is told", async () => {
    const { reply, record } = await turn(
      [
        {
          toolCalls: [
            { id: "toolu_bash", name: "Bash", args: { command: "echo ran > rejected.txt", description: "Mark the run" } },
          ],
        },
        { text: "Understood, I will not." },
      ],
      choose("reject_once"),
    );
    assert.equal(record.permissions.length, 1);
    assert.equal(existsSync(join(workspace, "rejected.txt")), false, "the agent ran a command the client rejected");
    assert.equal(finalStatus(record, "toolu_bash"), "failed");
    // The turn goes on: the model gets an error result and answers.
    assert.deepEqual(server.requests[1]!.body.messages.at(-1)!.content, [
      {
        type: "tool_result",
        content: "User refused permission to run tool",
        is_error: true,
        tool_use_id: "toolu_bash",
        cache_control: { type: "ephemeral" },
      },
    ]);
    assert.equal(reply.stopReason, "end_turn");
    assert.equal(agentText(record), "Understood, I will not.");
  });

  it("an edit asks with a diff, and the agent writes the file itself", async () => {
    const { record } = await turn(
      [
        {
          toolCalls: [
            { id: "toolu_write", name: "Write", args: { file_path: join(workspace, "out.txt"), content: "written\n" } },
          ],
        },
        { toolCalls: [{ id: "toolu_read", name: "Read", args: { file_path: join(workspace, "config.ini") } }] },
        {
          toolCalls: [
            {
              id: "toolu_edit",
              name: "Edit",
              args: { file_path: join(workspace, "config.ini"), old_string: "mode = slow", new_string: "mode = fast" },
            },
          ],
        },
        { text: "Edited." },
      ],
      choose("allow_once"),
    );
    assert.deepEqual(
      record.permissions.map((p) => p.toolCall.toolCallId),
      ["toolu_write", "toolu_edit"],
    );
    const [write, edit] = record.permissions;
    // A new file: the diff has no old text. An edit: the diff is the replaced snippet, not the whole file.
    assert.deepEqual(write!.toolCall.content, [
      { type: "diff", path: join(workspace, "out.txt"), oldText: null, newText: "written\n" },
    ]);
    assert.deepEqual(edit!.toolCall.content, [
      { type: "diff", path: join(workspace, "config.ini"), oldText: "mode = slow", newText: "mode = fast" },
    ]);
    assert.equal(edit!.toolCall.kind, "edit");
    assert.deepEqual(edit!.toolCall.locations, [{ path: join(workspace, "config.ini") }]);
    assert.deepEqual(
      edit!.options.map((o) => [o.kind, o.name]),
      [
        ["allow_once", "Yes"],
        ["allow_always", "Yes, allow all edits during this session"],
        ["reject_once", "No"],
      ],
    );
    assert.equal(readFileSync(join(workspace, "out.txt"), "utf8"), "written\n");
    assert.equal(readFileSync(join(workspace, "config.ini"), "utf8"), "mode = fast\n");
    assert.deepEqual(record.clientCalls, []);
  });
});
