// An ACP agent that plays a script: the stand-in for Claude Code, Codex or Gemini CLI in Tether's
// tests. It runs as a real child process speaking newline-delimited JSON-RPC on stdio through the
// SDK's agent side, so the host's client is exercised on the same wire as with a real agent. It
// reads its script from the file named by TETHER_ACP_SCRIPT and appends a JSON line to the file
// named by TETHER_ACP_RECORD for everything the client sends it and every answer it gives.
//
//   TETHER_ACP_SCRIPT=/tmp/s.json TETHER_ACP_RECORD=/tmp/r.jsonl node --import tsx scriptedAgent.ts

import { appendFileSync, readFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import {
  agent,
  methods,
  ndJsonStream,
  PROTOCOL_VERSION,
  RequestError,
  type AgentRequestContext,
  type SessionConfigOption,
  type SessionModeState,
  type SessionUpdate,
} from "@agentclientprotocol/sdk";
import { playTurn, toRecordedError } from "./player";
import { RECORD_ENV, SCRIPT_ENV, type AgentRecord, type AgentScript } from "./script";

interface Session {
  id: string;
  modes?: SessionModeState;
  configOptions?: SessionConfigOption[];
  /** What `session/load` replays: the prompts and what the agent said about them. */
  history: SessionUpdate[];
  /** The turn in progress, if any. */
  turn?: RunningTurn;
}

interface RunningTurn {
  cancelled: boolean;
  whenCancelled: Promise<void>;
  /** What `session/cancel` does to the turn. */
  cancel(): void;
}

function startTurn(): RunningTurn {
  let resolve!: () => void;
  const turn: RunningTurn = {
    cancelled: false,
    whenCancelled: new Promise<void>((r) => (resolve = r)),
    cancel() {
      turn.cancelled = true;
      resolve();
    },
  };
  return turn;
}

const scriptPath = process.env[SCRIPT_ENV];
const recordPath = process.env[RECORD_ENV];
if (!scriptPath || !recordPath) {
  process.stderr.write(`scripted agent: set ${SCRIPT_ENV} and ${RECORD_ENV}\n`);
  process.exit(2);
}
const script = JSON.parse(readFileSync(scriptPath, "utf8")) as AgentScript;

// Appended synchronously, so a line is on disk before the answer it precedes leaves the process
// (and before a scripted crash).
const record = (entry: AgentRecord): void => appendFileSync(recordPath, `${JSON.stringify(entry)}\n`);

/** The updates `session/load` replays for a turn played in this process. */
const REPLAYED = new Set<SessionUpdate["sessionUpdate"]>([
  "agent_message_chunk",
  "agent_thought_chunk",
  "tool_call",
  "tool_call_update",
  "plan",
]);

const sessions = new Map<string, Session>();
let authenticated = !script.authRequired;
let created = 0;
let turnsPlayed = 0;

const copy = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

function openSession(id: string, history: SessionUpdate[]): Session {
  const session: Session = { id, modes: copy(script.modes), configOptions: copy(script.configOptions), history };
  sessions.set(id, session);
  return session;
}

function sessionOf(id: string): Session {
  const session = sessions.get(id);
  if (!session) throw RequestError.sessionNotFound(id);
  return session;
}

/** The session's mode and config state as `session/new` and `session/load` answer it. */
function stateOf(session: Session): { modes?: SessionModeState; configOptions?: SessionConfigOption[] } {
  return {
    ...(session.modes ? { modes: session.modes } : {}),
    ...(session.configOptions ? { configOptions: session.configOptions } : {}),
  };
}

/** Records a request and its reply around `handle`. */
function recorded<P, R>(handle: (ctx: AgentRequestContext<P>) => R | Promise<R>): (ctx: AgentRequestContext<P>) => Promise<R> {
  return async (ctx) => {
    record({ kind: "request", method: ctx.method, params: ctx.params });
    try {
      const result = await handle(ctx);
      record({ kind: "reply", method: ctx.method, result: result ?? null });
      return result;
    } catch (err) {
      record({ kind: "reply", method: ctx.method, error: toRecordedError(err) });
      throw err;
    }
  };
}

function requireAuth(): void {
  if (!authenticated) throw RequestError.authRequired(undefined, "authenticate first");
}

async function notify(ctx: AgentRequestContext<unknown>, session: Session, update: SessionUpdate): Promise<void> {
  await ctx.client.notify(methods.client.session.update, { sessionId: session.id, update });
}

const app = agent({ name: "tether-scripted-agent" })
  .onRequest(
    methods.agent.initialize,
    recorded(() => ({
      protocolVersion: script.initialize?.protocolVersion ?? PROTOCOL_VERSION,
      agentCapabilities: script.initialize?.agentCapabilities ?? {},
      authMethods: script.initialize?.authMethods ?? [],
      agentInfo: script.initialize?.agentInfo ?? { name: "scripted-agent", version: "1.0.0" },
    })),
  )
  .onRequest(
    methods.agent.authenticate,
    recorded(({ params }) => {
      const known = (script.initialize?.authMethods ?? []).some((m) => m.id === params.methodId);
      if (!known) throw RequestError.invalidParams({ methodId: params.methodId }, "unknown auth method");
      authenticated = true;
      return {};
    }),
  )
  .onRequest(
    methods.agent.session.new,
    recorded(() => {
      requireAuth();
      const id = script.sessionIds?.[created] ?? `session-${created + 1}`;
      created += 1;
      return { sessionId: id, ...stateOf(openSession(id, [])) };
    }),
  )
  .onRequest(
    methods.agent.session.load,
    recorded(async (ctx) => {
      if (!script.initialize?.agentCapabilities?.loadSession) throw RequestError.methodNotFound(ctx.method);
      requireAuth();
      const id = ctx.params.sessionId;
      const history = sessions.get(id)?.history ?? copy(script.history?.[id]);
      if (!history) throw RequestError.sessionNotFound(id);
      const session = openSession(id, history);
      // As real agents do: the whole conversation again as updates, then the answer.
      for (const update of history) await notify(ctx, session, update);
      return stateOf(session);
    }),
  )
  .onRequest(
    methods.agent.session.list,
    recorded((ctx) => {
      if (!script.initialize?.agentCapabilities?.sessionCapabilities?.list) throw RequestError.methodNotFound(ctx.method);
      const all = script.sessions ?? [];
      return { sessions: ctx.params.cwd ? all.filter((s) => s.cwd === ctx.params.cwd) : all };
    }),
  )
  .onRequest(
    methods.agent.session.setMode,
    recorded(async (ctx) => {
      const session = sessionOf(ctx.params.sessionId);
      const { modeId } = ctx.params;
      if (!session.modes?.availableModes.some((m) => m.id === modeId))
        throw RequestError.invalidParams({ modeId }, "unknown mode");
      session.modes.currentModeId = modeId;
      // A config option that stands for the mode changed too, and the client did not ask for
      // that one: the agent tells it, as the spec has agents do for changes of their own.
      const option = session.configOptions?.find((o) => o.category === "mode" && o.type === "select");
      if (option && option.currentValue !== modeId) {
        option.currentValue = modeId;
        await notify(ctx, session, { sessionUpdate: "config_option_update", configOptions: session.configOptions! });
      }
      return {};
    }),
  )
  .onRequest(
    methods.agent.session.setConfigOption,
    recorded(async (ctx) => {
      const session = sessionOf(ctx.params.sessionId);
      const { configId, value } = ctx.params;
      const option = session.configOptions?.find((o) => o.id === configId);
      if (!option) throw RequestError.invalidParams({ configId }, "unknown config option");
      if (option.type === "boolean") {
        if (typeof value !== "boolean") throw RequestError.invalidParams({ configId, value }, "expected a boolean");
        option.currentValue = value;
      } else {
        const values = option.options.flatMap((o) => ("group" in o ? o.options : [o])).map((o) => o.value);
        if (typeof value !== "string" || !values.includes(value))
          throw RequestError.invalidParams({ configId, value }, "unknown value");
        option.currentValue = value;
        if (
          option.category === "mode" &&
          session.modes?.availableModes.some((m) => m.id === value) &&
          session.modes.currentModeId !== value
        ) {
          session.modes.currentModeId = value;
          await notify(ctx, session, { sessionUpdate: "current_mode_update", currentModeId: value });
        }
      }
      // The answer carries every option with its value, as the spec asks.
      return { configOptions: session.configOptions! };
    }),
  )
  .onRequest(
    methods.agent.session.prompt,
    recorded(async (ctx) => {
      const session = sessionOf(ctx.params.sessionId);
      if (session.turn) throw RequestError.invalidRequest({ sessionId: session.id }, "a turn is already running");
      const index = turnsPlayed++;
      const steps = script.turns[index];
      if (!steps) throw RequestError.internalError({ index }, `the script has no turn ${index}`);
      for (const content of ctx.params.prompt) session.history.push({ sessionUpdate: "user_message_chunk", content });
      const turn = startTurn();
      session.turn = turn;
      try {
        const stopReason = await playTurn(steps, {
          client: ctx.client,
          sessionId: session.id,
          record,
          cancelled: () => turn.cancelled,
          whenCancelled: turn.whenCancelled,
          send: async (update) => {
            if (update.sessionUpdate === "current_mode_update" && session.modes)
              session.modes.currentModeId = update.currentModeId;
            if (update.sessionUpdate === "config_option_update") session.configOptions = copy(update.configOptions);
            if (REPLAYED.has(update.sessionUpdate)) session.history.push(update);
            await notify(ctx, session, update);
          },
        });
        record({ kind: "turn", index, sessionId: session.id, stopReason });
        return { stopReason };
      } finally {
        session.turn = undefined;
      }
    }),
  )
  .onNotification(methods.agent.session.cancel, ({ method, params }) => {
    record({ kind: "notification", method, params });
    sessions.get(params.sessionId)?.turn?.cancel();
  })
  .onRequest("*", (ctx) => {
    record({ kind: "request", method: ctx.method, params: ctx.params });
    record({ kind: "reply", method: ctx.method, error: { code: -32601, message: "Method not found" } });
    throw RequestError.methodNotFound(ctx.method);
  })
  .onNotification("*", ({ method, params }) => record({ kind: "notification", method, params }));

const connection = app.connect(
  ndJsonStream(
    Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
    Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
  ),
);
// The client closed stdin: the agent's life is over, as with a real one.
void connection.closed.then(() => process.exit(0));
