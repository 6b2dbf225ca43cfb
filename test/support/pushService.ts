// A local stand-in for the push services the relay talks to, speaking their real wire
// protocols over real TLS: Web Push (RFC 8030/8291/8292) at push.tether.test, and Google's
// OAuth token endpoint and FCM HTTP v1 for firebase-admin. The relay reaches it through
// `agent`, which sends every connection here and trusts only this server's own certificate.

import { createECDH, createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Agent, createServer, type RequestOptions, type Server } from "node:https";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import type { PushConfig } from "../../relay/config";
import { memoryLogger } from "../../relay/log";
import type { RelayMetrics } from "../../relay/metrics";
import { createRelay } from "../../relay/server";
import type { TestRelay } from "./relay";
import { selfSignedCert } from "./tls";

interface Ece {
  decrypt(body: Buffer, params: { version: "aes128gcm"; privateKey: unknown; authSecret: string }): Buffer;
}
// http_ece ships no types; it is the reference implementation of RFC 8188 that web-push uses.
const ece = createRequire(__filename)("http_ece") as Ece;

export const WEB_PUSH_HOST = "push.tether.test";

/** Sends every connection to the local server, whatever host was asked for, checking its certificate. */
class LocalAgent extends Agent {
  constructor(
    private readonly port: number,
    ca: string,
  ) {
    super({ ca, keepAlive: false });
  }

  override createConnection(options: RequestOptions, callback?: (err: Error | null, stream: Duplex) => void) {
    // `servername` (SNI and the name checked) stays the requested host.
    return super.createConnection({ ...options, host: "127.0.0.1", port: this.port }, callback);
  }
}

// --- the service ----------------------------------------------------------------------------

export interface ReceivedRequest {
  method: string;
  host: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** FCM's real error body for a token that was unregistered. */
export const FCM_UNREGISTERED = {
  error: {
    code: 404,
    message: "Requested entity was not found.",
    status: "NOT_FOUND",
    details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "UNREGISTERED" }],
  },
};

export class FakePushService {
  readonly requests: ReceivedRequest[] = [];
  /** Web Push answers by subscription id; 201 for ids not named, none at all for 0. */
  readonly webPushStatus = new Map<string, number>();
  /** FCM tokens that FCM reports as UNREGISTERED. */
  readonly unregisteredTokens = new Set<string>();
  readonly accessToken = "ya29.tether-test-" + randomBytes(8).toString("hex");
  private messages = 0;

  private constructor(
    private readonly server: Server,
    readonly agent: Agent,
  ) {}

  static async start(): Promise<FakePushService> {
    const tls = selfSignedCert([WEB_PUSH_HOST, "fcm.googleapis.com", "oauth2.googleapis.com"], "tether test push service");
    const server = createServer({ key: tls.key, cert: tls.cert });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const service = new FakePushService(server, new LocalAgent((server.address() as AddressInfo).port, tls.cert));
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const received = {
          method: req.method ?? "",
          host: (req.headers.host ?? "").replace(/:\d+$/, ""),
          path: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        const [status, answer] = service.answer(received);
        service.requests.push(received);
        if (status === 0) return; // a push service that never answers
        res.writeHead(status, answer === undefined ? {} : { "Content-Type": "application/json; charset=UTF-8" });
        res.end(answer === undefined ? undefined : JSON.stringify(answer));
      });
    });
    return service;
  }

  endpoint(id: string): string {
    return `https://${WEB_PUSH_HOST}/wpush/v2/${id}`;
  }

  /** Requests to one Web Push subscription, or to one FCM host. */
  to(idOrHost: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === `/wpush/v2/${idOrHost}` || r.host === idOrHost);
  }

  private answer(r: ReceivedRequest): [number, unknown?] {
    if (r.host === WEB_PUSH_HOST && r.method === "POST" && r.path.startsWith("/wpush/v2/")) {
      return [this.webPushStatus.get(r.path.slice("/wpush/v2/".length)) ?? 201];
    }
    if (r.host === "oauth2.googleapis.com" && r.method === "POST" && r.path === "/token") {
      return [200, { access_token: this.accessToken, expires_in: 3600, token_type: "Bearer" }];
    }
    const fcm = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(r.path);
    if (r.host === "fcm.googleapis.com" && r.method === "POST" && fcm) {
      const token = (JSON.parse(r.body.toString("utf8")) as { message?: { token?: string } }).message?.token ?? "";
      if (this.unregisteredTokens.has(token)) return [404, FCM_UNREGISTERED];
      return [200, { name: `projects/${fcm[1]}/messages/${++this.messages}` }];
    }
    return [404, { error: { code: 404, message: "not found", status: "NOT_FOUND" } }];
  }

  close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A real relay on 127.0.0.1, port 0, whose push requests all go to `service`. */
export async function startPushRelay(
  service: FakePushService,
  options: { dataDir?: string; push?: PushConfig; pushTimeoutMs?: number; webDir?: string; metrics?: RelayMetrics } = {},
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
      push: options.push,
    },
    { log, pushAgent: service.agent, pushTimeoutMs: options.pushTimeoutMs ?? 5_000, metrics: options.metrics },
  ).catch((err: unknown) => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return Object.assign(relay, {
    dataDir,
    logs: log.lines,
    async stop() {
      await relay.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

// --- the phone's side of Web Push, and checks of what the relay signed ---------------------

/** A browser's push subscription (P-256 key and 16-byte auth secret) and its decryption. */
export function makeSubscriber(endpoint: string) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16).toString("base64url");
  return {
    subscription: { endpoint, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth } },
    /** Opens an aes128gcm body the way the browser does. */
    decrypt: (body: Buffer): string =>
      ece.decrypt(body, { version: "aes128gcm", privateKey: ecdh, authSecret: auth }).toString("utf8"),
  };
}

function parseJwt(jwt: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signed: Buffer;
  signature: Buffer;
} {
  const [header, claims, signature] = jwt.split(".") as [string, string, string];
  const json = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  return {
    header: json(header),
    claims: json(claims),
    signed: Buffer.from(`${header}.${claims}`),
    signature: Buffer.from(signature, "base64url"),
  };
}

/** Checks `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292): ES256 by key `k`. Returns k and the claims. */
export function verifyVapid(authorization: string | undefined): { k: string; claims: Record<string, unknown> } {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
  if (!match) throw new Error(`not a VAPID authorization: ${authorization}`);
  const [, t, k] = match as unknown as [string, string, string];
  const point = Buffer.from(k, "base64url");
  const key = createPublicKey({
    format: "jwk",
    key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") },
  });
  const jwt = parseJwt(t);
  if (jwt.header.alg !== "ES256") throw new Error(`VAPID JWT alg ${String(jwt.header.alg)}`);
  if (!verify("sha256", jwt.signed, { key, dsaEncoding: "ieee-p1363" }, jwt.signature)) throw new Error("bad VAPID signature");
  return { k, claims: jwt.claims };
}

/** A Google service account key (RSA, as the console makes them) and the public half to check it. */
export function makeServiceAccount(projectId: string): { json: Record<string, string>; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const json = {
    type: "service_account",
    project_id: projectId,
    private_key_id: randomBytes(20).toString("hex"),
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    client_email: `tether-relay@${projectId}.iam.gserviceaccount.com`,
    client_id: "100000000000000000001",
    token_uri: "https://oauth2.googleapis.com/token",
  };
  return { json, publicKey };
}

/** Checks a JWT-bearer grant's assertion (RS256 by the service account); returns its claims. */
export function verifyAssertion(assertion: string, publicKey: KeyObject): Record<string, unknown> {
  const jwt = parseJwt(assertion);
  if (jwt.header.alg !== "RS256" || !verify("sha256", jwt.signed, publicKey, jwt.signature)) throw new Error("bad assertion");
  return jwt.claims;
}
