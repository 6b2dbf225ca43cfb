import assert from "node:assert/strict";
import { fromBase64Url, pushSubscribeSchema, randomBytes, toBase64Url } from "#protocol";
import {
  ensureSubscription,
  madeWithKey,
  subscribeRequest,
  type PushManagerLike,
  type PushSubscriptionLike,
} from "../../../mobile-web/src/push/subscription";

/** A P-256 public key as raw uncompressed point, base64url: what a VAPID key and `p256dh` look like. */
async function p256PublicKey(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])) as CryptoKeyPair;
  return toBase64Url(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)));
}

/** What Chrome's `PushSubscription.toJSON()` returns. */
async function browserJson(over: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/${toBase64Url(randomBytes(12))}:APA91b${toBase64Url(randomBytes(90))}`,
    expirationTime: null,
    keys: { p256dh: await p256PublicKey(), auth: toBase64Url(randomBytes(16)) },
    ...over,
  };
}

class FakeSubscription implements PushSubscriptionLike {
  dropped = false;
  readonly options?: { readonly applicationServerKey: ArrayBuffer | null };
  constructor(
    private readonly json: unknown,
    applicationServerKey?: string | null,
  ) {
    if (applicationServerKey !== undefined) {
      this.options = { applicationServerKey: applicationServerKey === null ? null : fromBase64Url(applicationServerKey).buffer };
    }
  }
  toJSON(): unknown {
    return this.json;
  }
  async unsubscribe(): Promise<boolean> {
    this.dropped = true;
    return true;
  }
}

/** The browser's push manager: one current subscription, replaced on `subscribe`. */
class FakePushManager implements PushManagerLike {
  readonly subscribedWith: string[] = [];
  constructor(public current: FakeSubscription | null = null) {}
  async getSubscription(): Promise<FakeSubscription | null> {
    return this.current;
  }
  async subscribe(options: { userVisibleOnly: true; applicationServerKey: Uint8Array<ArrayBuffer> }): Promise<FakeSubscription> {
    assert.equal(options.userVisibleOnly, true);
    const key = toBase64Url(options.applicationServerKey);
    this.subscribedWith.push(key);
    this.current = new FakeSubscription(await browserJson(), key);
    return this.current;
  }
}

describe("the browser's push subscription", () => {
  let vapidKey: string;
  let otherKey: string;

  before(async () => {
    vapidKey = await p256PublicKey();
    otherKey = await p256PublicKey();
  });

  describe("telling which key a subscription was made with", () => {
    it("compares the key the browser reports, byte for byte", () => {
      const subscription = new FakeSubscription({}, vapidKey);
      assert.equal(madeWithKey(subscription, vapidKey, undefined), true);
      assert.equal(madeWithKey(subscription, vapidKey, otherKey), true, "the browser's own record wins over memory");
      assert.equal(madeWithKey(subscription, otherKey, vapidKey), false);
      assert.equal(madeWithKey(subscription, vapidKey.slice(0, 40), undefined), false, "a shorter key is another key");
    });

    it("trusts what the phone remembers when the browser does not say", () => {
      for (const subscription of [new FakeSubscription({}), new FakeSubscription({}, null)]) {
        assert.equal(madeWithKey(subscription, vapidKey, vapidKey), true);
        assert.equal(madeWithKey(subscription, vapidKey, otherKey), false);
        assert.equal(madeWithKey(subscription, vapidKey, undefined), false);
      }
    });
  });

  describe("making sure there is one for the relay's key", () => {
    it("subscribes when there is none yet, with the relay's key", async () => {
      const manager = new FakePushManager();
      const subscription = await ensureSubscription(manager, vapidKey, undefined);
      assert.deepEqual(manager.subscribedWith, [vapidKey]);
      assert.equal(subscription, manager.current);
    });

    it("keeps a subscription made with the same key", async () => {
      const current = new FakeSubscription(await browserJson(), vapidKey);
      const manager = new FakePushManager(current);
      assert.equal(await ensureSubscription(manager, vapidKey, undefined), current);
      assert.deepEqual(manager.subscribedWith, []);
      assert.equal(current.dropped, false);
    });

    it("drops the old subscription and makes a new one when the relay's key changed", async () => {
      const old = new FakeSubscription(await browserJson(), otherKey);
      const manager = new FakePushManager(old);
      const fresh = await ensureSubscription(manager, vapidKey, otherKey);
      assert.equal(old.dropped, true);
      assert.notEqual(fresh, old);
      assert.deepEqual(manager.subscribedWith, [vapidKey]);
    });

    it("renews a subscription of unknown origin unless the phone remembers making it with this key", async () => {
      const remembered = new FakeSubscription(await browserJson());
      assert.equal(await ensureSubscription(new FakePushManager(remembered), vapidKey, vapidKey), remembered);

      const unknown = new FakeSubscription(await browserJson());
      const manager = new FakePushManager(unknown);
      await ensureSubscription(manager, vapidKey, undefined);
      assert.equal(unknown.dropped, true);
      assert.deepEqual(manager.subscribedWith, [vapidKey]);
    });

    it("still subscribes when dropping the old subscription fails", async () => {
      const stuck = new FakeSubscription(await browserJson(), otherKey);
      stuck.unsubscribe = () => Promise.reject(new Error("InvalidStateError"));
      const manager = new FakePushManager(stuck);
      await ensureSubscription(manager, vapidKey, otherKey);
      assert.deepEqual(manager.subscribedWith, [vapidKey]);
    });
  });

  describe("the request for the relay", () => {
    it("carries the browser's subscription and the muted hosts, once each", async () => {
      const json = await browserJson();
      const request = subscribeRequest(new FakeSubscription(json, vapidKey), ["host-a", "host-b", "host-a"]);
      assert.deepEqual(request, { target: { kind: "webpush", subscription: json }, muted: ["host-a", "host-b"] });
      assert.equal(pushSubscribeSchema.safeParse(request).success, true);
    });

    it("accepts Firefox's shape, without an expiration time", async () => {
      const { expirationTime: _expirationTime, ...json } = await browserJson({
        endpoint: "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABn",
      });
      assert.notEqual(subscribeRequest(new FakeSubscription(json), []), null);
    });

    it("gives nothing for a subscription the relay could not push to", async () => {
      const good = await browserJson();
      const keys = good.keys as { p256dh: string; auth: string };
      const junk: unknown[] = [
        null,
        "https://fcm.googleapis.com/fcm/send/abc",
        {},
        { ...good, keys: undefined },
        { endpoint: good.endpoint },
        { ...good, keys: { p256dh: keys.p256dh } },
        { ...good, keys: { ...keys, p256dh: "" } },
        { ...good, endpoint: "not a url" },
        { ...good, endpoint: 42 },
        { ...good, unexpected: true },
      ];
      for (const json of junk) assert.equal(subscribeRequest(new FakeSubscription(json), []), null, JSON.stringify(json));
    });

    it("gives nothing for an endpoint that is not https, which the relay refuses to post to", async () => {
      // The relay answers such a subscription with "The push endpoint must be a public https
      // URL." (relay/push/webPush.ts isPushEndpoint); the phone should not blame the connection.
      for (const endpoint of ["http://fcm.googleapis.com/fcm/send/abc", "file:///etc/passwd", "javascript:alert(1)"]) {
        assert.equal(subscribeRequest(new FakeSubscription(await browserJson({ endpoint })), []), null, endpoint);
      }
    });
  });
});
