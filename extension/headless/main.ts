// `tether-host`: a Tether host without an editor.

import { ConfigError, HOST_HELP, parseHostConfig } from "./config";
import { isLoopbackUrl, localOnlyNote, waysOut } from "./reach";
import { RULES_HELP, runRulesCommand } from "./rulesCommand";
import { runHeadlessHost } from "./run";
import { startTunnel, tunnelLines, type Tunnel } from "./tunnel";

async function main(): Promise<void> {
  if (process.argv[2] === "rules") {
    try {
      process.exitCode = runRulesCommand(process.argv.slice(3), process.env, (text) => process.stdout.write(text));
    } catch (err) {
      process.stderr.write(`tether-host rules: ${(err as Error).message}\n\n${RULES_HELP}`);
      process.exitCode = 2;
    }
    return;
  }
  let config;
  try {
    config = parseHostConfig(process.argv.slice(2), process.env, process.cwd());
  } catch (err) {
    const message =
      err instanceof ConfigError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
        ? (err as Error).message
        : String(err);
    process.stderr.write(`tether-host: ${message}\n\n${HOST_HELP}`);
    process.exit(2);
  }
  if (!config) {
    process.stdout.write(HOST_HELP);
    return;
  }
  let tunnel: Tunnel | undefined;
  if (config.expose) {
    const relay = new URL(config.relay);
    // A tunnel reaches a port on this computer; a relay elsewhere has its own address.
    if (relay.protocol !== "http:" || !isLoopbackUrl(config.relay)) {
      throw new Error(`--${config.expose} serves a relay on this computer; ${config.relay} is not one`);
    }
    tunnel = await startTunnel(config.expose, Number(relay.port || 80));
    process.stdout.write(tunnelLines(tunnel).join("\n") + "\n");
  }
  const ways = tunnel ? {} : await waysOut();
  const running = await runHeadlessHost(config, {
    ...(tunnel ? { origin: tunnel.url } : {}),
    note: (url) => localOnlyNote(url, ways, "tether-host", "tether-relay"),
  });
  const stop = (): void => {
    void running
      .close()
      .then(() => tunnel?.stop())
      .then(() => process.exit(process.exitCode ?? 0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // A closed terminal too: the tunnel must not outlive Tether.
  process.once("SIGHUP", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`tether-host: ${(err as Error).message}\n`);
  process.exit(1);
});
