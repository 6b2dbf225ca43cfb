// Builds a tool from its zod schema, so the JSON Schema the model is shown and the parser
// its arguments go through can never disagree.

import { z } from "zod";
import type { Tool } from "./tool";

/** The arguments' JSON Schema as providers take it: an object schema without a `$schema` key. */
export function parametersOf(schema: z.ZodType): Record<string, unknown> {
  // `input`: optional fields are left out of `required`, which is what the model may send.
  const { $schema: _, ...parameters } = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  return parameters;
}

export interface ToolDefinition<A> extends Omit<Tool<A>, "spec"> {
  name: string;
  description: string;
}

export function defineTool<A>({ name, description, ...tool }: ToolDefinition<A>): Tool<A> {
  return { spec: { name, description, parameters: parametersOf(tool.args) }, ...tool };
}

/** One line of at most `max` characters, for titles. */
export function oneLine(text: string, max = 80): string {
  const line = text.trim().split("\n")[0] ?? "";
  const more = line.length > max || text.trim().includes("\n");
  return more ? `${line.slice(0, max - 1)}…` : line;
}
