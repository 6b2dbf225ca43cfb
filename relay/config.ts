// The relay's settings, read in one place from flags and TETHER_* environment variables
// (flags win). Everything else receives a `RelayConfig` as an argument.

import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { httpOrigin } from "#protocol";
import type { LogFormat } from "./log";
import { DEFAULT_EVENT_RATES, type EventRates } from "./rateLimit";

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
  /** Push notifications; absent means Web Push with the default subject (embedders, tests). */
  push?: PushConfig;
  /** Serve HTTPS with these PEM files instead of plain HTTP. */
  tls?: TlsFiles;
  /**
   * Web origins, besides the relay's own (`publicUrl`, or the Host a request was sent to),
   * whose pages may open a socket or call the HTTP API. Clients without an Origin (Node) may too.
   */
  allowOrigins?: string[];
  /** Bearer token that `/metrics` asks for; absent turns `/metrics` off. */
  metricsToken?: string;
  /**
   * A Redis URL: keep the relay's state there instead of SQLite, and share rooms and
   * broadcasts with every other relay process on the same Redis (scale-out).
   */
  redis?: string;
  /** Events a second each device may send, by kind; absent: `DEFAULT_EVENT_RATES`. */
  eventRates?: EventRates;
  /** How long and how much of each host's history the relay keeps; absent: `DEFAULT_RETENTION`. */
  retention?: Retention;
}

export interface Retention {
  /** Events older than this are deleted; 0 keeps them however old. */
  days: number;
  /** Sealed bytes of events kept per host; beyond it the oldest go first. 0: no cap. */
  hostQuotaBytes: number;
}

export const DEFAULT_RETENTION: Retention = { days: 30, hostQuotaBytes: 1024 * 1024 * 1024 };

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export type PushConfig =
  | { enabled: false }
  | {
      enabled: true;
      /** VAPID subject: the https: or mailto: contact push services see with every message. */
      subject: string;
      /** Both set: also send through FCM with this service account, offering this web config. */
      fcm?: { serviceAccountFile: string; webConfigFile: string };
    };

/**
 * The VAPID subject when none is set: the relay's own https URL, or a placeholder that
 * Google's and Mozilla's push services accept and Apple's refuses (it wants a real contact).
 */
export function defaultPushSubject(publicUrl: string | undefined): string {
  return publicUrl?.startsWith("https://") ? publicUrl : PLACEHOLDER_PUSH_SUBJECT;
}
export const PLACEHOLDER_PUSH_SUBJECT = "mailto:tether-relay@localhost";

export const RELAY_HELP = `Usage: tether-relay [options]

Runs the Tether relay: routes sealed traffic between hosts and their paired phones,
stores only ciphertext, and serves the phone web app.

Options:
  --listen <addr>      Address (and port) to listen on: 127.0.0.1, 0.0.0.0:8787, [::1]:9000
                       (env TETHER_LISTEN, default 127.0.0.1; --host is the same)
  --port <n>           Port to listen on, 0 for any free port (env TETHER_PORT, default 8787)
  --data-dir <dir>     Where the relay keeps its database (env TETHER_DATA_DIR,
                       default ~/.tether/relay)
  --web-dir <dir>      Built phone web app to serve (env TETHER_WEB_DIR,
                       default: the one shipped beside the relay)
  --public-url <url>   URL phones use to reach the relay, e.g. https://tether.example.com;
                       hosts put it in pairing links (env TETHER_PUBLIC_URL)
  --log-format <fmt>   text or json (env TETHER_LOG_FORMAT, default text)
  -h, --help           Show this help

HTTPS and origins (phones need HTTPS: here, or from a proxy in front of the relay):
  --tls-cert <file>    Serve HTTPS with this certificate chain, PEM (env TETHER_TLS_CERT);
                       needs --tls-key
  --tls-key <file>     The certificate's private key, PEM (env TETHER_TLS_KEY)
  --allow-origin <url> Another web origin whose pages may connect to the relay; by default
                       only the relay's own (--public-url, or the address it was reached
                       at). Repeatable; env TETHER_ALLOW_ORIGIN, comma-separated

Scale-out (several relay processes behind one address):
  --redis <url>        Keep devices, pairings, events, inboxes and push subscriptions in
                       Redis instead of SQLite (--data-dir is then unused), and route
                       between every relay process that uses the same Redis, e.g.
                       redis://:password@10.0.0.5:6379/0 (env TETHER_REDIS_URL)

Limits and retention:
  --retention-days <n> Delete events older than n days; 0 keeps them (env
                       TETHER_RETENTION_DAYS, default 30). Phones are told when a
                       thread's start was trimmed
  --host-quota <MB>    Keep at most this much of each host's sealed history, oldest
                       deleted first; 0 for no cap (env TETHER_HOST_QUOTA_MB, default 1024)
  --phone-rate <n>     Events a second each phone may send, bursts of ten seconds'
                       worth (env TETHER_PHONE_RATE, default ${DEFAULT_EVENT_RATES.phone})
  --host-rate <n>      The same for each host (env TETHER_HOST_RATE, default ${DEFAULT_EVENT_RATES.host})

Operations:
  --metrics-token <t>  Serve Prometheus metrics at /metrics to requests that send
                       "Authorization: Bearer <t>", 16 characters or more
                       (env TETHER_METRICS_TOKEN, better than a flag that ps shows);
                       without it /metrics is off. /healthz is always on.

Push notifications (Web Push with VAPID keys the relay makes and keeps, by default):
  --push-subject <uri> Your contact for push services, an https: URL or mailto: address
                       (env TETHER_PUSH_SUBJECT; default --public-url when it is https,
                       else mailto:tether-relay@localhost, which Apple's push service
                       refuses: set it when phones are iPhones)
  --fcm-service-account <file>
                       Also send through Firebase Cloud Messaging with this service
                       account key (env TETHER_FCM_SERVICE_ACCOUNT); needs --fcm-web-config
  --fcm-web-config <file>
                       The Firebase web app config (JSON) the phone app gets its FCM token
                       with, plus "vapidKey": the Web Push certificate key from Cloud
                       Messaging settings (env TETHER_FCM_WEB_CONFIG); needs
                       --fcm-service-account
  --no-push            Send no notifications at all (env TETHER_PUSH=off)
`;

export class ConfigError extends Error {}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`--port must be 0–65535, got "${value}"`);
  return n;
}

/**
 * `--listen` takes an address with or without a port: `0.0.0.0`, `0.0.0.0:8787`, `::1`,
 * `[::1]:8787`, `localhost:9000`. A bare IPv6 address has no port (its colons are its own).
 */
export function parseListen(value: string): { host: string; port?: number } {
  const text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(text);
  const hostPort = /^([^:[\]]+):(\d*)$/.exec(text);
  const [host, portText] = bracketed ? [bracketed[1], bracketed[2]] : hostPort ? [hostPort[1], hostPort[2]] : [text, undefined];
  if (!host || /[\s/[\]]/.test(host) || portText === "") {
    throw new ConfigError(`--listen must be an address such as 127.0.0.1, 0.0.0.0:8787 or [::1]:8787, got "${value}"`);
  }
  return portText === undefined ? { host } : { host, port: port(portText) };
}

function listenAddress(
  values: { listen?: string; host?: string; port?: string },
  env: NodeJS.ProcessEnv,
): { host: string; port: number } {
  if (values.listen !== undefined && values.host !== undefined) {
    throw new ConfigError("--host is another name for --listen: give one of them");
  }
  const listen = parseListen(values.listen ?? values.host ?? env.TETHER_LISTEN ?? env.TETHER_HOST ?? "127.0.0.1");
  if (listen.port !== undefined && values.port !== undefined && port(values.port) !== listen.port) {
    throw new ConfigError(`--listen says port ${listen.port} and --port says ${values.port}: give the port once`);
  }
  return {
    host: listen.host,
    port: values.port !== undefined ? port(values.port) : (listen.port ?? port(env.TETHER_PORT ?? "8787")),
  };
}

function url(value: string | undefined, flag: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  const origin = httpOrigin(value);
  if (!origin) throw new ConfigError(`${flag} must be an http(s) URL, got "${value}"`);
  return origin;
}

function pushSubject(value: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol === "https:" || (parsed?.protocol === "mailto:" && value.includes("@"))) return value;
  throw new ConfigError(`--push-subject must be an https: URL or a mailto: address, got "${value}"`);
}

function pushConfig(
  values: { "no-push"?: boolean; "push-subject"?: string; "fcm-service-account"?: string; "fcm-web-config"?: string },
  env: NodeJS.ProcessEnv,
  publicUrl: string | undefined,
): PushConfig {
  const pushEnv = env.TETHER_PUSH ?? "on";
  if (pushEnv !== "on" && pushEnv !== "off") throw new ConfigError(`TETHER_PUSH must be on or off, got "${pushEnv}"`);
  const serviceAccount = values["fcm-service-account"] ?? env.TETHER_FCM_SERVICE_ACCOUNT;
  const webConfig = values["fcm-web-config"] ?? env.TETHER_FCM_WEB_CONFIG;
  if (values["no-push"] || pushEnv === "off") {
    if (serviceAccount || webConfig) throw new ConfigError("--no-push sends no notifications: drop the --fcm-* options");
    return { enabled: false };
  }
  const subject = values["push-subject"] ?? env.TETHER_PUSH_SUBJECT;
  const push: PushConfig = { enabled: true, subject: subject ? pushSubject(subject) : defaultPushSubject(publicUrl) };
  if (!serviceAccount !== !webConfig) {
    throw new ConfigError("FCM needs both --fcm-service-account and --fcm-web-config (the phone app needs the web config)");
  }
  if (serviceAccount && webConfig) push.fcm = { serviceAccountFile: resolve(serviceAccount), webConfigFile: resolve(webConfig) };
  return push;
}

function tlsFiles(cert: string | undefined, key: string | undefined): TlsFiles | undefined {
  if (!cert && !key) return undefined;
  if (!cert || !key) {
    throw new ConfigError(`HTTPS needs both --tls-cert and --tls-key (${cert ? "--tls-key" : "--tls-cert"} is missing)`);
  }
  return { certFile: resolve(cert), keyFile: resolve(key) };
}

function allowOrigins(values: string[], env: string | undefined): string[] {
  const given = [...values, ...(values.length === 0 && env ? [env] : [])].flatMap((v) => v.split(","));
  const origins = new Set<string>();
  for (const raw of given.map((v) => v.trim()).filter(Boolean)) {
    // A wildcard would let any web page drive a paired phone's session: name each origin.
    const origin = raw === "*" ? null : httpOrigin(raw);
    if (!origin) throw new ConfigError(`--allow-origin must be an http(s) origin such as https://app.example, got "${raw}"`);
    origins.add(origin);
  }
  return [...origins];
}

function metricsToken(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^[\x21-\x7e]{16,}$/.test(value)) {
    throw new ConfigError("--metrics-token must be 16 or more printable characters without spaces");
  }
  return value;
}

function count(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new ConfigError(`${flag} must be a whole number, ${min} or more, got "${value}"`);
  }
  return n;
}

function redisUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  // The value may hold a password: it is not repeated in the message.
  if (parsed?.protocol !== "redis:" && parsed?.protocol !== "rediss:") {
    throw new ConfigError("--redis must be a redis:// or rediss:// URL");
  }
  return value;
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
      listen: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      "web-dir": { type: "string" },
      "public-url": { type: "string" },
      "log-format": { type: "string" },
      "push-subject": { type: "string" },
      "fcm-service-account": { type: "string" },
      "fcm-web-config": { type: "string" },
      "no-push": { type: "boolean" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "allow-origin": { type: "string", multiple: true },
      "metrics-token": { type: "string" },
      redis: { type: "string" },
      "retention-days": { type: "string" },
      "host-quota": { type: "string" },
      "phone-rate": { type: "string" },
      "host-rate": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return null;
  const logFormat = values["log-format"] ?? env.TETHER_LOG_FORMAT ?? "text";
  if (logFormat !== "text" && logFormat !== "json") throw new ConfigError(`--log-format must be text or json`);
  const webDir = values["web-dir"] ?? env.TETHER_WEB_DIR;
  const publicUrl = url(values["public-url"] ?? env.TETHER_PUBLIC_URL, "--public-url");
  return {
    ...listenAddress(values, env),
    dataDir: resolve(values["data-dir"] ?? env.TETHER_DATA_DIR ?? join(homedir(), ".tether", "relay")),
    webDir: webDir ? resolve(webDir) : defaults.webDir,
    publicUrl,
    logFormat,
    push: pushConfig(values, env, publicUrl),
    tls: tlsFiles(values["tls-cert"] ?? env.TETHER_TLS_CERT, values["tls-key"] ?? env.TETHER_TLS_KEY),
    allowOrigins: allowOrigins(values["allow-origin"] ?? [], env.TETHER_ALLOW_ORIGIN),
    metricsToken: metricsToken(values["metrics-token"] ?? env.TETHER_METRICS_TOKEN),
    redis: redisUrl(values.redis ?? env.TETHER_REDIS_URL),
    eventRates: {
      phone: count(values["phone-rate"] ?? env.TETHER_PHONE_RATE ?? String(DEFAULT_EVENT_RATES.phone), "--phone-rate", 1),
      host: count(values["host-rate"] ?? env.TETHER_HOST_RATE ?? String(DEFAULT_EVENT_RATES.host), "--host-rate", 1),
    },
    retention: {
      days: count(values["retention-days"] ?? env.TETHER_RETENTION_DAYS ?? String(DEFAULT_RETENTION.days), "--retention-days", 0),
      hostQuotaBytes:
        count(
          values["host-quota"] ?? env.TETHER_HOST_QUOTA_MB ?? String(DEFAULT_RETENTION.hostQuotaBytes / 1024 / 1024),
          "--host-quota",
          0,
        ) *
        1024 *
        1024,
    },
  };
}
