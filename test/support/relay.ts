// Starts a real relay on 127.0.0.1, port 0, with its own temporary data folder.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RelayConfig } from "../../relay/config";
import { memoryLogger } from "../../relay/log";
import { createRelay, type Relay } from "../../relay/server";

export interface TestRelay extends Relay {
  dataDir: string;
  logs: string[];
  /** Closes the relay; its temporary data folder goes too unless `keepData` (for a restart on it). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startRelay(
  options: {
    webDir?: string | null;
    dataDir?: string;
    now?: () => number;
    commandAckTimeoutMs?: number;
    /** Settings beyond the defaults: origins, TLS, the metrics token, Redis. */
    config?: Partial<RelayConfig>;
    /** With `config.redis`: the relay's key prefix, so tests share one Redis without meeting. */
    redisPrefix?: string;
  } = {},
): Promise<TestRelay> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "tether-relay-"));
  const log = memoryLogger();
  const relay = await createRelay(
    {
      host: "127.0.0.1",
      port: 0,
      dataDir,
      webDir: options.webDir ?? null,
      publicUrl: undefined,
      logFormat: "json",
      ...options.config,
    },
    { log, now: options.now, commandAckTimeoutMs: options.commandAckTimeoutMs, redisPrefix: options.redisPrefix },
  );
  return Object.assign(relay, {
    dataDir,
    logs: log.lines,
    async stop(stopOptions: { keepData?: boolean } = {}) {
      await relay.close();
      if (!options.dataDir && !stopOptions.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
