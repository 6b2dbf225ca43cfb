// Firebase Cloud Messaging through `firebase-admin`: the HTTP v1 send API, authorized with
// the operator's service account. The message rides as a data field, and the Web Push headers
// are passed on, so the phone's service worker gets exactly what Web Push would bring.

import { createPrivateKey, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Agent } from "node:https";
import type { App } from "firebase-admin/app";
import type { Messaging } from "firebase-admin/messaging";
import { z } from "zod";
import { FCM_DATA_KEY } from "#protocol";
import type { PushTarget } from "../store/store";
import type { PushDelivery, PushOutcome, PushTransport } from "./transport";

/** What FCM needs from the operator: read and checked before the relay listens. */
export interface FcmSettings {
  /** The service account key file, checked; `cert()` reads it again itself. */
  serviceAccountFile: string;
  projectId: string;
  /** Firebase web config for the phone app (`hello.push.fcm`); public by design. */
  webConfig: Record<string, string>;
}

const serviceAccountSchema = z.object({
  type: z.literal("service_account"),
  project_id: z.string().min(1),
  client_email: z.string().min(1),
  private_key: z.string().includes("PRIVATE KEY"),
});

/** A P-256 public key as browsers take it for `pushManager.subscribe`: 65 bytes, uncompressed. */
function isVapidPublicKey(key: string): boolean {
  const bytes = Buffer.from(key, "base64url");
  return /^[A-Za-z0-9_-]+$/.test(key) && bytes.length === 65 && bytes[0] === 4;
}

// The fields the Firebase JS SDK needs to get a messaging token. `vapidKey` is optional: without
// it the SDK subscribes with Firebase's shared default key, which FCM still accepts.
const webConfigSchema = z
  .record(z.string(), z.string())
  .refine((c) => ["apiKey", "projectId", "messagingSenderId", "appId"].every((k) => c[k]), {
    message: "needs apiKey, projectId, messagingSenderId and appId (Firebase console → Project settings → Your apps)",
  })
  .refine((c) => c.vapidKey === undefined || isVapidPublicKey(c.vapidKey), {
    path: ["vapidKey"],
    message:
      "must be the Web Push certificate's public key, as shown in Firebase console → Project settings → Cloud Messaging → Web Push certificates",
  });

/**
 * What the Firebase web SDK fetches while it gets or deletes a token: Firebase Installations and
 * FCM registrations (@firebase/installations and @firebase/messaging). The app page's CSP must
 * let it reach them.
 */
export const FCM_WEB_SDK_ORIGINS = ["https://firebaseinstallations.googleapis.com", "https://fcmregistrations.googleapis.com"];

function readJson(file: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text, which here holds a private key.
    throw new Error(`${flag} ${file}: not valid JSON`);
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, flag: string, file: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const why = parsed.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`).join("; ");
  throw new Error(`${flag} ${file}: ${why}`);
}

/** Reads both files; throws an error that names the flag, the file and what is wrong. */
export function readFcmSettings(files: { serviceAccountFile: string; webConfigFile: string }): FcmSettings {
  const raw = readJson(files.serviceAccountFile, "--fcm-service-account");
  const account = check(serviceAccountSchema, raw, "--fcm-service-account", files.serviceAccountFile);
  const webConfig = check(
    webConfigSchema,
    readJson(files.webConfigFile, "--fcm-web-config"),
    "--fcm-web-config",
    files.webConfigFile,
  );
  try {
    createPrivateKey(account.private_key);
  } catch {
    throw new Error(`--fcm-service-account ${files.serviceAccountFile}: private_key is not a PEM private key`);
  }
  if (webConfig.projectId !== account.project_id) {
    // Tokens belong to a project; the service account of another one cannot send to them.
    throw new Error(
      `--fcm-web-config is for project "${webConfig.projectId}" but the service account is for "${account.project_id}"`,
    );
  }
  return { serviceAccountFile: files.serviceAccountFile, projectId: account.project_id, webConfig };
}

/** FCM errors that mean the token will never work again. */
function isGone(code: string, message: string): boolean {
  if (code === "messaging/registration-token-not-registered" || code === "messaging/invalid-registration-token") return true;
  // INVALID_ARGUMENT also covers bad messages; only the token's own refusal prunes it.
  return code === "messaging/invalid-argument" && /registration token/i.test(message);
}

export class FcmTransport implements PushTransport {
  readonly kind = "fcm";
  private closed = false;

  private constructor(
    private readonly app: App,
    private readonly messaging: Messaging,
    private readonly deleteApp: (app: App) => Promise<void>,
  ) {}

  /**
   * A named app per relay, so two relays in one process (tests, embedders) never share one.
   * `agent` carries the token and send requests; tests route it to a local server.
   */
  static async create(settings: FcmSettings, agent?: Agent): Promise<FcmTransport> {
    // Loaded only when FCM is configured: firebase-admin is large and most relays do without.
    const { cert, deleteApp, initializeApp } = await import("firebase-admin/app");
    const { getMessaging } = await import("firebase-admin/messaging");
    // The file's path, not its parsed JSON: given an object, firebase-admin 13 leaves the agent
    // out of the OAuth token request.
    const app = initializeApp(
      { credential: cert(settings.serviceAccountFile, agent), projectId: settings.projectId, httpAgent: agent },
      `tether-relay-${randomUUID()}`,
    );
    return new FcmTransport(app, getMessaging(app), deleteApp);
  }

  async send(target: PushTarget, message: string, delivery: PushDelivery): Promise<PushOutcome> {
    if (target.kind !== "fcm") return { result: "failed", status: "wrong-transport" };
    try {
      await this.messaging.send({
        token: target.token,
        data: { [FCM_DATA_KEY]: message },
        webpush: { headers: { TTL: String(delivery.ttlSeconds), Urgency: delivery.urgency, Topic: delivery.topic } },
      });
      return { result: "sent", status: 200 };
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      const code = typeof e.code === "string" ? e.code : "error";
      return { result: isGone(code, String(e.message)) ? "gone" : "failed", status: code };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.deleteApp(this.app);
  }
}
