// Real published agents run by the host core, offline against scripted model servers: what the
// gate does with what each of them asks. Claude Code writes files itself, so its edits are kept
// before it writes and recorded after, and Revert puts them back; Gemini CLI writes through
// Tether, so a new file is created through the workspace's rules; a command Gemini shows only by
// its title is refused by a deny rule without asking anyone.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ThreadEvent } from "#protocol";
import type { Thread } from "../../../extension/core/threads/thread";
import { claudeAgent, geminiAgent, type AgentLaunch } from "../../support/acpAgentLaunch";
import { installOrSkip } from "../../support/acpClient";
import { startAcpHost, type AcpHost } from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";
import { startFakeAnthropic } from "../../support/fakeModels";
import { startFakeGemini } from "../../support/fakeGemini";
import { until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";

const BY = { id: "phone-1", name: "Pixel" };

/** The launch as a catalog entry; the test runner's own IS_SANDBOX would make Claude refuse to start as root. */
const definition = (id: string, name: string, launch: AgentLaunch) => ({
  id,
  name,
  command: [launch.command, ...launch.args],
  env: { ...(launch.env as Record<string, string>), IS_SANDBOX: "" },
});

/** Approves every request the moment it is recorded, choosing the agent's allow-once option. */
function approveAll(host: AcpHost, thread: Thread): ThreadEvent[] {
  const asked: ThreadEvent[] = [];
  host.manager.on("event", (t, { event }) => {
    if (t.id !== thread.id || event.type !== "approval-requested") return;
    asked.push(event);
    const option = event.options?.find((o) => o.kind === "allow_once");
    void host.manager.handle(
      {
        type: "decide",
        threadId: t.id,
        approvalId: event.approvalId,
        decision: "approve",
        ...(option ? { optionId: option.optionId } : {}),
      },
      BY,
    );
  });
  return asked;
}

const ended = (thread: Thread) => (["done", "failed", "stopped"].includes(thread.status) ? thread.status : undefined);

describe("real agents through the host's gate (offline)", function () {
  this.timeout(120_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it("Claude Code: its own edits are recorded as file changes, and Revert puts them back", async function () {
    await installOrSkip(this, "claude");
    const folder = realpathSync(
      cleanup.add(makeWorkspace({ "config.ini": "mode = slow\n" }), (d) => rmSync(d, { recursive: true, force: true })),
    );
    const home = cleanup.add(mkdtempSync(join(tmpdir(), "tether-claude-home-")), (d) =>
      rmSync(d, { recursive: true, force: true }),
    );
    const model = cleanup.add(await startFakeAnthropic(), (m) => m.close());
    model.push(
      { toolCalls: [{ id: "toolu_write", name: "Write", args: { file_path: join(folder, "out.txt"), content: "written\n" } }] },
      { toolCalls: [{ id: "toolu_read", name: "Read", args: { file_path: join(folder, "config.ini") } }] },
      {
        toolCalls: [
          {
            id: "toolu_edit",
            name: "Edit",
            args: { file_path: join(folder, "config.ini"), old_string: "mode = slow", new_string: "mode = fast" },
          },
        ],
      },
      { text: "Made it fast." },
    );
    const host = await startAcpHost({
      folder,
      cleanup,
      definitions: [definition("claude", "Claude Code", await claudeAgent({ modelUrl: model.url, home }))],
    });
    const thread = host.manager.newTask({ threadId: "claude-edits-1", text: "Make it fast", agent: "claude" }, BY);
    const asked = approveAll(host, thread);
    await until("the run to end", () => ended(thread), 90_000);
    const events = thread.events.map((n) => n.event);
    assert.equal(thread.status, "done", JSON.stringify(events.filter((e) => e.type === "error")));
    assert.deepEqual(
      asked.map((e) => e.type === "approval-requested" && [e.kind, e.path]),
      [
        ["edit", "out.txt"],
        ["edit", "config.ini"],
      ],
      "each edit asked, with its file, in ask mode",
    );
    assert.equal(readFileSync(join(folder, "config.ini"), "utf8"), "mode = fast\n");
    const changes = events.flatMap((e) => (e.type === "file-change" ? [`${e.change} ${e.path}`] : []));
    assert.deepEqual(changes, ["created out.txt", "modified config.ini"]);

    const reverted = await host.manager.revert(thread.id, BY);
    assert.deepEqual(reverted.files.sort(), ["config.ini", "out.txt"]);
    assert.equal(readFileSync(join(folder, "config.ini"), "utf8"), "mode = slow\n");
    assert.equal(existsSync(join(folder, "out.txt")), false);
  });

  it("Gemini CLI: a new file is written through Tether, and a denied command is refused without asking", async function () {
    await installOrSkip(this, "gemini");
    const folder = realpathSync(
      cleanup.add(makeWorkspace({ "notes.txt": "hello\n" }), (d) => rmSync(d, { recursive: true, force: true })),
    );
    const home = cleanup.add(mkdtempSync(join(tmpdir(), "tether-gemini-home-")), (d) =>
      rmSync(d, { recursive: true, force: true }),
    );
    const model = cleanup.add(await startFakeGemini(), (m) => m.close());
    model.push(
      { toolCalls: [{ id: "call_write", name: "write_file", args: { file_path: "out.txt", content: "written\n" } }] },
      {
        toolCalls: [{ id: "call_rm", name: "run_shell_command", args: { command: "rm -rf notes.txt", description: "Clean up" } }],
      },
      { text: "All done." },
    );
    const host = await startAcpHost({
      folder,
      cleanup,
      deny: ["rm"],
      definitions: [definition("gemini", "Gemini CLI", await geminiAgent({ modelUrl: model.url, home }))],
    });
    const thread = host.manager.newTask({ threadId: "gemini-write-1", text: "Write it and clean up", agent: "gemini" }, BY);
    const asked = approveAll(host, thread);
    await until("the run to end", () => ended(thread), 90_000);
    const events = thread.events.map((n) => n.event);
    assert.equal(thread.status, "done", JSON.stringify(events.filter((e) => e.type === "error")));
    assert.equal(
      readFileSync(join(folder, "out.txt"), "utf8"),
      "written\n",
      "the missing file read as empty, so Gemini could create it",
    );
    assert.deepEqual(
      asked.map((e) => e.type === "approval-requested" && e.path),
      ["out.txt"],
      "only the write asked: the denied command never reached a person",
    );
    assert.ok(events.some((e) => e.type === "file-change" && e.path === "out.txt" && e.change === "created"));
    assert.equal(readFileSync(join(folder, "notes.txt"), "utf8"), "hello\n", "the denied command did not run");
  });
});
