// Notifications through Firebase Cloud Messaging, end to end in real Chromium: a relay
// configured with a service account and a Firebase web config serves the built app; the app
// loads the real Firebase web SDK (its lazy chunk), which gets a token on the app's own service
// worker; the relay sends through firebase-admin to FCM HTTP v1; the message, wrapped the way
// FCM hands it to a browser, reaches the worker, which shows the approval.
//
// Google cannot be reached here, so three things stand in for it, each speaking the real wire
// format: FakePushService answers firebase-admin's OAuth and FCM send requests; Playwright
// routes answer the SDK's Firebase Installations and FCM registrations calls (their JSON API,
// as @firebase/installations and @firebase/messaging read it); and PushManager's subscribe
// returns a test subscription, as in the Web Push test. What FCM does between its send API
// and the browser (encrypting for the subscription, its own push service) is not exercised.

import assert from "node:assert/strict";
import { createECDH } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page, Request, Route } from "playwright-core";
import { FCM_DATA_KEY, fromBase64Url, pushMessageSchema } from "#protocol";
import { startFakeOpenAI, type FakeModelServer, type FakeTurn, type OpenAIBody } from "../support/fakeModels";
import type { Proc } from "../support/processes";
import { DIST, openPushPhone, startHostProcess, type PushPhone } from "../support/pushPhone";
import { FakePushService, makeServiceAccount, makeSubscriber, startPushRelay } from "../support/pushService";
import type { TestRelay } from "../support/relay";
import { until } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const PROJECT = "tether-e2e-project";
const webConfig = {
  apiKey: "AIzaSy-tether-e2e",
  authDomain: `${PROJECT}.firebaseapp.com`,
  projectId: PROJECT,
  messagingSenderId: "987654321012",
  appId: "1:987654321012:web:0e2e",
  vapidKey: createECDH("prime256v1").generateKeys("base64url"),
};
/** What Firebase Installations hands out, and what FCM registrations answers with. */
const FIS_AUTH_TOKEN = "eyJ-fis-auth-token.e2e";
const FCM_TOKEN = "fcm-e2e-token:APA91b" + "Q".repeat(140);
const call = (name: string, args: object, extra: Partial<FakeTurn> = {}): FakeTurn => ({ ...extra, toolCalls: [{ name, args }] });

interface FirebaseCall {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Record<string, unknown> | null;
}

describe("end to end: notifications on the phone through FCM", function () {
  this.timeout(120_000);
  let tmp: string;
  let workspace: string;
  let service: FakePushService;
  let relay: TestRelay;
  let host: Proc;
  let model: FakeModelServer<OpenAIBody>;
  let phone: PushPhone;
  let page: Page;
  let subscription: ReturnType<typeof makeSubscriber>["subscription"];
  let hostId: string;
  const firebase: FirebaseCall[] = [];
  let sent = 0;

  /** Answers one of the Firebase web SDK's requests with what Google's API would say. */
  const answer = async (route: Route, request: Request): Promise<void> => {
    const url = new URL(request.url());
    const body = request.postData() ? (JSON.parse(request.postData()!) as Record<string, unknown>) : null;
    firebase.push({ method: request.method(), url, headers: await request.allHeaders(), body });
    const cors = { "access-control-allow-origin": new URL(relay.url).origin };
    const installations = `/v1/projects/${PROJECT}/installations`;
    const registrations = `/v1/projects/${PROJECT}/registrations`;
    if (url.host === "firebaseinstallations.googleapis.com" && request.method() === "POST" && url.pathname === installations) {
      const fid = String(body?.fid);
      const json = {
        name: `projects/${webConfig.messagingSenderId}/installations/${fid}`,
        fid,
        refreshToken: "fis-refresh-token.e2e",
        authToken: { token: FIS_AUTH_TOKEN, expiresIn: "604800s" },
      };
      return route.fulfill({ status: 200, headers: cors, json });
    }
    if (url.host === "fcmregistrations.googleapis.com" && request.method() === "POST" && url.pathname === registrations) {
      return route.fulfill({ status: 200, headers: cors, json: { token: FCM_TOKEN } });
    }
    if (
      url.host === "fcmregistrations.googleapis.com" &&
      request.method() === "DELETE" &&
      url.pathname === `${registrations}/${FCM_TOKEN}`
    ) {
      return route.fulfill({ status: 200, headers: cors, json: {} });
    }
    return route.fulfill({
      status: 404,
      headers: cors,
      json: { error: { code: 404, message: "not found", status: "NOT_FOUND" } },
    });
  };
  const routeFirebase = async (context: BrowserContext): Promise<void> => {
    for (const origin of ["https://firebaseinstallations.googleapis.com", "https://fcmregistrations.googleapis.com"]) {
      await context.route(`${origin}/**`, answer);
    }
  };

  /** The next FCM HTTP v1 send that firebase-admin made, as FCM would deliver it to the browser. */
  const nextFcmPush = async (): Promise<{ token: string; delivered: string; message: string }> => {
    const send = await until(`FCM send ${sent + 1}`, () => service.to("fcm.googleapis.com")[sent], 30_000);
    sent++;
    const { message } = JSON.parse(send.body.toString("utf8")) as {
      message: { token: string; data: Record<string, string> };
    };
    // FCM's envelope around a data message, as a browser's worker receives it.
    const delivered = JSON.stringify({
      data: message.data,
      from: webConfig.messagingSenderId,
      priority: "high",
      fcmMessageId: "0:e2e%x",
    });
    return { token: message.token, delivered, message: message.data[FCM_DATA_KEY]! };
  };
  const browserSubscriptionKey = (): Promise<string | null> =>
    page.evaluate(async () => {
      const current = await (await navigator.serviceWorker.ready).pushManager.getSubscription();
      const key = current?.options.applicationServerKey;
      return key ? btoa(String.fromCharCode(...new Uint8Array(key))) : null;
    });
  const base64 = (b64url: string): string => Buffer.from(fromBase64Url(b64url)).toString("base64");

  before(async () => {
    if (!existsSync(join(DIST, "host.js")) || !existsSync(join(DIST, "mobile-web", "sw.js"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    tmp = mkdtempSync(join(tmpdir(), "tether-fcm-e2e-"));
    workspace = makeWorkspace({ "package.json": '{ "scripts": { "test": "echo 3 passing" } }\n' });
    const serviceAccountFile = join(tmp, "service-account.json");
    const webConfigFile = join(tmp, "web-config.json");
    writeFileSync(serviceAccountFile, JSON.stringify(makeServiceAccount(PROJECT).json));
    writeFileSync(webConfigFile, JSON.stringify(webConfig));
    service = await FakePushService.start();
    relay = await startPushRelay(service, {
      webDir: join(DIST, "mobile-web"),
      push: { enabled: true, subject: "https://tether.example", fcm: { serviceAccountFile, webConfigFile } },
    });
    model = await startFakeOpenAI();
    let link: string;
    ({ host, link } = await startHostProcess({
      relayUrl: relay.url,
      workspace,
      stateDir: join(tmp, "host"),
      modelUrl: model.url,
    }));
    // What Chrome's own subscription looks like: an FCM endpoint with the browser's keys.
    subscription = makeSubscriber("https://fcm.googleapis.com/fcm/send/chromium-e2e:APA91b-browser").subscription;
    phone = await openPushPhone(relay.url, link, subscription, routeFirebase);
    page = phone.page;
  });

  after(async () => {
    await phone?.close();
    await host?.stop();
    await relay?.stop();
    await service?.close();
    await model?.close();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("turns notifications on: the Firebase SDK gets a token for our worker's subscription, and the relay keeps it", async () => {
    await page.goto(new URL("/#/settings", relay.url).href);
    await page.locator('[data-testid="notifications-state"][data-state="off"]').waitFor();
    assert.equal(firebase.length, 0, "nothing is asked of Firebase before the person turns notifications on");
    await page.getByTestId("notifications-enable").click();
    // On, or the app's own words for what failed.
    await page.locator('[data-testid="notifications-state"][data-state="on"], [data-testid="error"]').first().waitFor();
    const errors = await page.getByTestId("error").allTextContents();
    assert.deepEqual(errors, []);
    assert.equal(await page.getByTestId("notifications-state").getAttribute("data-state"), "on");

    // The page's CSP let the SDK reach both hosts: a blocked fetch never reaches a route.
    const [install, register, ...rest] = firebase;
    assert.deepEqual(rest, []);
    assert.equal(install?.method, "POST");
    assert.equal(install.url.href, `https://firebaseinstallations.googleapis.com/v1/projects/${PROJECT}/installations`);
    assert.equal(install.headers["x-goog-api-key"], webConfig.apiKey);
    assert.equal(install.body?.appId, webConfig.appId);
    assert.equal(install.body?.authVersion, "FIS_v2");
    assert.match(String(install.body?.fid), /^[cdef][\w-]{21}$/);

    assert.equal(register?.method, "POST");
    assert.equal(register.url.href, `https://fcmregistrations.googleapis.com/v1/projects/${PROJECT}/registrations`);
    assert.equal(register.headers["x-goog-firebase-installations-auth"], `FIS ${FIS_AUTH_TOKEN}`);
    // FCM is told our subscription: its endpoint and keys, and the project's key it was made with.
    assert.deepEqual(register.body?.web, {
      origin: new URL(relay.url).host,
      endpoint: subscription.endpoint,
      auth: subscription.keys.auth,
      p256dh: subscription.keys.p256dh,
      applicationPubKey: webConfig.vapidKey,
    });
    assert.equal(
      await browserSubscriptionKey(),
      base64(webConfig.vapidKey),
      "subscribed with the project's key, not the relay's",
    );

    hostId = (await page.getByTestId("notifications-host").getAttribute("data-host-id"))!;
    const [stored] = await relay.store.pushSubscriptionsOfHost(hostId);
    assert.deepEqual(stored?.target, { kind: "fcm", token: FCM_TOKEN });
  });

  it("shows an approval sent through FCM, and approves from its button", async () => {
    model.push(
      call("run_command", { command: "npm test", reason: "run the tests" }, { text: "Running the tests.", delayMs: 700 }),
      call("finish", { summary: "The tests pass." }),
    );
    await page.goto(new URL("/#/hosts", relay.url).href);
    await page.getByTestId("host-row").click();
    await page.getByTestId("new-task-button").click();
    await page.getByTestId("task-text").fill("Check that the tests pass");
    await page.getByTestId("task-submit").click();
    await page.getByTestId("thread").waitFor();
    await page.goto(new URL("/#/hosts", relay.url).href);

    const approval = await nextFcmPush();
    assert.equal(approval.token, FCM_TOKEN);
    assert.doesNotMatch(approval.message, /npm test|run the tests|api-box/, "the FCM data carries plaintext");
    assert.ok(pushMessageSchema.safeParse(JSON.parse(approval.message)).success);
    await phone.deliver(approval.delivered);
    const [notification] = await phone.waitShown(1);
    assert.match(notification!.title, /^Approve `npm test` in .+\?$/);
    assert.match(notification!.body, /run the tests/);
    assert.deepEqual(notification!.actions, ["approve", "deny"]);

    await phone.worker().evaluate(`(async () => {
      const [shown] = await self.registration.getNotifications();
      self.dispatchEvent(new NotificationEvent("notificationclick", { notification: shown, action: "approve" }));
    })()`);
    await phone.waitShown(0);
    // The host applied it and says so, through FCM again.
    await nextFcmPush().then((settled) => phone.deliver(settled.delivered));
    await nextFcmPush().then((finished) => phone.deliver(finished.delivered));
    const [done] = await phone.waitShown(1);
    assert.match(done!.title, /^Done: /);
  });

  it("turns notifications off: the token is revoked at FCM, and the relay and the browser forget it", async () => {
    const before = firebase.length;
    await page.goto(new URL("/#/settings", relay.url).href);
    await page.locator('[data-testid="notifications-state"][data-state="on"]').waitFor();
    await page.getByTestId("notifications-enable").click();
    await page.locator('[data-testid="notifications-state"][data-state="off"]').waitFor();
    // The button is usable again once the relay, FCM and the browser were all told.
    await page.locator('[data-testid="notifications-enable"]:not([disabled])').waitFor();
    const revoke = firebase.slice(before).find((c) => c.method === "DELETE");
    assert.equal(revoke?.url.href, `https://fcmregistrations.googleapis.com/v1/projects/${PROJECT}/registrations/${FCM_TOKEN}`);
    assert.equal(revoke.headers["x-goog-firebase-installations-auth"], `FIS ${FIS_AUTH_TOKEN}`);
    assert.equal(await browserSubscriptionKey(), null);
    assert.deepEqual(await relay.store.pushSubscriptionsOfHost(hostId), []);
  });

  it("raised no errors in the page", () => {
    assert.deepEqual(phone.pageErrors, []);
  });
});
