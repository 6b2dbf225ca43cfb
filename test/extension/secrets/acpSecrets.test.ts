// Secret scanning on an outside agent (the scripted ACP agent in a real process, the real
// policy): a write through fs/write_text_file and a command through terminal/create that carry
// a planted secret ask, in full-auto; a file read through fs/read_text_file reaches the agent
// (and so its model) redacted, and the thread says so.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
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
import { GITHUB_TOKEN, PLANTED } from "../../support/plantedSecrets";

type Answer = Extract<AgentRecord, { kind: "answer" }>;

describe("secret scanning: an outside agent (ACP)", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it("asks before each planted secret is written, in full-auto, and writes none of them when denied", async () => {
    const folder = tempFolder(cleanup);
    const { definition, agent } = scriptedDefinition(
      { turns: [PLANTED.map((p) => step.write(join(folder, p.path), p.text))] },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], folder, mode: "full-auto" });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "write", agent: "scripted" }, phone);
    for (const [i, planted] of PLANTED.entries()) {
      const ask = await pendingApproval(host, id, i);
      assert.equal(ask.rule, "secret scan");
      assert.equal(ask.path, planted.path);
      assert.match(ask.why ?? "", new RegExp(`line ${planted.line}`));
      assert.ok(!(ask.why ?? "").includes(planted.hidden));
      assert.equal(existsSync(join(folder, planted.path)), false, "written before anyone decided");
      await host.manager.handle({ type: "decide", threadId: id, approvalId: ask.approvalId, decision: "deny" }, phone);
    }
    assert.equal(await ended(host, id), "done");
    const writes = readRecords(agent.recordPath).filter(
      (r): r is Answer => r.kind === "answer" && r.method === "fs/write_text_file",
    );
    assert.equal(writes.length, 3);
    for (const w of writes) assert.ok(w.error, "a denied write fails for the agent");
    for (const p of PLANTED) assert.equal(existsSync(join(folder, p.path)), false);
  });

  it("asks before a terminal whose command carries a token", async () => {
    const folder = tempFolder(cleanup);
    const { definition } = scriptedDefinition(
      { turns: [[step.terminal("sh", ["-c", `echo ${GITHUB_TOKEN} > token.txt`])]] },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], folder, mode: "full-auto" });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "save", agent: "scripted" }, phone);
    const ask = await pendingApproval(host, id);
    assert.equal(ask.rule, "secret scan");
    assert.match(ask.why ?? "", /this command contains a GitHub token/);
    assert.equal(existsSync(join(folder, "token.txt")), false);
    await host.manager.handle({ type: "decide", threadId: id, approvalId: ask.approvalId, decision: "approve" }, phone);
    assert.equal(await ended(host, id), "done");
    assert.match(readFileSync(join(folder, "token.txt"), "utf8"), /^ghp_/);
  });

  it("asks before a command shown only by its title (as Gemini CLI sends one) that carries a token", async () => {
    const folder = tempFolder(cleanup);
    const { definition } = scriptedDefinition(
      {
        turns: [
          [
            step.permission({ toolCallId: "g1", title: `curl -H "Authorization: token ${GITHUB_TOKEN}" api`, kind: "execute" }),
            step.ifAllowed([step.say("ran")], [step.say("refused")]),
            step.permission({ toolCallId: "g2", title: "npm test", kind: "execute" }),
            step.ifAllowed([step.say("ran")], [step.say("refused")]),
          ],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], folder, mode: "full-auto" });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "call the api", agent: "scripted" }, phone);
    const ask = await pendingApproval(host, id);
    assert.equal(ask.rule, "secret scan");
    assert.match(ask.why ?? "", /^Secret scan: this command contains a GitHub token on line 1 \(ghp_…, 40 characters\)\.$/);
    await host.manager.handle({ type: "decide", threadId: id, approvalId: ask.approvalId, decision: "deny" }, phone);
    assert.equal(await ended(host, id), "done");
    const events = eventsOf(host, id);
    assert.equal(events.filter((e) => e.type === "approval-requested").length, 1, "the clean command ran unasked");
    assert.deepEqual(
      events.flatMap((e) => (e.type === "assistant-text" ? [e.text] : [])),
      ["refused", "ran"],
    );
  });

  it("gives the agent each planted secret redacted when it reads the file, and says so on the thread", async () => {
    const folder = tempFolder(cleanup);
    for (const p of PLANTED) {
      mkdirSync(dirname(join(folder, p.path)), { recursive: true });
      writeFileSync(join(folder, p.path), p.text);
    }
    writeFileSync(join(folder, "clean.txt"), "nothing to see\n");
    const { definition, agent } = scriptedDefinition(
      {
        turns: [
          [
            ...PLANTED.map((p) => step.read(join(folder, p.path))),
            step.read(join(folder, PLANTED[0].path), { line: 2, limit: 5 }),
            step.read(join(folder, "clean.txt")),
          ],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], folder, mode: "full-auto" });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "read", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "done");
    const reads = readRecords(agent.recordPath)
      .filter((r): r is Answer => r.kind === "answer" && r.method === "fs/read_text_file")
      .map((r) => (r.result as { content: string }).content);
    assert.equal(reads.length, 5);
    for (const [i, p] of PLANTED.entries()) {
      assert.ok(!reads[i]!.includes(p.hidden), `${p.name} reached the agent`);
      assert.match(reads[i]!, /\[secret redacted: [^\]]+\]/);
    }
    assert.equal(reads[4], "nothing to see\n", "a clean file is given as it is");
    const notes = eventsOf(host, id).flatMap((e) =>
      e.type === "status" && e.detail?.startsWith("secret scan") ? [e.detail] : [],
    );
    assert.equal(notes.length, 4, notes.join("\n"));
    for (const [i, p] of PLANTED.entries()) {
      assert.match(notes[i]!, new RegExp(`in ${p.path} line ${p.line}.*redacted before it was sent to the model$`));
    }
    // A part of the file read from line 2 names the file's own line numbers.
    assert.match(notes[3]!, /AWS secret access key in config\/aws\.ini line 3/);
  });
});
