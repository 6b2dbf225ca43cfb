// An outside agent's shapes as a thread keeps them: its select options (the model, the effort),
// an update of a tool call never announced read as the announcement, and a tool's raw input as
// the record a `tool-call` event holds. Pure conversions, shared by the recorder and the session.

import type * as acp from "@agentclientprotocol/sdk";
import type { AgentOption } from "#protocol";

/** An agent's select options (its model, its effort) as a thread records them; the rest it leaves out. */
export function selectOptions(options: readonly acp.SessionConfigOption[] | null | undefined): AgentOption[] {
  const out: AgentOption[] = [];
  for (const o of options ?? []) {
    if (o.type !== "select") continue;
    const values = o.options.flatMap((v) => ("options" in v ? v.options : [v]));
    out.push({
      id: o.id.slice(0, 200),
      name: o.name.slice(0, 200),
      ...(o.category ? { category: String(o.category).slice(0, 80) } : {}),
      value: o.currentValue.slice(0, 200),
      values: values.slice(0, 200).map((v) => ({
        id: v.value.slice(0, 200),
        name: v.name.slice(0, 200),
        ...(v.description ? { description: v.description.slice(0, 500) } : {}),
      })),
    });
  }
  return out.slice(0, 40);
}

/** An update of a call never announced, as the announcement it stands for. */
export function asCall(update: acp.ToolCallUpdate): acp.ToolCall {
  return {
    toolCallId: update.toolCallId,
    title: update.title ?? "tool call",
    ...(update.name ? { name: update.name } : {}),
    ...(update.kind ? { kind: update.kind } : {}),
    ...(update.status ? { status: update.status } : {}),
    ...(update.content ? { content: update.content } : {}),
    ...(update.locations ? { locations: update.locations } : {}),
    rawInput: update.rawInput,
    rawOutput: update.rawOutput,
  };
}

export function record(value: unknown): Record<string, unknown> {
  if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  return value === undefined || value === null ? {} : { input: value };
}
