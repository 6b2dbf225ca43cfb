// `tether-relay`: reads its config, starts the relay, and stops it cleanly on a signal: no new
// connections, clients told to reconnect (their transport closes), the store closed, exit 0.

import { join } from "node:path";
import { RELAY_HELP, parseRelayConfig } from "./config";
import { createLogger } from "./log";
import { createRelay, type Relay } from "./server";

const SHUTDOWN_DEADLINE_MS = 8_000;

function boundUrl(relay: Relay): string {
  const bound = relay.io.httpServer.address();
  if (!bound || typeof bound === "string") return relay.url;
  const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  const wildcard = bound.address === "0.0.0.0" || bound.address === "::";
  const url = `${new URL(relay.url).protocol}//${host}:${bound.port}`;
  return wildcard ? `${url} (every interface; on this computer ${relay.url})` : url;
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseRelayConfig(process.argv.slice(2), process.env, { webDir: join(__dirname, "mobile-web") });
  } catch (err) {
    process.stderr.write(`tether-relay: ${(err as Error).message}\n\n${RELAY_HELP}`);
    process.exit(2);
  }
  if (!config) {
    process.stdout.write(RELAY_HELP);
    return;
  }
  const log = createLogger(config.logFormat);
  const relay = await createRelay(config, { log });
  // The one line scripts (and tests) read to learn the port when started with --port 0. It names
  // the address the socket is bound to, so 0.0.0.0 or a resolved "localhost" reads as it is.
  process.stdout.write(`Tether relay listening on ${boundUrl(relay)}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn("stopping at once: second signal", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("shutting down", { signal });
    // Under the 10 s that `docker stop` waits before it kills.
    setTimeout(() => {
      log.error("shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    relay.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error("shutdown failed", { error: (err as Error).message });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  const hint = e.code === "EADDRINUSE" ? " (is another relay already running on that port? use --port)" : "";
  process.stderr.write(`tether-relay: ${e.message}${hint}\n`);
  process.exit(1);
});
