// A bare ACP client on the SDK's client side, for tests that talk to an agent without Tether's
// host in between: it keeps every `session/update` it receives and answers the agent's requests
// with the handlers a test gives (a request with no handler fails as an unknown method would).

import {
  client,
  methods,
  type ClientConnection,
  type ClientContext,
  type CreateTerminalRequest,
  type CreateTerminalResponse,
  type KillTerminalRequest,
  type ReadTextFileRequest,
  type ReadTextFileResponse,
  type ReleaseTerminalRequest,
  type RequestPermissionRequest,
  type RequestPermissionResponse,
  type SessionNotification,
  type SessionUpdate,
  type Stream,
  type TerminalOutputRequest,
  type TerminalOutputResponse,
  type WaitForTerminalExitRequest,
  type WaitForTerminalExitResponse,
  type WriteTextFileRequest,
} from "@agentclientprotocol/sdk";
import { until } from "../wait";

type Answer<T> = T | Promise<T>;

export interface ClientHandlers {
  permission?(request: RequestPermissionRequest): Answer<RequestPermissionResponse>;
  readTextFile?(request: ReadTextFileRequest): Answer<ReadTextFileResponse>;
  writeTextFile?(request: WriteTextFileRequest): Answer<void>;
  createTerminal?(request: CreateTerminalRequest): Answer<CreateTerminalResponse>;
  terminalOutput?(request: TerminalOutputRequest): Answer<TerminalOutputResponse>;
  waitForTerminalExit?(request: WaitForTerminalExitRequest): Answer<WaitForTerminalExitResponse>;
  killTerminal?(request: KillTerminalRequest): Answer<void>;
  releaseTerminal?(request: ReleaseTerminalRequest): Answer<void>;
}

export interface RecordingClient {
  agent: ClientContext;
  connection: ClientConnection;
  /** Every `session/update`, in arrival order. */
  notifications: SessionNotification[];
  /** Updates of `sessionId` from position `from` of `notifications` on. */
  updates(sessionId: string, from?: number): SessionUpdate[];
  /** Resolves with the first update (from `from` on) that `match` accepts. */
  waitForUpdate(match: (update: SessionUpdate) => boolean, from?: number): Promise<SessionUpdate>;
}

export function connectClient(stream: Stream, handlers: ClientHandlers = {}): RecordingClient {
  const notifications: SessionNotification[] = [];
  const app = client({ name: "tether-test-client" }).onNotification(methods.client.session.update, ({ params }) => {
    notifications.push(params);
  });
  const h = handlers;
  if (h.permission) app.onRequest(methods.client.session.requestPermission, ({ params }) => h.permission!(params));
  if (h.readTextFile) app.onRequest(methods.client.fs.readTextFile, ({ params }) => h.readTextFile!(params));
  if (h.writeTextFile) app.onRequest(methods.client.fs.writeTextFile, async ({ params }) => (await h.writeTextFile!(params), {}));
  if (h.createTerminal) app.onRequest(methods.client.terminal.create, ({ params }) => h.createTerminal!(params));
  if (h.terminalOutput) app.onRequest(methods.client.terminal.output, ({ params }) => h.terminalOutput!(params));
  if (h.waitForTerminalExit) app.onRequest(methods.client.terminal.waitForExit, ({ params }) => h.waitForTerminalExit!(params));
  if (h.killTerminal) app.onRequest(methods.client.terminal.kill, async ({ params }) => (await h.killTerminal!(params), {}));
  if (h.releaseTerminal)
    app.onRequest(methods.client.terminal.release, async ({ params }) => (await h.releaseTerminal!(params), {}));
  const connection = app.connect(stream);
  return {
    agent: connection.agent,
    connection,
    notifications,
    updates: (sessionId, from = 0) =>
      notifications
        .slice(from)
        .filter((n) => n.sessionId === sessionId)
        .map((n) => n.update),
    waitForUpdate: (match, from = 0) =>
      until("a matching session/update", () => notifications.slice(from).find((n) => match(n.update))?.update),
  };
}
