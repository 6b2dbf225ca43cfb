import assert from "node:assert/strict";
import { createECDH } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pushMessageSchema } from "#protocol";
import type { PushConfig } from "../../relay/config";
import { topicFor } from "../../relay/push/notifications";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { FakePushService, makeServiceAccount, makeSubscriber, startPushRelay, verifyAssertion } from "../support/pushService";
import type { TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";

const box = { e: 1, iv: "A".repeat(16), ct: "C".padEnd(40, "x") };
const PROJECT = "tether-test-project";
const webConfig = {
  apiKey: "AIza-test",
  projectId: PROJECT,
  messagingSenderId: "1234567890",
  appId: "1:1234567890:web:abc",
  // The project's Web Push certificate: a P-256 public key, as the Firebase console shows it.
  vapidKey: createECDH("prime256v1").generateKeys("base64url"),
};

describe("relay: push notifications through FCM", () => {
  let service: FakePushService;
  let relay: TestRelay | undefined;
  let dir: string;
  let account: ReturnType<typeof makeServiceAccount>;
  let fcm: { serviceAccountFile: string; webConfigFile: string };
  const cleanup: (() => unknown)[] = [];

  const write = (name: string, content: unknown): string => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  };
  const push = (files = fcm): PushConfig => ({ enabled: true, subject: "https://tether.example", fcm: files });
  /** A host with `count` paired phones, and a raw socket to speak for the host. */
  const paired = async (count = 1): Promise<{ host: TestHost; phones: PairedPhone[]; hostSocket: PhoneSocket }> => {
    const workspace = makeWorkspace({ "README.md": "hello\n" });
    const host = await startHost(relay!.url, workspace);
    const phones: PairedPhone[] = [];
    cleanup.push(async () => {
      for (const p of phones) p.close();
      await host.stop();
      rmSync(workspace, { recursive: true, force: true });
    });
    for (let i = 0; i < count; i++) phones.push(await pairPhone((await host.host.openPairing()).url));
    host.host.close();
    const hostSocket = connect(relay!.url, { token: host.identity.credentials(relay!.url)!.token });
    cleanup.push(() => hostSocket.close());
    await connected(hostSocket);
    return { host, phones, hostSocket };
  };
  const subscribeToken = async (phone: PairedPhone, token: string) =>
    assert.deepEqual(
      await phone.socket.timeout(5000).emitWithAck("push:subscribe", { target: { kind: "fcm", token }, muted: [] }),
      {
        ok: true,
      },
    );
  const notify = (socket: PhoneSocket, tag: string) =>
    socket.timeout(15_000).emitWithAck("push:send", { threadId: "thread-1", tag, box, urgency: "normal" });

  beforeEach(async () => {
    service = await FakePushService.start();
    dir = mkdtempSync(join(tmpdir(), "tether-fcm-"));
    account = makeServiceAccount(PROJECT);
    fcm = { serviceAccountFile: write("service-account.json", account.json), webConfigFile: write("web-config.json", webConfig) };
  });

  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
    await relay?.stop();
    relay = undefined;
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends through firebase-admin to FCM HTTP v1 with the service account's token, beside Web Push", async () => {
    relay = await startPushRelay(service, { push: push() });
    const {
      phones: [phone, webPhone],
      hostSocket,
    } = await paired(2);
    assert.deepEqual(phone!.hello.push?.fcm, webConfig, "hello hands the phone the Firebase web config");
    assert.ok(phone!.hello.push?.vapidPublicKey);
    const token = "fcm-token-" + "t".repeat(140);
    await subscribeToken(phone!, token);
    // The host's other phone is on Web Push: one notification goes out through both transports.
    const subscriber = makeSubscriber(service.endpoint("web-phone"));
    const target = { kind: "webpush" as const, subscription: subscriber.subscription };
    assert.deepEqual(await webPhone!.socket.timeout(5000).emitWithAck("push:subscribe", { target, muted: [] }), { ok: true });

    assert.deepEqual(await notify(hostSocket, "f-run-1"), { ok: true, sent: 2 });
    assert.equal(JSON.parse(subscriber.decrypt(service.to("web-phone")[0]!.body)).tag, "f-run-1");

    const [grant] = service.to("oauth2.googleapis.com");
    assert.ok(grant, "an OAuth token was fetched for the service account");
    const form = new URLSearchParams(grant.body.toString("utf8"));
    assert.equal(form.get("grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
    const claims = verifyAssertion(form.get("assertion") ?? "", account.publicKey);
    assert.equal(claims.iss, account.json.client_email);
    assert.equal(claims.aud, "https://oauth2.googleapis.com/token");
    assert.match(String(claims.scope), /firebase\.messaging/);

    const [send] = service.to("fcm.googleapis.com");
    assert.ok(send);
    assert.equal(send.method, "POST");
    assert.equal(send.path, `/v1/projects/${PROJECT}/messages:send`);
    assert.equal(send.headers.authorization, `Bearer ${service.accessToken}`);
    const body = JSON.parse(send.body.toString("utf8")) as { message: { data: { message: string } } };
    assert.deepEqual(body, {
      message: {
        token,
        data: { message: body.message.data.message },
        webpush: { headers: { TTL: "86400", Urgency: "normal", Topic: topicFor(phone!.hostId, "f-run-1") } },
      },
    });
    assert.deepEqual(pushMessageSchema.parse(JSON.parse(body.message.data.message)), {
      hostId: phone!.hostId,
      threadId: "thread-1",
      tag: "f-run-1",
      box,
    });
  });

  it("forgets a token FCM reports as UNREGISTERED", async () => {
    relay = await startPushRelay(service, { push: push() });
    const {
      phones: [phone],
      hostSocket,
    } = await paired();
    const token = "stale-token-" + "s".repeat(140);
    service.unregisteredTokens.add(token);
    await subscribeToken(phone!, token);
    assert.deepEqual(await notify(hostSocket, "a-1"), { ok: true, sent: 0 });
    assert.equal(await relay.store.pushSubscription(phone!.deviceId), undefined);
    assert.deepEqual(await notify(hostSocket, "a-2"), { ok: true, sent: 0 });
    assert.equal(service.to("fcm.googleapis.com").length, 1, "the pruned token is not tried again");
  });

  it("starts without a Web Push certificate key in the web config, and offers the config as given", async () => {
    const { vapidKey: _key, ...withoutKey } = webConfig;
    relay = await startPushRelay(service, { push: push({ ...fcm, webConfigFile: write("web-no-key.json", withoutKey) }) });
    const {
      phones: [phone],
    } = await paired();
    assert.deepEqual(phone!.hello.push?.fcm, withoutKey);
  });

  it("lets the app page reach the Firebase web SDK's hosts only when FCM is on", async () => {
    const webDir = join(dir, "web");
    mkdirSync(webDir);
    writeFileSync(join(webDir, "index.html"), "<!doctype html><title>Tether</title>");
    const connectSrc = async (started: TestRelay): Promise<string | undefined> => {
      const response = await fetch(started.url + "/#/settings");
      assert.equal(response.status, 200);
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self';/, "the rest of the policy is unchanged");
      return csp.split("; ").find((d) => d.startsWith("connect-src"));
    };
    const plain = await startPushRelay(service, { webDir });
    cleanup.push(() => plain.stop());
    assert.equal(await connectSrc(plain), "connect-src 'self'");
    relay = await startPushRelay(service, { push: push(), webDir });
    assert.equal(
      await connectSrc(relay),
      "connect-src 'self' https://firebaseinstallations.googleapis.com https://fcmregistrations.googleapis.com",
    );
  });

  it("refuses to start when the FCM files are missing, unreadable or do not belong together", async () => {
    const secretKey = "-----BEGIN PRIVATE KEY-----\nMIIE-do-not-print-me\n-----END PRIVATE KEY-----";
    const cases: [Partial<typeof fcm>, RegExp][] = [
      [{ serviceAccountFile: join(dir, "missing.json") }, /--fcm-service-account .*missing\.json: cannot read it \(ENOENT\)/],
      [
        { serviceAccountFile: write("broken.json", `{"private_key": "${secretKey}"`) },
        /--fcm-service-account .*: not valid JSON/,
      ],
      [{ serviceAccountFile: write("partial.json", { type: "service_account", project_id: PROJECT }) }, /client_email/],
      [
        { serviceAccountFile: write("bad-key.json", { ...account.json, private_key: secretKey }) },
        /private_key is not a PEM private key/,
      ],
      [{ webConfigFile: write("web-partial.json", { apiKey: "x", projectId: PROJECT }) }, /--fcm-web-config .*messagingSenderId/],
      [{ webConfigFile: write("web-other.json", { ...webConfig, projectId: "another" }) }, /project "another"/],
      [
        { webConfigFile: write("web-bad-key.json", { ...webConfig, vapidKey: "the private key by mistake" }) },
        /--fcm-web-config .*vapidKey: must be the Web Push certificate's public key/,
      ],
    ];
    for (const [files, message] of cases) {
      await assert.rejects(startPushRelay(service, { push: push({ ...fcm, ...files }) }), (err: Error) => {
        assert.match(err.message, message);
        assert.ok(!err.message.includes("do-not-print-me"), "the key's text never appears in an error");
        return true;
      });
    }
  });
});
