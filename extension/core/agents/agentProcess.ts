// One outside agent's process, and the Agent Client Protocol connection over its stdin and
// stdout (newline-delimited JSON). Tether is the client: it advertises file reads and writes and
// terminals, and answers the agent's requests through the `ClientSide` it is given. The process
// runs in a group of its own, so ending it ends whatever it started; its last stderr lines are
// kept, to say why it failed.

import { spawn, type ChildProcess } from "node:child_process";
import { Readable, Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import * as acp from "@agentclientprotocol/sdk";
import { TETHER_VERSION } from "#protocol";
import type { AgentDefinition } from "./catalog";

/** What the host answers an agent with: its permission requests, file reads and writes, terminals. */
export interface ClientSide {
  update(params: acp.SessionNotification): void;
  requestPermission(params: acp.RequestPermissionRequest, signal: AbortSignal): Promise<acp.RequestPermissionResponse>;
  readTextFile(params: acp.ReadTextFileRequest): Promise<acp.ReadTextFileResponse>;
  writeTextFile(params: acp.WriteTextFileRequest): Promise<acp.WriteTextFileResponse>;
  createTerminal(params: acp.CreateTerminalRequest): Promise<acp.CreateTerminalResponse>;
  terminalOutput(params: acp.TerminalOutputRequest): Promise<acp.TerminalOutputResponse>;
  waitForTerminalExit(params: acp.WaitForTerminalExitRequest): Promise<acp.WaitForTerminalExitResponse>;
  killTerminal(params: acp.KillTerminalRequest): Promise<acp.KillTerminalResponse>;
  releaseTerminal(params: acp.ReleaseTerminalRequest): Promise<acp.ReleaseTerminalResponse>;
}

/** How the process ended, with the last lines it wrote to stderr. */
export interface AgentExit {
  code: number | null;
  signal: string | null;
  /** It could not be started at all (the program is not there). */
  missing: boolean;
  stderr: string;
}

/** Lines of stderr kept for the error a failed agent leaves on its thread. */
const STDERR_LINES = 12;
/** How long an agent has to start and answer `initialize`. */
const INITIALIZE_MS = 60_000;
/** How long a failed `initialize` waits for the process's exit, to tell why it failed. */
const EXIT_WAIT_MS = 1000;

export class AgentProcess {
  readonly exited: Promise<AgentExit>;
  readonly agent: acp.ClientContext;
  readonly init: acp.InitializeResponse;
  private constructor(
    private readonly child: ChildProcess,
    private readonly connection: acp.ClientConnection,
    init: acp.InitializeResponse,
    exited: Promise<AgentExit>,
  ) {
    this.agent = connection.agent;
    this.init = init;
    this.exited = exited;
  }

  /**
   * Starts the agent in `cwd` and initializes the connection. Rejects with `AgentStartError`
   * when the program is missing, exits, or does not answer.
   */
  static async start(options: {
    definition: AgentDefinition;
    cwd: string;
    env?: Readonly<Record<string, string>>;
    side: () => ClientSide | undefined;
  }): Promise<AgentProcess> {
    const { definition, cwd } = options;
    const [program, ...args] = definition.command;
    const isWindows = process.platform === "win32";
    const child = spawn(program!, args, {
      cwd,
      env: { ...process.env, ...definition.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
      detached: !isWindows,
      windowsHide: true,
      // npm installs agents as `.cmd` shims there, which only a shell starts.
      shell: isWindows,
    });
    const stderr: string[] = [];
    let partial = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      stderr.push(...lines.filter((l) => l.trim()));
      if (stderr.length > STDERR_LINES * 4) stderr.splice(0, stderr.length - STDERR_LINES);
    });
    const exited = new Promise<AgentExit>((resolve) => {
      let missing = false;
      child.once("error", (err: NodeJS.ErrnoException) => {
        missing = err.code === "ENOENT";
        if (missing || child.pid === undefined) {
          resolve({ code: null, signal: null, missing, stderr: err.message });
        }
      });
      child.once("exit", (code, signal) => {
        const tail = [...stderr, ...(partial.trim() ? [partial] : [])].slice(-STDERR_LINES).join("\n");
        resolve({ code, signal, missing, stderr: tail });
      });
    });
    // A write to an agent that has gone fails on its stdin; the exit says why, not the pipe.
    child.stdin!.on("error", () => undefined);

    const stream = acp.ndJsonStream(
      Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>,
      Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
    );
    const connection = client(options.side).connect(stream);
    const init = await Promise.race([
      connection.agent.request(acp.methods.agent.initialize, {
        protocolVersion: acp.PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
        clientInfo: { name: "tether", title: "Tether", version: TETHER_VERSION },
      }),
      exited.then((exit) => Promise.reject(new AgentStartError(definition, exit))),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new AgentStartError(definition, undefined)), INITIALIZE_MS).unref(),
      ),
    ]).catch(async (err: unknown) => {
      // A program that exits as it starts fails the request first (a broken pipe, a closed
      // connection); its exit, with what it wrote to stderr, is what says why.
      const exit =
        err instanceof AgentStartError ? undefined : await Promise.race([exited, delay(EXIT_WAIT_MS, undefined, { ref: false })]);
      killGroup(child);
      connection.close();
      throw exit ? new AgentStartError(definition, exit) : err;
    });
    return new AgentProcess(child, connection, init, exited);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends the connection and the agent's whole process group: SIGTERM, then SIGKILL after a grace. */
  async close(graceMs = 2000): Promise<void> {
    this.connection.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    killGroup(this.child, "SIGTERM");
    const timer = setTimeout(() => killGroup(this.child, "SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
    // The agent's own children may outlive it in its group.
    killGroup(this.child, "SIGKILL");
  }
}

/** The agent could not be started, or ended before it answered `initialize`. */
export class AgentStartError extends Error {
  constructor(
    readonly definition: AgentDefinition,
    readonly exit: AgentExit | undefined,
  ) {
    super(
      !exit
        ? `${definition.name} did not answer within ${INITIALIZE_MS / 1000} s of starting.`
        : exit.missing
          ? `${definition.name} is not installed on this computer (\`${definition.command[0]}\` was not found).` +
            (definition.install ? ` Install it with: ${definition.install}` : "")
          : `${definition.name} exited as it started (${exit.signal ?? `code ${exit.code}`})` +
            (exit.stderr ? `:\n${exit.stderr}` : "."),
    );
    this.name = "AgentStartError";
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === "win32") child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** The client app: every request goes to the side of the session being served, if any. */
function client(side: () => ClientSide | undefined): acp.ClientApp {
  const serving = (): ClientSide => {
    const s = side();
    if (!s) throw acp.RequestError.internalError(undefined, "No Tether run is serving this session right now.");
    return s;
  };
  const m = acp.methods.client;
  return acp
    .client({ name: "tether" })
    .onNotification(m.session.update, ({ params }) => side()?.update(params))
    .onRequest(m.session.requestPermission, ({ params, signal }) => serving().requestPermission(params, signal))
    .onRequest(m.fs.readTextFile, ({ params }) => serving().readTextFile(params))
    .onRequest(m.fs.writeTextFile, ({ params }) => serving().writeTextFile(params))
    .onRequest(m.terminal.create, ({ params }) => serving().createTerminal(params))
    .onRequest(m.terminal.output, ({ params }) => serving().terminalOutput(params))
    .onRequest(m.terminal.waitForExit, ({ params }) => serving().waitForTerminalExit(params))
    .onRequest(m.terminal.kill, ({ params }) => serving().killTerminal(params))
    .onRequest(m.terminal.release, ({ params }) => serving().releaseTerminal(params));
}
