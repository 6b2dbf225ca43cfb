// `tether-host` settings from flags and TETHER_* environment variables (flags win).

import { homedir, hostname } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { httpOrigin } from "../../protocol/index";

export interface HostConfig {
  relay: string;
  folder: string;
  name: string;
  stateDir: string;
  acceptPairing: boolean;
  /** Show a pairing code at start: true, false, or "auto" (when no phone is paired yet). */
  pair: boolean | "auto";
}

export const HOST_OPTIONS_HELP = `  --relay <url>        Relay to connect to (env TETHER_RELAY, default http://127.0.0.1:8787)
  --folder <dir>       Workspace folder the phone may browse (default: the current folder)
  --name <name>        Name phones show for this computer (env TETHER_HOST_NAME, default: hostname)
  --state-dir <dir>    Where keys and pairings are kept, mode 0600 (env TETHER_STATE_DIR,
                       default ~/.tether)
  --pair               Show a pairing QR code at start (default: only when no phone is paired)
  --no-pair            Do not show a pairing QR code at start
  --accept-pairing     Accept every pairing request without asking (for scripts and tests)`;

export const HOST_HELP = `Usage: tether-host [options]

Runs a Tether host on a folder without an editor: connects to a relay, pairs phones through
a QR code, and lets them browse the folder. Keys stay on this machine; the relay sees only
ciphertext.

Options:
${HOST_OPTIONS_HELP}
  -h, --help           Show this help

While it runs, press Enter to show a new pairing code.
`;

export class ConfigError extends Error {}

export function relayOrigin(value: string, flag = "--relay"): string {
  const origin = httpOrigin(value);
  if (!origin) throw new ConfigError(`${flag} must be an http(s) URL, got "${value}"`);
  return origin;
}

export const hostFlags = {
  relay: { type: "string" },
  folder: { type: "string" },
  name: { type: "string" },
  "state-dir": { type: "string" },
  pair: { type: "boolean" },
  "no-pair": { type: "boolean" },
  "accept-pairing": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type HostFlagValues = { [K in keyof typeof hostFlags]?: (typeof hostFlags)[K]["type"] extends "string" ? string : boolean };

export function hostConfigFrom(values: HostFlagValues, env: NodeJS.ProcessEnv, cwd: string): HostConfig {
  return {
    relay: relayOrigin(values.relay ?? env.TETHER_RELAY ?? "http://127.0.0.1:8787"),
    folder: resolve(cwd, values.folder ?? "."),
    name: (values.name ?? env.TETHER_HOST_NAME ?? hostname()).trim() || hostname(),
    stateDir: resolve(values["state-dir"] ?? env.TETHER_STATE_DIR ?? join(homedir(), ".tether")),
    acceptPairing: values["accept-pairing"] ?? false,
    pair: values["no-pair"] ? false : values.pair ? true : "auto",
  };
}

/** Parses argv (without node and script); returns null when help was asked for. */
export function parseHostConfig(argv: string[], env: NodeJS.ProcessEnv, cwd: string): HostConfig | null {
  const { values } = parseArgs({ args: argv, options: hostFlags, strict: true });
  if (values.help) return null;
  return hostConfigFrom(values, env, cwd);
}
