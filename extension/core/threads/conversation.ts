// The model's view of a thread, derived from its durable events, so a thread continued after a
// restart gives the model exactly what it saw before. Providers want every tool call answered
// before the next user turn: steering messages that arrived while tools ran are placed after
// the results, and a call left without a result (a stopped run) gets one saying so.

import type { ThreadEvent } from "#protocol";
import type { ModelMessage, ToolCall } from "../agent/model/port";

export const UNFINISHED_CALL = "This tool call did not complete: the run was stopped before it finished.";

export function conversationOf(events: readonly ThreadEvent[]): ModelMessage[] {
  const messages: ModelMessage[] = [];
  let assistant: Extract<ModelMessage, { role: "assistant" }> | undefined;
  const open = new Map<string, ToolCall>();
  let deferred: string[] = [];

  const closeTurn = (): void => {
    if (!assistant) return;
    // Calls the run never answered get an answer, so the conversation stays well-formed.
    for (const call of open.values()) {
      messages.push({ role: "tool", callId: call.id, name: call.name, content: UNFINISHED_CALL, isError: true });
    }
    open.clear();
    assistant = undefined;
  };
  const flushDeferred = (): void => {
    for (const text of deferred) messages.push({ role: "user", content: text });
    deferred = [];
  };
  const user = (text: string): void => {
    if (open.size > 0) deferred.push(text);
    else {
      closeTurn();
      messages.push({ role: "user", content: text });
    }
  };

  for (const e of events) {
    switch (e.type) {
      case "task":
        user(e.text);
        break;
      case "user-message":
        user(e.text);
        break;
      case "reverted":
        if (e.files.length > 0) user(`(Note from Tether: ${e.by.name} reverted this thread's changes to ${e.files.join(", ")}.)`);
        break;
      case "assistant-text":
        if (!assistant || open.size > 0 || assistant.toolCalls.length > 0) {
          closeTurn();
          flushDeferred();
          assistant = { role: "assistant", content: "", toolCalls: [] };
          messages.push(assistant);
        }
        assistant.content += e.text;
        break;
      case "tool-call": {
        if (!assistant || (assistant.toolCalls.length > 0 && open.size === 0)) {
          closeTurn();
          flushDeferred();
          assistant = { role: "assistant", content: "", toolCalls: [] };
          messages.push(assistant);
        }
        const call: ToolCall = { id: e.callId, name: e.tool, args: JSON.stringify(e.args) };
        assistant.toolCalls.push(call);
        open.set(call.id, call);
        break;
      }
      case "tool-result": {
        if (!open.has(e.callId)) break;
        open.delete(e.callId);
        const note = e.truncated ? `\n[${e.truncated}]` : "";
        messages.push({ role: "tool", callId: e.callId, name: e.tool, content: e.output + note, isError: !e.ok });
        if (open.size === 0) flushDeferred();
        break;
      }
      default:
        break;
    }
  }
  closeTurn();
  flushDeferred();
  return messages;
}
