import assert from "node:assert/strict";
import type { AgentCommand, ThreadEvent } from "#protocol";
import {
  agentSession,
  modelOption,
  planProgress,
  slashSuggestions,
  usageWords,
} from "../../../mobile-web/src/threads/agentSession";
import { optionButtons } from "../../../mobile-web/src/threads/approvalOptions";
import { locationWords, workspacePath } from "../../../mobile-web/src/threads/locations";
import type { NumberedEvent } from "../../../mobile-web/src/threads/timelineItems";

type NewEvent = ThreadEvent extends infer E ? (E extends ThreadEvent ? Omit<E, "at"> : never) : never;
const thread = (...events: NewEvent[]): NumberedEvent[] =>
  events.map((event, i) => ({ seq: i + 1, event: { ...event, at: i } as ThreadEvent }));

const task: NewEvent = {
  type: "task",
  text: "t",
  title: "t",
  workspace: "w",
  mode: "ask",
  model: "",
  by: { id: "p", name: "Pixel" },
  agent: { id: "codex", name: "Codex" },
  agentMode: "default",
};
const models = {
  id: "model",
  name: "Model",
  category: "model",
  value: "gpt-5",
  values: [
    { id: "gpt-5", name: "GPT-5" },
    { id: "o3", name: "o3" },
  ],
};

describe("an outside agent's session from its thread's events", () => {
  it("folds agent-state changes, keeping what a later one leaves out", () => {
    const session = agentSession(
      thread(
        task,
        {
          type: "agent-state",
          modes: [
            { id: "default", name: "Default" },
            { id: "plan", name: "Plan" },
          ],
          options: [models],
        },
        { type: "agent-state", commands: [{ name: "review", description: "Review the diff" }] },
        { type: "agent-state", mode: "plan" },
      ),
    );
    assert.deepEqual(session.agent, { id: "codex", name: "Codex" });
    assert.equal(session.mode, "plan");
    assert.deepEqual(
      session.modes.map((m) => m.id),
      ["default", "plan"],
    );
    assert.equal(modelOption(session)?.value, "gpt-5");
    assert.deepEqual(
      session.commands.map((c) => c.name),
      ["review"],
    );
  });

  it("takes the newest plan whole and says how far it is", () => {
    const session = agentSession(
      thread(
        task,
        { type: "plan", entries: [{ content: "Read", status: "in_progress" }] },
        {
          type: "plan",
          entries: [
            { content: "Read", status: "completed" },
            { content: "Write", status: "in_progress" },
            { content: "Test", status: "pending" },
          ],
        },
      ),
    );
    assert.equal(session.plan?.length, 3);
    const progress = planProgress(session.plan!);
    assert.equal(progress.done, 1);
    assert.equal(progress.total, 3);
    assert.equal(progress.current?.content, "Write");
  });

  it("says usage compactly, with the cost when given", () => {
    assert.equal(usageWords({ used: 41_200, size: 200_000, cost: { amount: 0.1234, currency: "USD" } }), "41k/200k · $0.12");
    assert.equal(usageWords({ used: 950, size: 1_000_000 }), "950/1M");
    assert.equal(usageWords({ used: 1500, size: 0 }), "1.5k");
    const session = agentSession(thread(task, { type: "usage", used: 5, size: 10 }, { type: "usage", used: 7, size: 10 }));
    assert.deepEqual(session.usage, { used: 7, size: 10 });
  });

  it("is empty for a thread of Tether's own agent", () => {
    const session = agentSession(thread({ ...task, agent: undefined, agentMode: undefined } as NewEvent));
    assert.equal(session.agent, undefined);
    assert.equal(session.mode, undefined);
  });
});

describe("slash command suggestions", () => {
  const commands: AgentCommand[] = [
    { name: "review", description: "Review the diff" },
    { name: "/reset", description: "Start over" },
    { name: "init", description: "Write AGENTS.md" },
  ];
  it("offers the commands that start with what follows the slash", () => {
    assert.deepEqual(
      slashSuggestions("/", commands).map((c) => c.name),
      ["review", "/reset", "init"],
    );
    assert.deepEqual(
      slashSuggestions("/re", commands).map((c) => c.name),
      ["review", "/reset"],
    );
    assert.deepEqual(
      slashSuggestions("/RES", commands).map((c) => c.name),
      ["/reset"],
    );
  });
  it("offers nothing once a command is typed out or the text is not a command", () => {
    assert.deepEqual(slashSuggestions("/review ", commands), []);
    assert.deepEqual(slashSuggestions("/review", commands), []);
    assert.deepEqual(slashSuggestions("fix /re", commands), []);
    assert.deepEqual(slashSuggestions("", commands), []);
  });
});

describe("an agent's permission options as approval buttons", () => {
  const options = [
    { optionId: "rej-all", name: "No, never", kind: "reject_always" },
    { optionId: "yes", name: "Yes", kind: "allow_once" },
    { optionId: "no", name: "No", kind: "reject_once" },
    { optionId: "yes-all", name: "Yes, always", kind: "allow_always" },
  ] as const;
  it("maps each kind to Tether's decision, allows first, and keeps each option's id", () => {
    assert.deepEqual(
      optionButtons(options).map((b) => [b.name, b.decision, b.optionId]),
      [
        ["Yes", "approve", "yes"],
        ["Yes, always", "approve-always", "yes-all"],
        ["No", "deny", "no"],
        ["No, never", "deny", "rej-all"],
      ],
    );
  });
});

describe("a tool call's files as links", () => {
  it("links workspace paths and leaves the ones outside it as text", () => {
    assert.equal(workspacePath("src/date.ts"), "src/date.ts");
    assert.equal(workspacePath("./src/date.ts"), "src/date.ts");
    assert.equal(workspacePath("/etc/passwd"), undefined);
    assert.equal(workspacePath("../other/x.ts"), undefined);
    assert.equal(workspacePath("src/../../x.ts"), undefined);
    assert.equal(workspacePath("~/.ssh/id_rsa"), undefined);
    assert.equal(workspacePath("C:\\Users\\me\\x.ts"), undefined);
    assert.equal(locationWords({ path: "src/a.ts", line: 12 }), "src/a.ts:12");
    assert.equal(locationWords({ path: "src/a.ts" }), "src/a.ts");
  });
});
