// Starting the scripted ACP agent from a test: either as a command line for the code under test to
// spawn itself (the host's own agent launcher), or spawned here with its stdio wrapped as an ACP
// stream, for tests that drive it with the SDK's client directly.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { ndJsonStream, type Stream } from "@agentclientprotocol/sdk";
import type { Cleanup } from "../cleanup";
import { start, type Proc } from "../processes";
import { RECORD_ENV, SCRIPT_ENV, type AgentRecord, type AgentScript } from "./script";

/** How to start the agent on one script: what a host's agent catalog entry would hold. */
export interface AgentCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** The JSON-lines file the agent writes its records to; read it with `readRecords`. */
  recordPath: string;
}

/**
 * Writes `script` into a fresh folder (removed by `cleanup`) and returns the command line that
 * plays it. The tsx loader is named by absolute path, so any working directory will do.
 */
export function scriptedAgentCommand(script: AgentScript, cleanup: Cleanup): AgentCommand {
  const dir = cleanup.add(mkdtempSync(join(tmpdir(), "tether-acp-")), (d) => rmSync(d, { recursive: true, force: true }));
  const scriptPath = join(dir, "script.json");
  const recordPath = join(dir, "records.jsonl");
  writeFileSync(scriptPath, JSON.stringify(script));
  return {
    command: process.execPath,
    args: ["--import", require.resolve("tsx"), join(__dirname, "scriptedAgent.ts")],
    env: { [SCRIPT_ENV]: scriptPath, [RECORD_ENV]: recordPath },
    recordPath,
  };
}

/** Everything the agent wrote down so far, in order. */
export function readRecords(recordPath: string): AgentRecord[] {
  if (!existsSync(recordPath)) return [];
  return readFileSync(recordPath, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as AgentRecord);
}

export interface ScriptedAgent {
  proc: Proc;
  /** The agent's stdio as an ACP stream, for `client(...).connect(stream)`. */
  stream: Stream;
  records(): AgentRecord[];
  /** What the agent wrote to stderr. */
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** Spawns the agent on `script` (stopped by `cleanup`). */
export function startScriptedAgent(script: AgentScript, cleanup: Cleanup): ScriptedAgent {
  const cmd = scriptedAgentCommand(script, cleanup);
  const proc = cleanup.add(start(cmd.command, cmd.args, { env: cmd.env }), (p) => p.stop());
  const child = proc.child;
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  // A write to a child that has died must fail the request, not the test process.
  child.stdin!.on("error", () => {});
  return {
    proc,
    stream: ndJsonStream(
      Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>,
      Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
    ),
    records: () => readRecords(cmd.recordPath),
    stderr: () => stderr,
    exited,
    stop: () => proc.stop(),
  };
}
