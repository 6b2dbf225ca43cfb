// A relay for this window only: the same `tether-relay` program (dist/relay.js, serving the phone
// app beside it) run as a child process, its SQLite data in the extension's global storage. A
// child rather than the extension host itself: the relay's SQLite driver is a native module built
// for Node, which the editor's own runtime may not load, and a relay that crashes must not take
// the editor's extensions with it. It stops when the window closes.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { onPath } from "../headless/reach";

export interface LocalRelayOptions {
  /** dist/relay.js: the relay's bundle, with the phone app in dist/mobile-web beside it. */
  script: string;
  dataDir: string;
  /** 0: any free port. */
  port: number;
  /** The HTTPS address phones use (a tunnel's), named in pairing links. */
  publicUrl?: string;
  env?: NodeJS.ProcessEnv;
}

/** Why a local relay did not start, in words for a notification; `portInUse` when another program holds the port. */
export class LocalRelayError extends Error {
  constructor(
    message: string,
    readonly portInUse = false,
  ) {
    super(message);
  }
}

const START_TIMEOUT_MS = 20_000;
const HEALTH_TIMEOUT_MS = 2_000;
const STOP_TIMEOUT_MS = 10_000;
const LISTENING = /Tether relay listening on (https?:\/\/\S+)/;

/** The Node to run the relay with: `node` on PATH, whose modules match; else the editor's runtime as plain Node. */
function nodeRuntime(env: NodeJS.ProcessEnv): { command: string; env: NodeJS.ProcessEnv } {
  const node = onPath("node", env);
  if (node) return { command: node, env };
  return { command: process.execPath, env: { ...env, ELECTRON_RUN_AS_NODE: "1" } };
}

export class LocalRelay {
  private constructor(
    private readonly child: ChildProcess,
    /** Where it listens, e.g. http://127.0.0.1:8787. */
    readonly url: string,
    readonly port: number,
    readonly publicUrl: string | undefined,
    private readonly output: () => string,
  ) {}

  static start(options: LocalRelayOptions): Promise<LocalRelay> {
    if (!existsSync(options.script))
      return Promise.reject(
        new LocalRelayError(
          `this build of Tether has no relay (${options.script} is missing): run one with \`npm start\` or \`tether-relay\` from Tether's repository and set tether.relayUrl to it`,
        ),
      );
    const runtime = nodeRuntime(options.env ?? process.env);
    const args = [
      options.script,
      ...["--listen", "127.0.0.1", "--port", String(options.port), "--data-dir", options.dataDir],
      ...(options.publicUrl ? ["--public-url", options.publicUrl] : []),
    ];
    const child = spawn(runtime.command, args, { env: runtime.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    return new Promise<LocalRelay>((resolve, reject) => {
      const fail = (error: LocalRelayError): void => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new LocalRelayError(`it did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      const read = (chunk: Buffer): void => {
        output = (output + chunk.toString("utf8")).slice(-8_000);
        const found = LISTENING.exec(output);
        if (!found) return;
        clearTimeout(timer);
        child.off("exit", exited);
        const url = new URL(found[1]!);
        resolve(new LocalRelay(child, url.origin, Number(url.port), options.publicUrl, () => output));
      };
      const exited = (code: number | null): void => {
        const said = output
          .trim()
          .split("\n")
          .slice(-3)
          .join(" ")
          .replace(/^tether-relay: /, "");
        const inUse = /EADDRINUSE/.test(output);
        fail(
          new LocalRelayError(
            inUse ? `port ${options.port} is in use by another program` : `it exited (code ${code})${said ? `: ${said}` : ""}`,
            inUse,
          ),
        );
      };
      child.stdout!.on("data", read);
      child.stderr!.on("data", read);
      child.once("exit", exited);
      child.once("error", (err) => fail(new LocalRelayError(`${runtime.command} could not run (${err.message})`)));
    });
  }

  /** Still running (not stopped, not crashed). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The relay's recent output, for the log. */
  log(): string {
    return this.output();
  }

  /** Asks it to stop (it closes its store first), killing it if it takes too long. */
  stop(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill("SIGTERM");
    });
  }

  /** For a closing window: the editor does not wait, the signal is enough. */
  stopNow(): void {
    if (this.running) this.child.kill("SIGTERM");
  }
}

/** Where the relay's bundle sits in an extension folder. */
export function relayScript(extensionPath: string): string {
  return join(extensionPath, "dist", "relay.js");
}

/** Whether a Tether relay answers at `origin` (its /healthz says so). */
export async function relayAnswers(origin: string): Promise<boolean> {
  try {
    const res = await fetch(new URL("/healthz", origin), { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    const body = (await res.json()) as { ok?: unknown; protocol?: unknown };
    return res.ok && body.ok === true && body.protocol !== undefined;
  } catch {
    return false;
  }
}

/** The port of a loopback http:// address: there the local relay can take the configured address. */
export function loopbackPort(url: string): number | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" || !["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname)) return undefined;
  return Number(parsed.port || 80);
}
