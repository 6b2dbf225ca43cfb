// The client side of an ACP connection to a real agent, recording everything the agent sends
// the way a host would see it: session updates in order, permission requests, and every call
// the agent makes on the client (file reads and writes, terminals). File requests are served
// for real in the file system, so an agent that delegates them works; terminals are refused,
// and recorded, because none of the agents checked here asks for one.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  client,
  methods,
  ndJsonStream,
  RequestError,
  type ClientCapabilities,
  type ClientContext,
  type RequestPermissionOutcome,
  type RequestPermissionRequest,
  type SessionUpdate,
} from "@agentclientprotocol/sdk";
import { spawnAgent, type AgentLaunch } from "./acpAgentLaunch";
import { ACP_AGENT_PACKAGES, ensureAcpAgent, RegistryUnreachable, type AcpAgentName } from "./acpAgents";

/** What Tether's host offers: file reads and writes through the editor, and terminals. */
export const CLIENT_CAPABILITIES: ClientCapabilities = { fs: { readTextFile: true, writeTextFile: true }, terminal: true };

export interface AcpRecord {
  /** Every `session/update`, in the order it arrived. */
  updates: SessionUpdate[];
  permissions: RequestPermissionRequest[];
  /** Requests the agent made of the client other than permissions: `fs/*`, `terminal/*`, anything else. */
  clientCalls: { method: string; params: unknown }[];
  /** Notifications other than `session/update` (extensions such as `_auth/status_update`). */
  otherNotifications: { method: string; params: unknown }[];
  /** The agent's stderr so far. */
  stderr(): string;
}

/** The client's answer to a permission request: `{ outcome: "selected", optionId }` or `{ outcome: "cancelled" }`. */
export type Decide = (request: RequestPermissionRequest) => RequestPermissionOutcome;

/** Chooses the first option of `kind`: never pick by position, agents order them differently. */
export function choose(kind: "allow_once" | "allow_always" | "reject_once" | "reject_always"): Decide {
  return (request) => {
    const option = request.options.find((o) => o.kind === kind);
    if (!option) throw new Error(`no ${kind} option among ${JSON.stringify(request.options)}`);
    return { outcome: "selected", optionId: option.optionId };
  };
}

export interface ClientOptions {
  /**
   * How `fs/read_text_file` answers for a file that does not exist: ACP's "Resource not found"
   * error (the default), or empty content. Gemini CLI 0.61 reads a file before writing it and
   * cannot tell that error from any other (its ACP library rejects with the bare error object,
   * which its not-found check does not recognise), so with the error it fails to create a new
   * file; with empty content it creates it.
   */
  missingFile?: "not-found" | "empty";
}

/**
 * Starts the agent in `cwd`, connects as a client, runs `op`, and stops the agent. A failure of
 * `op` carries the agent's stderr, which is where the agents say why they gave up.
 */
export async function withAcpAgent<T>(
  launch: AgentLaunch,
  cwd: string,
  decide: Decide,
  op: (ctx: ClientContext, record: AcpRecord) => Promise<T>,
  options: ClientOptions = {},
): Promise<T> {
  const agent = spawnAgent(launch, cwd);
  const record: AcpRecord = { updates: [], permissions: [], clientCalls: [], otherNotifications: [], stderr: agent.stderr };
  const call = (method: string, params: unknown): void => void record.clientCalls.push({ method, params });
  try {
    return await client({ name: "tether-test-client" })
      .onRequest(methods.client.session.requestPermission, ({ params }) => {
        record.permissions.push(params);
        return { outcome: decide(params) };
      })
      .onNotification(methods.client.session.update, ({ params }) => void record.updates.push(params.update))
      .onRequest(methods.client.fs.readTextFile, ({ method, params }) => {
        call(method, params);
        if (!existsSync(params.path)) {
          if (options.missingFile === "empty") return { content: "" };
          throw RequestError.resourceNotFound(params.path);
        }
        return { content: readFileSync(params.path, "utf8") };
      })
      .onRequest(methods.client.fs.writeTextFile, ({ method, params }) => {
        call(method, params);
        writeFileSync(params.path, params.content);
        return {};
      })
      .onRequest("*", ({ method, params }) => {
        call(method, params);
        throw RequestError.methodNotFound(method);
      })
      .onNotification("*", ({ method, params }) => void record.otherNotifications.push({ method, params }))
      .connectWith(ndJsonStream(agent.output, agent.input), (ctx) => op(ctx, record));
  } catch (err) {
    if (err instanceof Error)
      err.message += `\n--- agent stderr (last lines)\n${agent.stderr().split("\n").slice(-30).join("\n")}`;
    throw err;
  } finally {
    await agent.stop();
  }
}

/** The kinds of updates, in order, leaving out bookkeeping (usage, commands, config) that comes at any time. */
export function updateKinds(record: AcpRecord): string[] {
  const bookkeeping = new Set([
    "usage_update",
    "available_commands_update",
    "config_option_update",
    "current_mode_update",
    "session_info_update",
  ]);
  return record.updates.map((u) => u.sessionUpdate).filter((kind) => !bookkeeping.has(kind));
}

/** Same kinds, runs of one kind collapsed: ["tool_call", "tool_call_update", "agent_message_chunk"]. */
export function updateShape(record: AcpRecord): string[] {
  return updateKinds(record).filter((kind, i, all) => kind !== all[i - 1]);
}

/** The agent's reply text, chunks joined. */
export function agentText(record: AcpRecord): string {
  return record.updates
    .map((u) => (u.sessionUpdate === "agent_message_chunk" && u.content.type === "text" ? u.content.text : ""))
    .join("");
}

type ToolUpdate = Extract<SessionUpdate, { sessionUpdate: "tool_call" | "tool_call_update" }>;

/** The updates about one tool call, the `tool_call` and each `tool_call_update`. */
export function toolCallUpdates(record: AcpRecord, toolCallId: string): ToolUpdate[] {
  return record.updates.filter(
    (u): u is ToolUpdate =>
      (u.sessionUpdate === "tool_call" || u.sessionUpdate === "tool_call_update") && u.toolCallId === toolCallId,
  );
}

/** The last status a tool call was given (`completed`, `failed`, …). */
export function finalStatus(record: AcpRecord, toolCallId: string): string | undefined {
  return toolCallUpdates(record, toolCallId).findLast((u) => u.status)?.status ?? undefined;
}

/**
 * For a suite's `before`: installs the agent on first use, or skips the suite, saying why, when
 * the registry cannot be reached for that first install. Any other failure fails.
 */
export async function installOrSkip(suite: Mocha.Context, name: AcpAgentName): Promise<void> {
  suite.timeout(10 * 60_000);
  try {
    await ensureAcpAgent(name);
  } catch (err) {
    if (!(err instanceof RegistryUnreachable)) throw err;
    console.log(
      `      skipped: the npm registry cannot be reached to install ${ACP_AGENT_PACKAGES[name].package}\n${err.message}`,
    );
    suite.skip();
  }
}
