// `npm start`: the relay (serving the phone app) and a headless host on the current folder,
// in one process, with the pairing QR code in this terminal. scripts/launch.mjs builds first
// and runs this from dist/.

import { createServer } from "node:net";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError as HostConfigError, hostConfigFrom, hostFlags, relayOrigin } from "../extension/headless/config";
import { localOnlyNote, waysOut } from "../extension/headless/reach";
import { runHeadlessHost, type RunningHost } from "../extension/headless/run";
import { startTunnel, tunnelLines, type Tunnel } from "../extension/headless/tunnel";
import { ConfigError as RelayConfigError, parseRelayConfig } from "../relay/config";
import { createLogger } from "../relay/log";
import { createRelay, type Relay } from "../relay/server";
import { START_HELP as HELP } from "./startHelp";

/** A free port on this computer, so a tunnel can be pointed at it before the relay starts. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function fail(err: unknown): never {
  if (err instanceof HostConfigError || err instanceof RelayConfigError) {
    process.stderr.write(`npm start: ${err.message}\n\nSee npm start -- --help\n`);
    process.exit(2);
  }
  const e = err as NodeJS.ErrnoException;
  const hint = e.code === "EADDRINUSE" ? " — is Tether already running? Use --port to pick another port." : "";
  process.stderr.write(`npm start: ${e.message}${hint}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        ...hostFlags,
        port: { type: "string" },
        listen: { type: "string" },
        host: { type: "string" },
        "data-dir": { type: "string" },
        "public-url": { type: "string" },
      },
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  // npm runs scripts from the package folder; INIT_CWD is where `npm start` was typed.
  const cwd = process.env.INIT_CWD ?? process.cwd();

  let relay: Relay | undefined;
  let tunnel: Tunnel | undefined;
  let relayUrl: string;
  let hostConfig;
  try {
    // Unlike tether-host, npm start shows a pairing code every time unless told not to.
    const pair = values["no-pair"] ? {} : { pair: true };
    hostConfig = hostConfigFrom({ ...values, ...pair, relay: values.relay ?? "http://127.0.0.1" }, process.env, cwd);
    if (values.relay) {
      if (hostConfig.expose) throw new HostConfigError(`--${hostConfig.expose} serves the relay npm start runs; drop --relay`);
      relayUrl = relayOrigin(values.relay);
    } else {
      const relayArgs = [
        ...(values.port ? ["--port", values.port] : []),
        ...(values.listen ? ["--listen", values.listen] : []),
        ...(values.host ? ["--host", values.host] : []),
        ...(values["data-dir"] ? ["--data-dir", values["data-dir"]] : []),
        ...(values["public-url"] ? ["--public-url", values["public-url"]] : []),
      ];
      const config = parseRelayConfig(relayArgs, process.env, { webDir: join(__dirname, "mobile-web") })!;
      if (hostConfig.expose) {
        if (config.publicUrl) throw new HostConfigError(`--${hostConfig.expose} makes the public URL: drop --public-url`);
        // The tunnel and the relay must agree on the port before either starts.
        if (config.port === 0) config.port = await freePort(config.host);
        tunnel = await startTunnel(hostConfig.expose, config.port);
        // The relay names the tunnel in pairing links and lets its pages connect.
        config.publicUrl = tunnel.url;
      }
      relay = await createRelay(config, {
        log: createLogger("text", (line) => void (line.includes(" info ") ? null : process.stderr.write(line))),
      });
      process.stdout.write(`Relay on ${relay.url}\n`);
      if (tunnel) process.stdout.write(tunnelLines(tunnel).join("\n") + "\n");
      else if (config.publicUrl) process.stdout.write(`Phones reach the relay at ${config.publicUrl}.\n`);
      relayUrl = relay.url;
    }
  } catch (err) {
    await tunnel?.stop();
    fail(err);
  }

  let running: RunningHost;
  const ways = tunnel ? {} : await waysOut();
  try {
    running = await runHeadlessHost(
      { ...hostConfig, relay: relayUrl },
      { note: (url) => localOnlyNote(url, ways, "npm start --") },
    );
  } catch (err) {
    await relay?.close();
    await tunnel?.stop();
    fail(err);
  }

  const stop = (): void => {
    void running
      .close()
      .then(() => relay?.close())
      .then(() => tunnel?.stop())
      .then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // A closed terminal too: the tunnel must not outlive Tether.
  process.once("SIGHUP", stop);
}

void main();
