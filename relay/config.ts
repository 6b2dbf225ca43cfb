// The relay's settings, read in one place from flags and TETHER_* environment variables
// (flags win). Everything else receives a `RelayConfig` as an argument.

import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { httpOrigin } from "../protocol/index";
import type { LogFormat } from "./log";

export interface RelayConfig {
  host: string;
  port: number;
  /** Folder for the SQLite database. */
  dataDir: string;
  /** Folder of the built PWA to serve; null serves no web app. */
  webDir: string | null;
  /** The URL phones use to reach this relay, when it differs from what hosts connect to. */
  publicUrl: string | undefined;
  logFormat: LogFormat;
}

export const RELAY_HELP = `Usage: tether-relay [options]

Runs the Tether relay: routes sealed traffic between hosts and their paired phones,
stores only ciphertext, and serves the phone web app.

Options:
  --host <addr>        Address to listen on (env TETHER_HOST, default 127.0.0.1)
  --port <n>           Port to listen on, 0 for any free port (env TETHER_PORT, default 8787)
  --data-dir <dir>     Where the relay keeps its database (env TETHER_DATA_DIR,
                       default ~/.tether/relay)
  --web-dir <dir>      Built phone web app to serve (env TETHER_WEB_DIR,
                       default: the one shipped beside the relay)
  --public-url <url>   URL phones use to reach the relay, e.g. https://tether.example.com;
                       hosts put it in pairing links (env TETHER_PUBLIC_URL)
  --log-format <fmt>   text or json (env TETHER_LOG_FORMAT, default text)
  -h, --help           Show this help
`;

export class ConfigError extends Error {}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`--port must be 0–65535, got "${value}"`);
  return n;
}

function url(value: string | undefined, flag: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  const origin = httpOrigin(value);
  if (!origin) throw new ConfigError(`${flag} must be an http(s) URL, got "${value}"`);
  return origin;
}

/** Parses argv (without node and script) and env; returns null when help was asked for. */
export function parseRelayConfig(
  argv: string[],
  env: NodeJS.ProcessEnv,
  defaults: { webDir: string | null },
): RelayConfig | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      "web-dir": { type: "string" },
      "public-url": { type: "string" },
      "log-format": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return null;
  const logFormat = values["log-format"] ?? env.TETHER_LOG_FORMAT ?? "text";
  if (logFormat !== "text" && logFormat !== "json") throw new ConfigError(`--log-format must be text or json`);
  const webDir = values["web-dir"] ?? env.TETHER_WEB_DIR;
  return {
    host: values.host ?? env.TETHER_HOST ?? "127.0.0.1",
    port: port(values.port ?? env.TETHER_PORT ?? "8787"),
    dataDir: resolve(values["data-dir"] ?? env.TETHER_DATA_DIR ?? join(homedir(), ".tether", "relay")),
    webDir: webDir ? resolve(webDir) : defaults.webDir,
    publicUrl: url(values["public-url"] ?? env.TETHER_PUBLIC_URL, "--public-url"),
    logFormat,
  };
}
