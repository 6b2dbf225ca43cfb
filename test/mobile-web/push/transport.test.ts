import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fromBase64Url, randomBytes, toBase64Url, type PushOffer } from "#protocol";
import { readPrefs, type PushPrefs } from "../../../mobile-web/src/push/prefs";
import { ensureSubscription, type PushManagerLike, type PushSubscriptionLike } from "../../../mobile-web/src/push/subscription";
import {
  FIREBASE_DEFAULT_VAPID_KEY,
  fcmRequest,
  rememberedKey,
  sentPrefs,
  transportFor,
} from "../../../mobile-web/src/push/transport";

async function p256PublicKey(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])) as CryptoKeyPair;
  return toBase64Url(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)));
}

const webConfig = {
  apiKey: "AIza-test",
  projectId: "tether-test",
  messagingSenderId: "1234567890",
  appId: "1:1234567890:web:abc",
};
const token = "fcm-token-" + "t".repeat(140);

/** A push manager whose subscriptions do not say their key, as in browsers without `options`. */
class KeylessPushManager implements PushManagerLike {
  readonly subscribedWith: string[] = [];
  current: PushSubscriptionLike | null = null;
  async getSubscription(): Promise<PushSubscriptionLike | null> {
    return this.current;
  }
  async subscribe(options: { applicationServerKey: Uint8Array<ArrayBuffer> }): Promise<PushSubscriptionLike> {
    this.subscribedWith.push(toBase64Url(options.applicationServerKey));
    const subscription: PushSubscriptionLike = {
      toJSON: () => ({}),
      unsubscribe: async () => {
        if (this.current === subscription) this.current = null;
        return true;
      },
    };
    this.current = subscription;
    return subscription;
  }
}

describe("choosing how the relay reaches this phone", () => {
  let relayKey: string;
  let projectKey: string;

  before(async () => {
    relayKey = await p256PublicKey();
    projectKey = await p256PublicKey();
  });

  it("uses Web Push with the relay's key when the relay offers no FCM", () => {
    assert.deepEqual(transportFor({ vapidPublicKey: relayKey }), { kind: "webpush", vapidKey: relayKey });
  });

  it("uses FCM with the Firebase project's key when the relay offers a web config", () => {
    const offer: PushOffer = { vapidPublicKey: relayKey, fcm: { ...webConfig, vapidKey: projectKey } };
    assert.deepEqual(transportFor(offer), { kind: "fcm", config: offer.fcm, vapidKey: projectKey });
  });

  it("falls back to the key the Firebase SDK itself uses when the project names none", () => {
    const transport = transportFor({ vapidPublicKey: relayKey, fcm: webConfig });
    assert.equal(transport.vapidKey, FIREBASE_DEFAULT_VAPID_KEY);
    const bytes = fromBase64Url(FIREBASE_DEFAULT_VAPID_KEY);
    assert.equal(bytes.length, 65);
    assert.equal(bytes[0], 4, "an uncompressed P-256 point");
    // The installed SDK's own default: if an upgrade changes it, this check must follow.
    const sdk = join(dirname(createRequire(__filename).resolve("@firebase/messaging")), "esm", "index.esm.js");
    assert.match(readFileSync(sdk, "utf8"), new RegExp(`const DEFAULT_VAPID_KEY = '${FIREBASE_DEFAULT_VAPID_KEY}'`));
  });

  it("trusts a remembered key only for the transport it was remembered with", () => {
    const web = transportFor({ vapidPublicKey: relayKey });
    const fcm = transportFor({ vapidPublicKey: relayKey, fcm: { ...webConfig, vapidKey: projectKey } });
    // Prefs stored before FCM existed name no transport: they were Web Push.
    const older = readPrefs({ enabled: true, muted: [], vapidKey: relayKey });
    assert.equal(rememberedKey(older, web), relayKey);
    assert.equal(rememberedKey(older, fcm), undefined);
    const onFcm: PushPrefs = { enabled: true, muted: [], transport: "fcm", vapidKey: projectKey, fcmToken: token };
    assert.equal(rememberedKey(onFcm, fcm), projectKey);
    assert.equal(rememberedKey(onFcm, web), undefined);
  });

  it("makes a new subscription with the project's key when the relay moves from Web Push to FCM, and back", async () => {
    const manager = new KeylessPushManager();
    const web = transportFor({ vapidPublicKey: relayKey });
    const fcm = transportFor({ vapidPublicKey: relayKey, fcm: { ...webConfig, vapidKey: projectKey } });
    let prefs: PushPrefs = { enabled: false, muted: [] };

    const first = await ensureSubscription(manager, web.vapidKey, rememberedKey(prefs, web));
    prefs = sentPrefs(prefs, { target: { kind: "webpush", subscription: first.toJSON() as never }, muted: [] }, web.vapidKey);
    assert.equal(await ensureSubscription(manager, web.vapidKey, rememberedKey(prefs, web)), first, "kept on the next hello");

    const second = await ensureSubscription(manager, fcm.vapidKey, rememberedKey(prefs, fcm));
    assert.notEqual(second, first);
    prefs = sentPrefs(prefs, fcmRequest(token, [])!, fcm.vapidKey);
    assert.equal(await ensureSubscription(manager, fcm.vapidKey, rememberedKey(prefs, fcm)), second);

    await ensureSubscription(manager, web.vapidKey, rememberedKey(prefs, web));
    assert.deepEqual(manager.subscribedWith, [relayKey, projectKey, relayKey]);
  });

  it("asks the relay to use the FCM token, with the muted hosts once each", () => {
    assert.deepEqual(fcmRequest(token, ["host-a", "host-b", "host-a"]), {
      target: { kind: "fcm", token },
      muted: ["host-a", "host-b"],
    });
    for (const bad of ["", "short", "x".repeat(5000)]) assert.equal(fcmRequest(bad, []), null, bad.slice(0, 10));
  });

  it("remembers the transport, its key and the FCM token once the relay was told, and no stale token", () => {
    const before: PushPrefs = { enabled: false, muted: ["host-a"] };
    const onFcm = sentPrefs(before, fcmRequest(token, before.muted)!, projectKey);
    assert.deepEqual(onFcm, { enabled: true, muted: ["host-a"], transport: "fcm", vapidKey: projectKey, fcmToken: token });
    assert.deepEqual(readPrefs(JSON.parse(JSON.stringify(onFcm))), onFcm, "and reads it back as stored");

    const subscription = {
      endpoint: "https://push.example/x",
      keys: { p256dh: toBase64Url(randomBytes(65)), auth: "a".repeat(22) },
    };
    const onWeb = sentPrefs(onFcm, { target: { kind: "webpush", subscription }, muted: ["host-a"] }, relayKey);
    assert.deepEqual(onWeb, { enabled: true, muted: ["host-a"], transport: "webpush", vapidKey: relayKey });
  });
});
