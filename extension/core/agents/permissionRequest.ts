// How Tether reads an outside agent's permission request and answers it: the options it knows
// (by kind, never by position), the option that carries the gate's verdict, the agent's reason,
// the edit a request shows, and where a command would run. Pure, so the choices are easy to see.

import { isAbsolute, relative, resolve, sep } from "node:path";
import type * as acp from "@agentclientprotocol/sdk";
import type { AgentPermissionOption } from "#protocol";
import type { Gated } from "../threads/approvalGate";

/** The options whose kind Tether knows, the rest left out: a decision is matched by kind, never by position. */
export function knownOptions(options: readonly acp.PermissionOption[]): AgentPermissionOption[] {
  const kinds = new Set(["allow_once", "allow_always", "reject_once", "reject_always"]);
  return options
    .filter((o) => kinds.has(o.kind))
    .slice(0, 8)
    .map((o) => ({ optionId: o.optionId.slice(0, 200), name: o.name.slice(0, 200), kind: o.kind }));
}

/**
 * The agent's option for the gate's verdict. An allow is always answered "once": Tether keeps
 * "always" itself, so every later call still reaches its gate. A person's own reject option is
 * passed on as chosen (a reject that lasts is only stricter).
 */
export function chooseOption(options: readonly AgentPermissionOption[], gated: Gated): acp.RequestPermissionOutcome {
  const byKind = (...kinds: AgentPermissionOption["kind"][]): AgentPermissionOption | undefined =>
    kinds.map((k) => options.find((o) => o.kind === k)).find((o) => o !== undefined);
  let chosen: AgentPermissionOption | undefined;
  if (gated.go) chosen = byKind("allow_once") ?? byKind("allow_always");
  else {
    const picked = options.find((o) => o.optionId === gated.optionId && o.kind.startsWith("reject"));
    chosen = picked ?? byKind("reject_once", "reject_always");
  }
  return chosen ? { outcome: "selected", optionId: chosen.optionId } : { outcome: "cancelled" };
}

/** Why the agent wants the call, in its words: the call's text content, or its input's `description`. */
export function reasonOf(call: acp.ToolCallUpdate): string {
  const said = (call.content ?? []).flatMap((c) => (c.type === "content" && c.content.type === "text" ? [c.content.text] : []));
  if (said.length > 0) return said.join("\n").slice(0, 1000);
  const input = call.rawInput && typeof call.rawInput === "object" ? (call.rawInput as Record<string, unknown>) : {};
  return typeof input.description === "string" ? input.description.slice(0, 1000) : "";
}

export const isEditKind = (kind: string | null | undefined): boolean => kind === "edit" || kind === "delete" || kind === "move";

/** An edit a permission request shows: its diff content, inside the workspace. */
export function editOf(
  call: acp.ToolCallUpdate,
  root: string,
): { path: string; before: string | null; after: string } | undefined {
  if (call.kind && !isEditKind(call.kind)) return undefined;
  const diff = call.content?.find((c) => c.type === "diff");
  if (!diff || diff.type !== "diff") return undefined;
  const rel = relative(root, isAbsolute(diff.path) ? diff.path : resolve(root, diff.path));
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return { path: rel.split(sep).join("/"), before: diff.oldText ?? null, after: diff.newText };
}

/** Where a command runs: the tool input's `cwd`/`workdir`, inside the workspace, or the workspace itself. */
export function toolCwd(input: unknown, root: string): { rel: string; abs: string } | undefined {
  const fields = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
  const given = [fields.cwd, fields.workdir, fields.dir_path, fields.directory].find((v) => typeof v === "string" && v);
  const abs = typeof given === "string" ? (isAbsolute(given) ? given : resolve(root, given)) : root;
  const rel = relative(root, abs);
  if (rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return { rel: rel.split(sep).join("/") || ".", abs };
}

/** How many times each key was granted and not yet used. */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Uses one grant of `key`; false when there is none. */
  take(key: string): boolean {
    const n = this.counts.get(key) ?? 0;
    if (n === 0) return false;
    if (n === 1) this.counts.delete(key);
    else this.counts.set(key, n - 1);
    return true;
  }
}
