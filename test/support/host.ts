// A real host core in this process, on a temporary workspace and state folder.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Host } from "../../extension/core/host";
import { HostIdentity } from "../../extension/core/identity";
import type { Log } from "../../extension/core/log";
import { Mirror } from "../../extension/core/mirror/mirror";
import type { ConfirmPairing } from "../../extension/core/pairing/pairingService";
import { nodeFileSystem } from "../../extension/node/nodeFileSystem";
import { stateFile } from "../../extension/node/stateFile";

export const quietLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface LogEntry {
  level: "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

/** A log that keeps what the host core said, to check a refusal was logged with its reason. */
export function memoryLog(): Log & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry["level"]) =>
    (message: string, fields: Record<string, unknown> = {}): void =>
      void entries.push({ level, message, fields });
  return { entries, info: at("info"), warn: at("warn"), error: at("error") };
}

export interface TestHost {
  host: Host;
  identity: HostIdentity;
  stateDir: string;
  stop(): Promise<void>;
}

export async function startHost(
  relay: string,
  folder: string,
  options: { confirm?: ConfirmPairing; stateDir?: string; name?: string } = {},
): Promise<TestHost> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "tether-host-"));
  const identity = await HostIdentity.loadOrCreate(stateFile(stateDir));
  const host = new Host({
    relay,
    name: options.name ?? "test-host",
    identity,
    mirror: await Mirror.open({ fs: nodeFileSystem, root: folder }),
    confirmPairing: options.confirm ?? (async () => true),
    log: quietLog,
  });
  await host.start();
  await host.whenOpen();
  return {
    host,
    identity,
    stateDir,
    async stop() {
      host.close();
      await identity.flush();
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
}
