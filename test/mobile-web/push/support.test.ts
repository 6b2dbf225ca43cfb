import assert from "node:assert/strict";
import {
  availabilityText,
  pushAvailability,
  pushEnvironment,
  type AvailabilityInput,
  type PushAvailability,
  type PushEnvironment,
} from "../../../mobile-web/src/push/support";

const capable: PushEnvironment = {
  secure: true,
  serviceWorker: true,
  pushManager: true,
  notification: true,
  iosBrowserTab: false,
};
const offer = { vapidPublicKey: "BNc3k-vapid" };

const availability = (over: Partial<AvailabilityInput> & { env?: Partial<PushEnvironment> } = {}): PushAvailability => {
  const { env, ...rest } = over;
  return pushAvailability({ environment: { ...capable, ...env }, permission: "default", offer, subscribed: false, ...rest });
};

/** A stand-in for `globalThis` with only the given properties. */
const globals = (props: Record<string, unknown>): typeof globalThis => props as unknown as typeof globalThis;

const EVERY_CASE: PushAvailability[] = [
  "insecure",
  "unsupported",
  "install-first",
  "connecting",
  "no-relay-push",
  "blocked",
  "off",
  "on",
];

describe("whether notifications can work on this phone", () => {
  it("asks for HTTPS first, whatever else the browser has", () => {
    assert.equal(availability({ env: { secure: false } }), "insecure");
    assert.equal(availability({ env: { secure: false, iosBrowserTab: true, pushManager: false } }), "insecure");
    assert.equal(availability({ env: { secure: false }, permission: "granted", subscribed: true }), "insecure");
  });

  it("calls a browser without a service worker, push or notifications unsupported", () => {
    assert.equal(availability({ env: { serviceWorker: false } }), "unsupported");
    assert.equal(availability({ env: { pushManager: false } }), "unsupported");
    assert.equal(availability({ env: { notification: false } }), "unsupported");
  });

  it("tells an iPhone user in a Safari tab to add the app to the Home Screen instead", () => {
    assert.equal(availability({ env: { pushManager: false, notification: false, iosBrowserTab: true } }), "install-first");
    // A tab that does have push (a future Safari) is not sent off to install.
    assert.equal(availability({ env: { iosBrowserTab: true } }), "off");
  });

  it("reports notifications blocked in the site settings, even when the relay still holds a subscription", () => {
    assert.equal(availability({ permission: "denied" }), "blocked");
    assert.equal(availability({ permission: "denied", subscribed: true }), "blocked");
    assert.equal(availability({ permission: "denied", offer: undefined }), "blocked");
  });

  it("shows notifications on from the start for a subscribed phone, before the relay said hello", () => {
    assert.equal(availability({ permission: "granted", subscribed: true }), "on");
    assert.equal(availability({ permission: "granted", subscribed: true, offer: undefined }), "on");
  });

  it("waits for the relay's hello, then says whether the relay sends notifications at all", () => {
    assert.equal(availability({ offer: undefined }), "connecting");
    assert.equal(availability({ offer: null }), "no-relay-push");
    assert.equal(availability({ permission: "granted", offer: null }), "no-relay-push");
  });

  it("is off when the relay offers push but this phone is not subscribed, or lost its permission", () => {
    assert.equal(availability(), "off");
    assert.equal(availability({ permission: "granted" }), "off");
    assert.equal(availability({ permission: "default", subscribed: true }), "off");
  });

  it("has a sentence of its own for every case", () => {
    const texts = EVERY_CASE.map(availabilityText);
    for (const text of texts) assert.match(text, /^[A-Z].{10,}[.…]$/, text);
    assert.equal(new Set(texts).size, EVERY_CASE.length);
    assert.match(availabilityText("install-first"), /Home Screen/);
    assert.match(availabilityText("insecure"), /HTTPS/);
  });
});

describe("what the browser offers for notifications", () => {
  it("sees everything in an installed app or a desktop browser over HTTPS", () => {
    const env = pushEnvironment(
      globals({ isSecureContext: true, navigator: { serviceWorker: {} }, PushManager: class {}, Notification: class {} }),
    );
    assert.deepEqual(env, capable);
    const installedIos = pushEnvironment(
      globals({
        isSecureContext: true,
        navigator: { serviceWorker: {}, standalone: true },
        PushManager: class {},
        Notification: class {},
      }),
    );
    assert.deepEqual(installedIos, capable);
    assert.equal(pushAvailability({ environment: installedIos, permission: "default", offer, subscribed: false }), "off");
  });

  it("recognises an iOS Safari tab, where push is missing until the app is installed", () => {
    const env = pushEnvironment(globals({ isSecureContext: true, navigator: { serviceWorker: {}, standalone: false } }));
    assert.deepEqual(env, { secure: true, serviceWorker: true, pushManager: false, notification: false, iosBrowserTab: true });
    assert.equal(pushAvailability({ environment: env, permission: "default", offer, subscribed: false }), "install-first");
  });

  it("sees a plain-HTTP page as insecure, and copes without a navigator", () => {
    const lan = pushEnvironment(
      globals({ isSecureContext: false, navigator: { serviceWorker: {} }, PushManager: class {}, Notification: class {} }),
    );
    assert.equal(lan.secure, false);
    assert.equal(pushAvailability({ environment: lan, permission: "granted", offer, subscribed: true }), "insecure");

    const bare = pushEnvironment(globals({}));
    assert.deepEqual(bare, {
      secure: false,
      serviceWorker: false,
      pushManager: false,
      notification: false,
      iosBrowserTab: false,
    });
  });
});
