// Plays the steps of one scripted prompt turn against the client: the part of the scripted agent
// that makes requests of the client (permission, files, terminals) and writes down each answer,
// so a test can see both what its client was asked and what it said.

import { writeSync } from "node:fs";
import {
  methods,
  type AgentContext,
  type ClientRequestMethod,
  type ClientRequestParamsByMethod,
  type ClientRequestResponsesByMethod,
  type SessionUpdate,
  type StopReason,
} from "@agentclientprotocol/sdk";
import type { AgentRecord, PermissionOutcome, PermissionVerdict, RecordedError, Step } from "./script";

/** What a turn needs from the agent around it. */
export interface TurnContext {
  client: AgentContext;
  sessionId: string;
  record(entry: AgentRecord): void;
  /** Sends a `session/update` and applies it to the session's state and history. */
  send(update: SessionUpdate): Promise<void>;
  /** Set by `session/cancel`. */
  cancelled(): boolean;
  /** Resolves when `session/cancel` arrives (at once if it has). */
  whenCancelled: Promise<void>;
}

type Answer<M extends ClientRequestMethod> =
  { ok: true; value: ClientRequestResponsesByMethod[M] } | { ok: false; error: RecordedError };

/** Plays `steps`; resolves with the turn's stop reason. */
export async function playTurn(steps: Step[], ctx: TurnContext): Promise<StopReason> {
  const answers = new Map<string, PermissionOutcome>();
  return (await playSteps(steps, ctx, answers)) ?? (ctx.cancelled() ? "cancelled" : "end_turn");
}

async function playSteps(
  steps: Step[],
  ctx: TurnContext,
  answers: Map<string, PermissionOutcome>,
): Promise<StopReason | undefined> {
  for (const s of steps) {
    if (ctx.cancelled()) return "cancelled";
    const stop = await playStep(s, ctx, answers);
    if (stop) return stop;
  }
  return undefined;
}

async function playStep(s: Step, ctx: TurnContext, answers: Map<string, PermissionOutcome>): Promise<StopReason | undefined> {
  const say = (text: string): Promise<void> =>
    ctx.send({ sessionUpdate: "agent_message_chunk", content: { type: "text", text } });
  switch (s.do) {
    case "update":
      await ctx.send(s.update);
      return undefined;
    case "permission": {
      const label = s.label ?? "permission";
      const answer = await ask(ctx, methods.client.session.requestPermission, {
        sessionId: ctx.sessionId,
        toolCall: s.toolCall,
        options: s.options,
      });
      // A client that fails the request has not said yes: the script sees it as cancelled.
      const outcome: PermissionOutcome =
        answer.ok && answer.value.outcome.outcome === "selected"
          ? {
              outcome: "selected",
              optionId: answer.value.outcome.optionId,
              kind: s.options.find(
                (o) => answer.value.outcome.outcome === "selected" && o.optionId === answer.value.outcome.optionId,
              )?.kind,
            }
          : { outcome: "cancelled" };
      answers.set(label, outcome);
      ctx.record({ kind: "permission", label, outcome });
      return undefined;
    }
    case "branch": {
      const outcome = answers.get(s.label ?? "permission");
      return playSteps(outcome && matches(outcome, s.when) ? s.then : (s.else ?? []), ctx, answers);
    }
    case "read": {
      const answer = await ask(ctx, methods.client.fs.readTextFile, {
        sessionId: ctx.sessionId,
        path: s.path,
        ...(s.line === undefined ? {} : { line: s.line }),
        ...(s.limit === undefined ? {} : { limit: s.limit }),
      });
      if (s.echo) await say(answer.ok ? answer.value.content : `read failed: ${answer.error.message}`);
      return undefined;
    }
    case "write":
      await ask(ctx, methods.client.fs.writeTextFile, { sessionId: ctx.sessionId, path: s.path, content: s.content });
      return undefined;
    case "terminal":
      await runTerminal(s, ctx, say);
      return undefined;
    case "wait":
      await Promise.race([new Promise((resolve) => setTimeout(resolve, s.ms)), ctx.whenCancelled]);
      return undefined;
    case "wait-for-cancel":
      await ctx.whenCancelled;
      return "cancelled";
    case "crash":
      // Synchronous writes: the lines must be out before the process is.
      for (const line of s.stderr ?? []) writeSync(2, `${line}\n`);
      process.exit(s.code ?? 3);
    // eslint-disable-next-line no-fallthrough -- process.exit does not return
    case "hang":
      return new Promise<never>(() => {});
    case "stop":
      return s.reason;
  }
}

async function runTerminal(
  s: Extract<Step, { do: "terminal" }>,
  ctx: TurnContext,
  say: (text: string) => Promise<void>,
): Promise<void> {
  const created = await ask(ctx, methods.client.terminal.create, {
    sessionId: ctx.sessionId,
    command: s.command,
    args: s.args ?? [],
    ...(s.env ? { env: s.env } : {}),
    ...(s.cwd ? { cwd: s.cwd } : {}),
    ...(s.outputByteLimit === undefined ? {} : { outputByteLimit: s.outputByteLimit }),
  });
  if (!created.ok) {
    if (s.echo) await say(`terminal failed: ${created.error.message}`);
    return;
  }
  const ids = { sessionId: ctx.sessionId, terminalId: created.value.terminalId };
  if (s.toolCallId) {
    await ctx.send({
      sessionUpdate: "tool_call_update",
      toolCallId: s.toolCallId,
      status: "in_progress",
      content: [{ type: "terminal", terminalId: ids.terminalId }],
    });
  }
  let output: string | undefined;
  for (const call of s.calls ?? ["wait_for_exit", "output", "release"]) {
    if (call === "output") {
      const answer = await ask(ctx, methods.client.terminal.output, ids);
      if (answer.ok) output = answer.value.output;
    } else if (call === "wait_for_exit") await ask(ctx, methods.client.terminal.waitForExit, ids);
    else if (call === "kill") await ask(ctx, methods.client.terminal.kill, ids);
    else await ask(ctx, methods.client.terminal.release, ids);
  }
  if (s.echo && output !== undefined) await say(output);
}

function matches(outcome: PermissionOutcome, when: PermissionVerdict): boolean {
  if (when === "cancelled") return outcome.outcome === "cancelled";
  if (outcome.outcome === "cancelled") return false;
  if (when === "allowed") return outcome.kind === "allow_once" || outcome.kind === "allow_always";
  if (when === "rejected") return outcome.kind === "reject_once" || outcome.kind === "reject_always";
  return outcome.optionId === when.optionId;
}

/** Sends a request to the client and records its answer, a result or an error, never throwing. */
async function ask<M extends ClientRequestMethod>(
  ctx: TurnContext,
  method: M,
  params: ClientRequestParamsByMethod[M],
): Promise<Answer<M>> {
  let answer: Answer<M>;
  try {
    const value = (await ctx.client.request(method, params)) as ClientRequestResponsesByMethod[M];
    ctx.record({ kind: "answer", method, params, result: value ?? null });
    answer = { ok: true, value };
  } catch (err) {
    const error = toRecordedError(err);
    ctx.record({ kind: "answer", method, params, error });
    answer = { ok: false, error };
  }
  // The SDK settles a response on a shorter promise chain than it dispatches a notification: a
  // `session/cancel` the client sent before this answer must be seen before the turn goes on.
  await new Promise((resolve) => setImmediate(resolve));
  return answer;
}

export function toRecordedError(err: unknown): RecordedError {
  const e = err as { code?: unknown; message?: unknown; data?: unknown };
  return {
    code: typeof e.code === "number" ? e.code : -32603,
    message: typeof e.message === "string" ? e.message : String(err),
    ...(e.data === undefined ? {} : { data: e.data }),
  };
}
