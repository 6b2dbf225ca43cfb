import assert from "node:assert/strict";
import type { LiveEvent, ThreadEvent } from "#protocol";
import { step } from "../../support/acpAgent/script";
import { readRecords } from "../../support/acpAgent/launch";
import { ended, eventsOf, phone, scriptedDefinition, startAcpHost, tempFolder, threadId } from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";

describe("an outside agent's session updates, as a thread records them", function () {
  this.timeout(30_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it("records every kind of update a phone shows, once each, in the order they came", async () => {
    const folder = tempFolder(cleanup);
    const { definition, agent } = scriptedDefinition(
      {
        modes: {
          currentModeId: "yolo",
          availableModes: [
            { id: "default", name: "Ask first" },
            { id: "yolo", name: "Run everything" },
          ],
        },
        configOptions: [
          {
            type: "select",
            id: "model",
            name: "Model",
            category: "model",
            currentValue: "small",
            options: [
              { value: "small", name: "Small" },
              { value: "large", name: "Large" },
            ],
          },
        ],
        turns: [
          [
            step.think("Let me "),
            step.think("look."),
            step.say("I will "),
            step.say("read it."),
            step.toolCall({
              toolCallId: "c1",
              title: "Read notes.txt",
              kind: "read",
              status: "pending",
              locations: [{ path: `${folder}/notes.txt`, line: 3 }],
              rawInput: { path: "notes.txt" },
            }),
            step.toolUpdate({ toolCallId: "c1", title: "Read notes.txt (lines 1-9)", status: "in_progress" }),
            step.toolUpdate({
              toolCallId: "c1",
              status: "completed",
              content: [{ type: "content", content: { type: "text", text: "hello" } }],
            }),
            step.toolCall({
              toolCallId: "c2",
              title: "Edit a.txt",
              kind: "edit",
              status: "in_progress",
              locations: [{ path: "/elsewhere/b.txt" }],
            }),
            step.toolUpdate({
              toolCallId: "c2",
              status: "completed",
              content: [{ type: "diff", path: `${folder}/a.txt`, oldText: "one\n", newText: "two\n" }],
            }),
            step.update({
              sessionUpdate: "plan",
              entries: [{ content: "Read", status: "completed", priority: "high" }],
            }),
            step.update({
              sessionUpdate: "plan",
              entries: [{ content: "Read", status: "completed", priority: "high" }],
            }),
            step.update({
              sessionUpdate: "plan",
              entries: [
                { content: "Read", status: "completed", priority: "high" },
                { content: "Write", status: "in_progress", priority: "medium" },
              ],
            }),
            step.update({
              sessionUpdate: "available_commands_update",
              availableCommands: [{ name: "review", description: "Review the diff", input: { hint: "what to review" } }],
            }),
            step.update({ sessionUpdate: "current_mode_update", currentModeId: "default" }),
            step.update({ sessionUpdate: "usage_update", used: 1200, size: 200000, cost: { amount: 0.02, currency: "USD" } }),
            step.update({ sessionUpdate: "usage_update", used: 1500, size: 200000, cost: { amount: 0.03, currency: "USD" } }),
            step.say("Done."),
          ],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], folder });
    const live: LiveEvent[] = [];
    host.manager.on("live", (_id, event) => live.push(event));
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "look at the notes", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "done");
    const events = eventsOf(host, id).filter((e) => !["status"].includes(e.type));
    const shown = events.map(summary);
    assert.deepEqual(shown, [
      "task",
      "agent-state mode=default modes=default options=model",
      "thought Let me look.",
      "assistant-text I will read it.",
      "tool-call c1 read notes.txt:3",
      "tool-update c1 title=Read notes.txt (lines 1-9)",
      "tool-result c1 ok hello",
      "tool-call c2 edit /elsewhere/b.txt",
      "tool-result c2 ok diffs=a.txt(+1-1)",
      "plan Read",
      "plan Read,Write",
      "agent-state commands=review",
      "agent-state mode=default",
      "assistant-text Done.",
      "usage 1500/200000 0.03USD",
    ]);
    // Live text streams each chunk as it comes, marked thought or not.
    const texts = live.filter((e): e is Extract<LiveEvent, { type: "text" }> => e.type === "text");
    assert.deepEqual(
      texts.map((t) => `${t.thought ? "~" : ""}${t.delta}`),
      ["~Let me ", "~look.", "I will ", "read it.", "Done."],
    );
    // The session started in the catalog's asking mode although the agent offered yolo first.
    const records = readRecords(agent.recordPath);
    const setMode = records.find((r) => r.kind === "request" && r.method === "session/set_mode");
    assert.deepEqual((setMode as { params: { modeId: string } }).params.modeId, "default");
    const prompts = records.filter((r) => r.kind === "request" && r.method === "session/prompt");
    assert.equal(prompts.length, 1);
  });
});

function summary(e: ThreadEvent): string {
  switch (e.type) {
    case "agent-state":
      return [
        "agent-state",
        ...(e.mode !== undefined ? [`mode=${e.mode}`] : []),
        ...(e.modes ? [`modes=${e.modes.map((m) => m.id).join(",")}`] : []),
        ...(e.options ? [`options=${e.options.map((o) => o.id).join(",")}`] : []),
        ...(e.commands ? [`commands=${e.commands.map((c) => c.name).join(",")}`] : []),
      ].join(" ");
    case "thought":
    case "assistant-text":
      return `${e.type} ${e.text}`;
    case "tool-call":
      return `tool-call ${e.callId} ${e.kind} ${(e.locations ?? []).map((l) => `${l.path}${l.line !== undefined ? `:${l.line}` : ""}`).join(",")}`;
    case "tool-update":
      return `tool-update ${e.callId}${e.title ? ` title=${e.title}` : ""}`;
    case "tool-result":
      return `tool-result ${e.callId} ${e.ok ? "ok" : "failed"} ${
        e.diffs ? `diffs=${e.diffs.map((d) => `${d.path}(+${d.added}-${d.removed})`).join(",")}` : e.output
      }`;
    case "plan":
      return `plan ${e.entries.map((p) => p.content).join(",")}`;
    case "usage":
      return `usage ${e.used}/${e.size} ${e.cost ? `${e.cost.amount}${e.cost.currency}` : ""}`;
    default:
      return e.type;
  }
}
