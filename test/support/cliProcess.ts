// The `tether` command line from dist/, run as a script or a CI job runs it: a child process
// with its own environment, its stdout, stderr and exit code collected.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { DIST } from "./phoneStack";

export interface CliRun {
  /** Resolves when it exits. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stdout(): string;
  stderr(): string;
  kill(): void;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  // No identity from the environment this test runs in, unless the test gives one.
  const child = spawn("node", [join(DIST, "cli.js"), ...args], {
    env: { ...process.env, TETHER_IDENTITY: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, stdout: out, stderr: err })),
  );
  return { done, stdout: () => out, stderr: () => err, kill: () => void child.kill("SIGKILL") };
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return startCli(args, env).done;
}
