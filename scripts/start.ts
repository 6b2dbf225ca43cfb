// `npm start`: the relay (serving the phone app) and a headless host on the current folder,
// in one process, with the pairing QR code in this terminal.

import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  ConfigError as HostConfigError,
  HOST_OPTIONS_HELP,
  hostConfigFrom,
  hostFlags,
  relayOrigin,
} from "../extension/headless/config";
import { runHeadlessHost, type RunningHost } from "../extension/headless/run";
import { ConfigError as RelayConfigError, parseRelayConfig } from "../relay/config";
import { createLogger } from "../relay/log";
import { createRelay, type Relay } from "../relay/server";

const HELP = `Usage: npm start -- [options]

Starts a Tether relay on this machine (serving the phone app) and a host on the current
folder, then shows a QR code to pair your phone.

Relay options:
  --port <n>           Port for the relay (default 8787)
  --listen <addr>      Address the relay listens on (default 127.0.0.1)
  --data-dir <dir>     Relay database folder (default ~/.tether/relay)
  --public-url <url>   URL phones use to reach the relay (e.g. your HTTPS proxy)
  --relay <url>        Use this relay instead of starting one

Host options:
${HOST_OPTIONS_HELP.split("\n")
  .filter((l) => !/^\s*--(relay|pair) /.test(l))
  .join("\n")}

  -h, --help           Show this help
`;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        ...hostFlags,
        port: { type: "string" },
        listen: { type: "string" },
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
  let relayUrl: string;
  try {
    if (values.relay) {
      relayUrl = relayOrigin(values.relay);
    } else {
      const relayArgs = [
        ...(values.port ? ["--port", values.port] : []),
        ...(values.listen ? ["--host", values.listen] : []),
        ...(values["data-dir"] ? ["--data-dir", values["data-dir"]] : []),
        ...(values["public-url"] ? ["--public-url", values["public-url"]] : []),
      ];
      const config = parseRelayConfig(relayArgs, process.env, { webDir: join(__dirname, "mobile-web") })!;
      relay = await createRelay(config, {
        log: createLogger("text", (line) => void (line.includes(" info ") ? null : process.stderr.write(line))),
      });
      process.stdout.write(`Relay on ${relay.url} (phone app at ${config.publicUrl ?? relay.url})\n`);
      relayUrl = relay.url;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === "EADDRINUSE" ? " — is Tether already running? Use --port to pick another port." : "";
    process.stderr.write(`npm start: ${e.message}${hint}\n`);
    process.exit(1);
  }

  let running: RunningHost;
  try {
    // Unlike tether-host, npm start shows a pairing code every time unless told not to.
    const pair = values["no-pair"] ? {} : { pair: true };
    running = await runHeadlessHost(hostConfigFrom({ ...values, ...pair, relay: relayUrl }, process.env, cwd));
  } catch (err) {
    if (err instanceof HostConfigError || err instanceof RelayConfigError) process.stderr.write(`${err.message}\n\n${HELP}`);
    else process.stderr.write(`npm start: ${(err as Error).message}\n`);
    await relay?.close();
    process.exit(1);
  }

  const stop = (): void => {
    void running
      .close()
      .then(() => relay?.close())
      .then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

void main();
