// Shorthands for mocha tests that drive the scripted ACP agent with the bare client: one child
// per describe, and the few calls and look-ups every such test makes.

import assert from "node:assert/strict";
import type { RequestError, SessionUpdate } from "@agentclientprotocol/sdk";
import { Cleanup } from "../cleanup";
import { startScriptedAgent, type ScriptedAgent } from "./launch";
import { connectClient, type ClientHandlers, type RecordingClient } from "./recordingClient";
import type { AgentRecord, AgentScript } from "./script";

export const CWD = "/work/project";

export interface LiveAgent {
  agent: ScriptedAgent;
  client: RecordingClient;
}

/**
 * Starts the agent on `script` in mocha's `before`, connects a client and initializes it (unless
 * `initialize` is false), and stops both in `after`. The fields are set once `before` has run.
 */
export function withAgent(script: AgentScript, handlers: ClientHandlers = {}, options: { initialize?: boolean } = {}): LiveAgent {
  const cleanup = new Cleanup();
  const live = {} as LiveAgent;
  before(async function () {
    live.agent = startScriptedAgent(script, cleanup);
    live.client = connectClient(live.agent.stream, handlers);
    cleanup.add(live.client.connection, (c) => c.close());
    if (options.initialize === false) return;
    await live.client.agent.request("initialize", {
      protocolVersion: 1,
      clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
    });
  });
  after(() => cleanup.run());
  return live;
}

export const newSession = (c: RecordingClient) => c.agent.request("session/new", { cwd: CWD, mcpServers: [] });

export const prompt = (c: RecordingClient, sessionId: string, text: string) =>
  c.agent.request("session/prompt", { sessionId, prompt: [{ type: "text", text }] });

/** The text of a text chunk, else undefined. */
export function textOf(u: SessionUpdate): string | undefined {
  const chunk =
    u.sessionUpdate === "user_message_chunk" ||
    u.sessionUpdate === "agent_message_chunk" ||
    u.sessionUpdate === "agent_thought_chunk";
  return chunk && u.content.type === "text" ? u.content.text : undefined;
}

/** The texts of the agent's message chunks. */
export const said = (updates: SessionUpdate[]): string[] =>
  updates.filter((u) => u.sessionUpdate === "agent_message_chunk").map((u) => textOf(u) ?? "");

/** The JSON-RPC error code `p` rejects with; fails if it resolves. */
export const codeOf = (p: Promise<unknown>): Promise<number> =>
  p.then(
    () => assert.fail("expected an error"),
    (err: unknown) => (err as RequestError).code,
  );

export const ofKind = <K extends AgentRecord["kind"]>(records: AgentRecord[], kind: K) =>
  records.filter((r): r is Extract<AgentRecord, { kind: K }> => r.kind === kind);
