// Gemini CLI in ACP mode, run for real against the scripted Gemini API server: what the client
// is asked before a command or an edit, and which of its file access goes through the client.
// REAL-AGENTS.md in this folder writes the findings down for the host.

import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { methods } from "@agentclientprotocol/sdk";
import { geminiAgent } from "../support/acpAgentLaunch";
import {
  agentText,
  choose,
  CLIENT_CAPABILITIES,
  finalStatus,
  installOrSkip,
  toolCallUpdates,
  withAcpAgent,
  type ClientOptions,
  type Decide,
} from "../support/acpClient";
import type { FakeModelServer, FakeStep } from "../support/fakeModels";
import { startFakeGemini, type GeminiBody } from "../support/fakeGemini";
import { until } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const SHELL = "run_shell_command__call_shell";

describe("Gemini CLI over ACP (the real CLI, offline)", function () {
  this.timeout(60_000);
  let server: FakeModelServer<GeminiBody>;
  let workspace: string;
  let home: string;

  before(async function () {
    await installOrSkip(this, "gemini");
  });

  beforeEach(async () => {
    server = await startFakeGemini();
    workspace = makeWorkspace({ "notes.txt": "hello notes\n" });
    home = mkdtempSync(join(tmpdir(), "tether-gemini-home-"));
  });

  afterEach(async () => {
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  /** One prompt through a fresh agent, left in the mode it starts in; the script plays the model's side. */
  async function turn(script: FakeStep<GeminiBody>[], decide: Decide, text = "", options: ClientOptions = {}) {
    server.push(...script);
    const launch = await geminiAgent({ modelUrl: server.url, home });
    return withAcpAgent(
      launch,
      workspace,
      decide,
      async (ctx, record) => {
        const init = await ctx.request(methods.agent.initialize, { protocolVersion: 1, clientCapabilities: CLIENT_CAPABILITIES });
        const session = await ctx.request(methods.agent.session.new, { cwd: workspace, mcpServers: [] });
        const reply = await ctx.request(methods.agent.session.prompt, {
          sessionId: session.sessionId,
          prompt: [{ type: "text", text: "Look at the notes and mark the run." }],
        });
        // Its last text chunk can come after the prompt's answer.
        await until("the agent's last words", () => agentText(record).endsWith(text));
        return { init, session, reply, record };
      },
      options,
    );
  }

  it("starts in a mode that asks; a command waits for the client, with 'allow always' listed first; reads are its own", async () => {
    const { init, session, reply, record } = await turn(
      [
        { toolCalls: [{ id: "call_read", name: "read_file", args: { file_path: "notes.txt" } }] },
        {
          toolCalls: [
            { id: "call_shell", name: "run_shell_command", args: { command: "echo ran > ran.txt", description: "Mark the run" } },
          ],
        },
        { text: "All done." },
      ],
      choose("allow_once"),
      "All done.",
    );

    assert.deepEqual(
      init.authMethods?.map((m) => m.id),
      ["oauth-personal", "gemini-api-key", "vertex-ai", "gateway"],
      "it lists its logins, but a key and a base URL in the environment need no authenticate call",
    );
    assert.equal(session.modes?.currentModeId, "default");
    assert.deepEqual(
      session.modes?.availableModes.map((m) => m.id),
      ["default", "autoEdit", "yolo", "plan"],
    );
    assert.equal(reply.stopReason, "end_turn");

    // The read: reported and never asked about; the file came from disk, not through fs/read_text_file.
    assert.equal(finalStatus(record, "read_file__call_read"), "completed");
    assert.match(JSON.stringify(server.requests[1]!.body.contents.at(-1)), /hello notes/);

    // The command: asked about with no tool_call before it and no rawInput; the command line is the title.
    assert.equal(record.permissions.length, 1);
    const [ask] = record.permissions;
    assert.equal(ask!.toolCall.toolCallId, SHELL);
    assert.equal(ask!.toolCall.kind, "execute");
    assert.equal(ask!.toolCall.title, "echo ran > ran.txt");
    assert.equal(ask!.toolCall.rawInput, undefined);
    assert.deepEqual(ask!.toolCall.content, [
      { type: "content", content: { type: "text", text: `[current working directory ${workspace}] (Mark the run)` } },
    ]);
    assert.deepEqual(
      toolCallUpdates(record, SHELL).map((u) => u.sessionUpdate),
      ["tool_call_update"],
    );
    assert.deepEqual(
      ask!.options.map((o) => [o.optionId, o.kind]),
      [
        ["proceed_always", "allow_always"],
        ["proceed_once", "allow_once"],
        ["cancel", "reject_once"],
      ],
    );
    assert.equal(readFileSync(join(workspace, "ran.txt"), "utf8"), "ran\n");
    assert.equal(finalStatus(record, SHELL), "completed");
    assert.deepEqual(record.clientCalls, [], "it runs commands itself although the client offers terminals");
  });

  it("a rejected command does not run, and the model is told", async () => {
    const { reply, record } = await turn(
      [
        {
          toolCalls: [
            { id: "call_shell", name: "run_shell_command", args: { command: "echo ran > ran.txt", description: "Mark the run" } },
          ],
        },
        { text: "Understood." },
      ],
      choose("reject_once"),
      "Understood.",
    );
    assert.equal(record.permissions.length, 1);
    assert.equal(existsSync(join(workspace, "ran.txt")), false, "Gemini CLI ran a command the client rejected");
    assert.deepEqual(toolCallUpdates(record, SHELL), [], "no update ever closes the rejected call");
    assert.deepEqual(server.requests[1]!.body.contents.at(-1)!.parts, [
      {
        functionResponse: {
          name: "run_shell_command",
          response: { error: 'Tool "run_shell_command" was canceled by the user.' },
          id: "call_shell",
        },
      },
    ]);
    assert.equal(reply.stopReason, "end_turn");
  });

  it("an edit asks with the whole file's diff, then reads and writes it through the client", async () => {
    const notes = join(workspace, "notes.txt");
    const { record } = await turn(
      [
        {
          toolCalls: [
            {
              id: "call_edit",
              name: "replace",
              args: { file_path: "notes.txt", old_string: "hello notes", new_string: "bye notes", instruction: "Say bye" },
            },
          ],
        },
        { text: "Edited." },
      ],
      choose("allow_once"),
      "Edited.",
    );
    assert.equal(record.permissions.length, 1);
    const [edit] = record.permissions;
    assert.equal(edit!.toolCall.kind, "edit");
    assert.equal(edit!.toolCall.title, "notes.txt: hello notes => bye notes");
    assert.deepEqual(edit!.toolCall.content, [
      { type: "diff", path: notes, oldText: "hello notes\n", newText: "bye notes\n", _meta: { kind: "modify" } },
    ]);
    assert.equal(readFileSync(notes, "utf8"), "bye notes\n");
    // Read before asking (for the diff), read again and written once allowed: all through the client.
    assert.deepEqual(
      record.clientCalls.map((c) => [c.method, (c.params as { path: string }).path]),
      [
        ["fs/read_text_file", notes],
        ["fs/read_text_file", notes],
        ["fs/write_text_file", notes],
      ],
    );
  });

  it("creates a new file only if the client answers its read with empty content, not with 'Resource not found'", async () => {
    const out = join(workspace, "out.txt");
    const write: FakeStep<GeminiBody> = {
      toolCalls: [{ id: "call_write", name: "write_file", args: { file_path: "out.txt", content: "written\n" } }],
    };

    const refused = await turn([write, { text: "Could not." }], choose("allow_once"), "Could not.");
    assert.deepEqual(refused.record.permissions, [], "a write that fails its first read is not even asked about");
    assert.equal(existsSync(out), false);
    assert.equal(finalStatus(refused.record, "write_file__call_write"), "failed");
    assert.match(JSON.stringify(server.requests[1]!.body.contents.at(-1)), /Error checking existing file: Resource not found/);

    const { record } = await turn([write, { text: "Created." }], choose("allow_once"), "Created.", { missingFile: "empty" });
    assert.equal(record.permissions.length, 1);
    assert.deepEqual(record.permissions[0]!.toolCall.content, [
      { type: "diff", path: out, oldText: "", newText: "written\n", _meta: { kind: "add" } },
    ]);
    assert.equal(readFileSync(out, "utf8"), "written\n");
    assert.deepEqual(
      record.clientCalls.map((c) => c.method),
      ["fs/read_text_file", "fs/read_text_file", "fs/write_text_file"],
    );
  });
});
