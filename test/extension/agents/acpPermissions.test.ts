import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ToolCallUpdate } from "@agentclientprotocol/sdk";
import type { ThreadEvent } from "#protocol";
import { readRecords } from "../../support/acpAgent/launch";
import { permissionOptions, step, type AgentRecord, type Step } from "../../support/acpAgent/script";
import {
  ended,
  eventsOf,
  pendingApproval,
  phone,
  scriptedDefinition,
  startAcpHost,
  threadId,
  type AcpHost,
} from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";

const command = (id: string, line: string): ToolCallUpdate => ({
  toolCallId: id,
  title: `Run ${line}`,
  kind: "execute",
  rawInput: { command: line },
});

/** Asks about `call` with `options`, then says whether it was allowed. */
const asking = (call: ToolCallUpdate, options = permissionOptions): Step[] => [
  step.permission(call, options),
  step.ifAllowed([step.say("ran")], [step.say("refused")]),
];

type Permission = Extract<AgentRecord, { kind: "permission" }>;

describe("an outside agent's permission requests, through Tether's gate", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  // One agent process plays every turn below, one turn per message of the same thread.
  const turns: Step[][] = [
    asking(command("p1", "touch one.txt")), // approve
    asking(command("p2", "touch two.txt")), // approve-always
    asking(command("p3", "touch two.txt")), // the same command again: no one is asked
    asking(command("p4", "touch four.txt")), // deny
    asking(command("p5", "touch five.txt")), // deny, reject_always chosen
    asking(command("p6", "rm -rf build")), // the host's deny rule
    asking(command("p7", "ls -la")), // the host's allow rule
    asking(command("p8", "touch eight.txt"), [permissionOptions[1]!, permissionOptions[0]!, permissionOptions[2]!]),
    asking(command("p9", "touch nine.txt")), // an option of the wrong kind first
    asking({ toolCallId: "p10", title: "Open a web page", kind: "fetch", rawInput: { url: "https://example.com" } }),
    asking({ toolCallId: "p11", title: "Do a thing", rawInput: { what: "thing" } }),
    // The host's allow rule, but the agent offers no "allow once": Tether's allow would become "always".
    asking(command("p12", "ls -la"), [permissionOptions[1]!, permissionOptions[2]!]),
  ];
  let host: AcpHost;
  let recordPath: string;
  const id = threadId();
  let sent = 0;

  before(async () => {
    const scripted = scriptedDefinition({ turns }, cleanup);
    recordPath = scripted.agent.recordPath;
    host = await startAcpHost({ cleanup, definitions: [scripted.definition], deny: ["rm"], allow: ["ls"] });
  });

  /** Sends the next turn's message (the task, the first time). */
  function next(): void {
    if (sent++ === 0) host.manager.newTask({ threadId: id, text: "go", agent: "scripted" }, phone);
    else host.manager.message(id, `turn ${sent}`, phone);
  }

  const asks = (): Extract<ThreadEvent, { type: "approval-requested" }>[] =>
    eventsOf(host, id).filter((e): e is Extract<ThreadEvent, { type: "approval-requested" }> => e.type === "approval-requested");
  const permissions = (): Permission[] => readRecords(recordPath).filter((r): r is Permission => r.kind === "permission");
  const lastSaid = (): string => {
    const said = eventsOf(host, id).filter((e) => e.type === "assistant-text");
    return said.at(-1)?.type === "assistant-text" ? (said.at(-1) as { text: string }).text : "";
  };

  async function decide(decision: "approve" | "approve-always" | "deny", optionId?: string): Promise<void> {
    const asked = asks().length;
    const pending = await pendingApproval(host, id, asked - 1);
    await host.manager.handle(
      { type: "decide", threadId: id, approvalId: pending.approvalId, decision, ...(optionId ? { optionId } : {}) },
      phone,
    );
  }

  async function turn(expect: string): Promise<Permission["outcome"]> {
    assert.equal(await ended(host, id), "done");
    assert.equal(lastSaid(), expect);
    return permissions().at(-1)!.outcome;
  }

  it("approve answers the agent's allow_once option, and the phone was shown its options", async () => {
    next();
    const ask = await pendingApproval(host, id);
    assert.equal(ask.command, "touch one.txt");
    assert.deepEqual(
      ask.options?.map((o) => o.kind),
      ["allow_once", "allow_always", "reject_once", "reject_always"],
    );
    await decide("approve");
    assert.deepEqual(await turn("ran"), { outcome: "selected", optionId: "allow-once", kind: "allow_once" });
  });

  it("approve-always: the agent is told allow_once, and Tether itself allows the same command next time", async () => {
    next();
    await pendingApproval(host, id, 1);
    await decide("approve-always");
    assert.deepEqual(await turn("ran"), { outcome: "selected", optionId: "allow-once", kind: "allow_once" });
    const before = asks().length;
    next();
    assert.deepEqual(await turn("ran"), { outcome: "selected", optionId: "allow-once", kind: "allow_once" });
    assert.equal(asks().length, before, "the same command was asked about again");
  });

  it("deny answers reject_once; deny with the reject_always option passes it on", async () => {
    next();
    await decide("deny");
    assert.deepEqual(await turn("refused"), { outcome: "selected", optionId: "reject-once", kind: "reject_once" });
    next();
    await decide("deny", "reject-always");
    assert.deepEqual(await turn("refused"), { outcome: "selected", optionId: "reject-always", kind: "reject_always" });
    const resolved = eventsOf(host, id).filter((e) => e.type === "approval-resolved");
    assert.equal((resolved.at(-1) as { optionId?: string }).optionId, "reject-always");
  });

  it("the host's deny rule refuses without asking, its allow rule allows without asking", async () => {
    const before = asks().length;
    next();
    assert.deepEqual(await turn("refused"), { outcome: "selected", optionId: "reject-once", kind: "reject_once" });
    next();
    assert.deepEqual(await turn("ran"), { outcome: "selected", optionId: "allow-once", kind: "allow_once" });
    assert.equal(asks().length, before);
  });

  it("matches options by kind, not position, when 'allow always' is listed first", async () => {
    next();
    await decide("approve");
    assert.deepEqual(await turn("ran"), { outcome: "selected", optionId: "allow-once", kind: "allow_once" });
  });

  it("refuses an option of another kind than the decision, with a clear error, and still waits", async () => {
    next();
    const pending = await pendingApproval(host, id, asks().length - 1);
    await assert.rejects(
      host.manager.handle(
        { type: "decide", threadId: id, approvalId: pending.approvalId, decision: "approve", optionId: "reject-once" },
        phone,
      ),
      /does not go with the decision "approve"/,
    );
    await assert.rejects(
      host.manager.handle(
        { type: "decide", threadId: id, approvalId: pending.approvalId, decision: "deny", optionId: "no-such" },
        phone,
      ),
      /offered no such choice/,
    );
    assert.equal(host.manager.get(id)?.status, "awaiting-approval");
    await decide("approve");
    assert.deepEqual(await turn("ran"), { outcome: "selected", optionId: "allow-once", kind: "allow_once" });
  });

  it("asks about a tool whose kind Tether cannot judge (a fetch, no kind at all)", async () => {
    next();
    const fetch = await pendingApproval(host, id, asks().length - 1);
    assert.match(fetch.command ?? "", /Open a web page/);
    await decide("approve");
    await turn("ran");
    next();
    const other = await pendingApproval(host, id, asks().length - 1);
    assert.match(other.command ?? "", /Do a thing/);
    await decide("deny");
    assert.equal((await turn("refused")).outcome, "selected");
  });

  it("asks a person when the agent offers only 'allow always', even for what an allow rule lets through", async () => {
    next();
    const ask = await pendingApproval(host, id, asks().length - 1);
    assert.equal(ask.command, "ls -la");
    assert.match(ask.why ?? "", /only to allow this from now on/);
    await decide("approve-always", "allow-always");
    assert.deepEqual(await turn("ran"), { outcome: "selected", optionId: "allow-always", kind: "allow_always" });
  });

  it("read-only refuses commands, edits, deletes and tools it cannot judge without asking; reads go on", async () => {
    const scripted = scriptedDefinition(
      {
        turns: [
          [
            ...asking(command("r1", "touch x.txt")),
            step.permission({
              toolCallId: "r2",
              title: "Edit a.txt",
              kind: "edit",
              content: [{ type: "diff", path: `${host.folder}/a.txt`, oldText: null, newText: "x\n" }],
            }),
            step.ifAllowed([step.say("edited")], [step.say("not edited")]),
            ...asking({
              toolCallId: "r3",
              title: "Delete a.txt",
              kind: "delete",
              locations: [{ path: `${host.folder}/a.txt` }],
            }),
            ...asking({ toolCallId: "r4", title: "Run the tests", kind: "execute", rawInput: { suite: "all" } }),
            ...asking({
              toolCallId: "r5",
              title: "Read a.txt",
              kind: "read",
              locations: [{ path: `${host.folder}/a.txt` }],
            }),
          ],
        ],
      },
      cleanup,
    );
    writeFileSync(join(host.folder, "a.txt"), "a\n");
    const readOnly = await startAcpHost({ cleanup, definitions: [scripted.definition], folder: host.folder });
    const rid = threadId();
    readOnly.manager.newTask({ threadId: rid, text: "go", agent: "scripted", mode: "read-only" }, phone);
    assert.equal(await ended(readOnly, rid), "done");
    const events = eventsOf(readOnly, rid);
    assert.equal(events.filter((e) => e.type === "approval-requested").length, 0);
    assert.deepEqual(
      events.flatMap((e) => (e.type === "assistant-text" ? [e.text] : [])),
      ["refused", "not edited", "refused", "refused", "ran"],
    );
    const outcomes = readRecords(scripted.agent.recordPath).filter((r): r is Permission => r.kind === "permission");
    assert.deepEqual(
      outcomes.map((p) => (p.outcome.outcome === "selected" ? p.outcome.kind : "cancelled")),
      ["reject_once", "reject_once", "reject_once", "reject_once", "allow_once"],
    );
  });

  it("lets a read of workspace files go on unasked, but asks about secrets, .git and reads that name no file", async () => {
    writeFileSync(join(host.folder, "readme.md"), "hi\n");
    writeFileSync(join(host.folder, ".env"), "TOKEN=x\n");
    const read = (id: string, path?: string): Step[] =>
      asking({
        toolCallId: id,
        title: `Read ${path ?? "something"}`,
        kind: "read",
        ...(path ? { locations: [{ path: join(host.folder, path) }] } : {}),
        rawInput: { file_path: "/home/someone/.ssh/id_rsa" },
      });
    const scripted = scriptedDefinition(
      { turns: [[...read("k1", "readme.md"), ...read("k2", ".env"), ...read("k3", ".git/config"), ...read("k4")]] },
      cleanup,
    );
    const other = await startAcpHost({ cleanup, definitions: [scripted.definition], folder: host.folder });
    const rid = threadId();
    other.manager.newTask({ threadId: rid, text: "read", agent: "scripted" }, phone);
    const asked: string[] = [];
    for (let n = 0; n < 3; n++) {
      const ask = await pendingApproval(other, rid, n);
      asked.push(ask.command ?? "");
      await other.manager.handle({ type: "decide", threadId: rid, approvalId: ask.approvalId, decision: "deny" }, phone);
    }
    assert.equal(await ended(other, rid), "done");
    assert.deepEqual(asked, ["Read .env", "Read .git/config", "Read something"]);
    assert.deepEqual(
      eventsOf(other, rid).flatMap((e) => (e.type === "assistant-text" ? [e.text] : [])),
      ["ran", "refused", "refused", "refused"],
    );
  });
});
