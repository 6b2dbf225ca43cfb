import assert from "node:assert/strict";
import { ErrorCode, TetherError, type AgentSessionsResult, type ThreadEvent } from "#protocol";
import { askSessions, emptyWords, sessionName, sessionUsed, shortId } from "../../../mobile-web/src/threads/agentSessions";
import { taskCommands } from "../../../mobile-web/src/threads/taskCommands";
import { buildTimeline } from "../../../mobile-web/src/threads/timeline";
import type { NumberedEvent, TimelineItem } from "../../../mobile-web/src/threads/timelineItems";

const NOW = Date.UTC(2026, 11, 7, 4, 30, 0);
const MIN = 60_000;

const answer = (listed: boolean, sessions: AgentSessionsResult["sessions"] = []): AgentSessionsResult => ({
  type: "agent-sessions",
  agent: "claude",
  listed,
  sessions,
});
const words = (e: unknown): string => `said: ${(e as Error).message}`;

describe("an outside agent's sessions on the new-task form", () => {
  it("asks for the chosen agent's sessions and keeps them in the host's order", async () => {
    const asked: string[] = [];
    const sessions = [
      { sessionId: "s-new", title: "Fix the Monday bug", updatedAt: NOW - 5 * MIN },
      { sessionId: "s-old", updatedAt: NOW - 3 * 24 * 60 * MIN },
    ];
    const state = await askSessions(
      async (agent) => {
        asked.push(agent);
        return answer(true, sessions);
      },
      words,
      "claude",
    );
    assert.deepEqual(asked, ["claude"]);
    assert.deepEqual(state, { status: "listed", agent: "claude", sessions });
    assert.equal(emptyWords(state, "Claude Code"), null);
  });

  it("says when the agent cannot list its sessions, and when there are none", async () => {
    const unlisted = await askSessions(async () => answer(false), words, "claude");
    assert.equal(unlisted.status, "unlisted");
    assert.equal(emptyWords(unlisted, "Claude Code"), "Claude Code cannot list its sessions");
    const none = await askSessions(async () => answer(true, []), words, "claude");
    assert.equal(emptyWords(none, "Claude Code"), "No sessions in this workspace");
  });

  it("turns a failure into the host's words instead of throwing", async () => {
    const state = await askSessions(
      async () => {
        throw new TetherError(ErrorCode.Internal, "Claude Code could not list its sessions: spawn ENOENT");
      },
      words,
      "claude",
    );
    assert.deepEqual(state, {
      status: "error",
      agent: "claude",
      message: "said: Claude Code could not list its sessions: spawn ENOENT",
    });
    assert.equal(emptyWords(state, "Claude Code"), null);
  });

  it("names a session by its title on one line, or by the start of its id", () => {
    assert.equal(sessionName({ sessionId: "x", title: "  Fix the\n\nMonday   bug " }), "Fix the Monday bug");
    assert.equal(sessionName({ sessionId: "0b5c1e7a-4d2f-4c3b-9a61-2f0e8d7c6b5a" }), "Session 0b5c1e7a…");
    assert.equal(sessionName({ sessionId: "short-id", title: "   " }), "Session short-id");
    assert.equal(shortId("abcdefghij"), "abcdefghij");
    assert.equal(shortId("abcdefghijk"), "abcdefgh…");
  });

  it("says when a session was last used, and nothing when the agent did not say", () => {
    assert.equal(sessionUsed({ updatedAt: NOW - 5 * MIN }, NOW), "Used 5 min ago");
    assert.equal(sessionUsed({ updatedAt: NOW - 26 * 60 * MIN }, NOW), "Used yesterday");
    assert.equal(sessionUsed({}, NOW), "");
  });

  it("sends the chosen session with the new task, and nothing when none is chosen", () => {
    const form = { text: "Continue where it stopped", mode: "ask" as const, agent: "claude", attachments: [] };
    const [withSession] = taskCommands("t1", { ...form, agentSession: "s-new" });
    assert.equal(withSession?.type === "new-task" && withSession.agentSession, "s-new");
    const [without] = taskCommands("t2", form);
    assert.ok(without?.type === "new-task" && !("agentSession" in without));
  });
});

describe("timeline: a thread that continues a session from the computer", () => {
  const phone = { id: "p1", name: "Pixel 8" };
  const computer = { id: "agent-history", name: "on the computer" };
  const events: ThreadEvent[] = [
    {
      at: NOW,
      type: "task",
      text: "Now add a test for Sundays",
      title: "Now add a test for Sundays",
      workspace: "api",
      mode: "ask",
      model: "",
      by: phone,
      agent: { id: "claude", name: "Claude Code" },
    },
    { at: NOW + 1, type: "status", status: "running" },
    { at: NOW + 2, type: "user-message", text: "Fix the Monday bug", by: computer },
    { at: NOW + 3, type: "assistant-text", text: "Fixed: getUTCDay." },
    { at: NOW + 4, type: "user-message", text: "Thanks, that's all", by: computer },
  ];
  const numbered: NumberedEvent[] = events.map((event, i) => ({ seq: i + 1, event }));
  const items = buildTimeline(numbered);
  const messages = items.filter((i): i is Extract<TimelineItem, { kind: "message" }> => i.kind === "message");

  it("marks the computer's words as history, never as waiting for the agent's turn", () => {
    assert.deepEqual(
      messages.map((m) => [m.text, m.history ?? false, m.waitsForTurn ?? false]),
      [
        ["Fix the Monday bug", true, false],
        ["Thanks, that's all", true, false],
      ],
    );
  });

  it("marks the task as continuing the session whose history follows", () => {
    const task = items.find((i) => i.kind === "task");
    assert.equal(task?.kind === "task" && task.continues, true);
    const alone = buildTimeline(numbered.slice(0, 2)).find((i) => i.kind === "task");
    assert.equal(alone?.kind === "task" && alone.continues, undefined);
  });

  it("still holds a phone's message sent mid-step until the agent's turn", () => {
    const more = buildTimeline([
      ...numbered,
      { seq: 6, event: { at: NOW + 5, type: "user-message", text: "And Saturdays", by: phone } },
    ]);
    const last = more.at(-1);
    assert.equal(last?.kind === "message" && last.waitsForTurn, true);
    assert.equal(last?.kind === "message" && last.history, undefined);
  });
});
