import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { ErrorCode, pushMessageSchema, type PushSend } from "#protocol";
import { topicFor } from "../../relay/push/notifications";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, once, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { FakePushService, makeSubscriber, startPushRelay, verifyVapid, WEB_PUSH_HOST } from "../support/pushService";
import type { TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";

const box = (n: number) => ({ e: 1, iv: "A".repeat(16), ct: `C${n}`.padEnd(40, "x") });

describe("relay: push notifications", () => {
  let service: FakePushService;
  let relay: TestRelay;
  let workspace: string;
  const hosts: TestHost[] = [];
  const phones: PairedPhone[] = [];
  const sockets: PhoneSocket[] = [];

  const newHost = async (): Promise<TestHost> => {
    const host = await startHost(relay.url, workspace);
    hosts.push(host);
    return host;
  };
  const newPhone = async (host: TestHost): Promise<PairedPhone> => {
    const phone = await pairPhone((await host.host.openPairing()).url);
    phones.push(phone);
    return phone;
  };
  const open = async (token: string): Promise<PhoneSocket> => {
    const socket = connect(relay.url, { token });
    sockets.push(socket);
    await connected(socket);
    return socket;
  };
  /** The host's credentials on a raw socket: the test speaks for the host. */
  const asHost = (host: TestHost): Promise<PhoneSocket> => {
    host.host.close();
    return open(host.identity.credentials(relay.url)!.token);
  };
  /** Subscribes a phone with a fresh browser key pair; returns the endpoint's id and the subscriber. */
  const subscribe = async (socket: PhoneSocket, muted: string[] = []) => {
    const id = randomBytes(12).toString("base64url");
    const subscriber = makeSubscriber(service.endpoint(id));
    const target = { kind: "webpush" as const, subscription: subscriber.subscription };
    assert.deepEqual(await socket.timeout(5000).emitWithAck("push:subscribe", { target, muted }), { ok: true });
    return { id, ...subscriber };
  };
  const notify = (socket: PhoneSocket, tag: string, urgency: PushSend["urgency"] = "high", n = 1) =>
    socket.timeout(15_000).emitWithAck("push:send", { threadId: "thread-1", tag, box: box(n), urgency });

  beforeEach(async () => {
    service = await FakePushService.start();
    relay = await startPushRelay(service);
    workspace = makeWorkspace({ "README.md": "hello\n" });
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const p of phones.splice(0)) p.close();
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
    await relay.stop();
    await service.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("pushes a host's sealed notification to its phone, encrypted for the phone and signed with the relay's VAPID key", async () => {
    const host = await newHost();
    const phone = await newPhone(host);
    const vapidPublicKey = phone.hello.push?.vapidPublicKey;
    assert.match(vapidPublicKey ?? "", /^B[A-Za-z0-9_-]{86}$/, "hello offers the raw P-256 key to subscribe with");
    assert.equal(phone.hello.push?.fcm, undefined);
    const sub = await subscribe(phone.socket);
    const hostSocket = await asHost(host);

    assert.deepEqual(await notify(hostSocket, "a-approval-1", "high"), { ok: true, sent: 1 });
    const [request] = service.to(sub.id);
    assert.ok(request);
    assert.equal(request.method, "POST");
    const message = pushMessageSchema.parse(JSON.parse(sub.decrypt(request.body)));
    assert.deepEqual(message, { hostId: phone.hostId, threadId: "thread-1", tag: "a-approval-1", box: box(1) });
    assert.equal(request.headers["content-encoding"], "aes128gcm");
    assert.equal(request.headers.ttl, "86400");
    assert.equal(request.headers.urgency, "high");
    assert.match(String(request.headers.topic), /^[A-Za-z0-9_-]{1,32}$/);
    assert.equal(request.headers.topic, topicFor(phone.hostId, "a-approval-1"));

    const vapid = verifyVapid(request.headers.authorization);
    assert.equal(vapid.k, vapidPublicKey);
    assert.equal(vapid.claims.aud, `https://${WEB_PUSH_HOST}`);
    assert.equal(vapid.claims.sub, "mailto:tether-relay@localhost");
    const expiresIn = Number(vapid.claims.exp) - Date.now() / 1000;
    assert.ok(expiresIn > 0 && expiresIn <= 24 * 3600, `exp ${expiresIn} s ahead`);

    const logs = relay.logs.join("");
    for (const secret of [box(1).ct, sub.id, sub.subscription.keys.auth])
      assert.ok(!logs.includes(secret), "no payload or endpoint in the logs");
  });

  it("sends each tag once, also when the host repeats it, and a new tag again", async () => {
    const host = await newHost();
    const phone = await newPhone(host);
    const sub = await subscribe(phone.socket);
    const hostSocket = await asHost(host);

    const answers = await Promise.all([notify(hostSocket, "f-run-1"), notify(hostSocket, "f-run-1")]);
    assert.deepEqual(answers, [
      { ok: true, sent: 1 },
      { ok: true, sent: 1 },
    ]);
    // A host that missed the answer (its link dropped) sends again after reconnecting.
    hostSocket.close();
    const again = await open(host.identity.credentials(relay.url)!.token);
    assert.deepEqual(await notify(again, "f-run-1"), { ok: true, sent: 1 });
    assert.equal(service.to(sub.id).length, 1, "one push for one tag");

    assert.deepEqual(await notify(again, "f-run-2", "normal"), { ok: true, sent: 1 });
    assert.equal(service.to(sub.id).length, 2);
    assert.equal(service.to(sub.id)[1]!.headers.urgency, "normal");
    assert.notEqual(service.to(sub.id)[1]!.headers.topic, service.to(sub.id)[0]!.headers.topic);
  });

  it("forgets a subscription the push service calls gone, and keeps one after a failure so a retry gets through", async () => {
    const host = await newHost();
    const gonePhone = await newPhone(host);
    const flakyPhone = await newPhone(host);
    const gone = await subscribe(gonePhone.socket);
    const flaky = await subscribe(flakyPhone.socket);
    service.webPushStatus.set(gone.id, 410);
    service.webPushStatus.set(flaky.id, 500);
    const hostSocket = await asHost(host);

    assert.deepEqual(await notify(hostSocket, "q-question-1"), { ok: true, sent: 0 });
    assert.equal(
      await relay.store.pushSubscription(gonePhone.deviceId),
      undefined,
      "the 410 subscription is gone from the store",
    );
    assert.ok(await relay.store.pushSubscription(flakyPhone.deviceId), "a 500 is not a reason to forget");

    service.webPushStatus.delete(flaky.id);
    assert.deepEqual(await notify(hostSocket, "q-question-1"), { ok: true, sent: 1 }, "the retry of a failed tag is sent");
    assert.deepEqual(await notify(hostSocket, "q-question-2"), { ok: true, sent: 1 });
    assert.equal(service.to(gone.id).length, 1, "nothing more to the gone subscription");
    assert.equal(service.to(flaky.id).length, 3);
  });

  it("does not let a push service that never answers hold up the others", async () => {
    await relay.stop();
    relay = await startPushRelay(service, { pushTimeoutMs: 500 });
    const host = await newHost();
    const stuck = await subscribe((await newPhone(host)).socket);
    const fine = await subscribe((await newPhone(host)).socket);
    service.webPushStatus.set(stuck.id, 0);
    const hostSocket = await asHost(host);
    const started = Date.now();
    assert.deepEqual(await notify(hostSocket, "a-1"), { ok: true, sent: 1 });
    assert.ok(Date.now() - started < 5000, "answered after the deadline, not the push service");
    assert.equal(service.to(fine.id).length, 1);
    assert.equal(service.to(stuck.id).length, 1);
    assert.ok(
      relay.logs.some((l) => l.includes('"msg":"push failed"')),
      "the stuck one is logged as failed",
    );
  });

  it("reaches only the phones paired with the sending host that did not mute it", async () => {
    const hostA = await newHost();
    const hostB = await newHost();
    const listening = await newPhone(hostA);
    const muting = await newPhone(hostA);
    const other = await newPhone(hostB);
    const toListening = await subscribe(listening.socket);
    const toMuting = await subscribe(muting.socket, [muting.hostId]);
    const toOther = await subscribe(other.socket);
    const socketA = await asHost(hostA);

    assert.deepEqual(await notify(socketA, "a-1"), { ok: true, sent: 1 });
    assert.equal(service.to(toListening.id).length, 1);
    assert.equal(service.to(toMuting.id).length, 0, "a muted host does not notify");
    assert.equal(service.to(toOther.id).length, 0, "another host's phone never hears of it");

    const unmuted = await subscribe(muting.socket, []);
    assert.deepEqual(await notify(socketA, "a-2"), { ok: true, sent: 2 });
    assert.equal(service.to(unmuted.id).length, 1);
    assert.equal(service.to(toMuting.id).length, 0, "the replaced subscription is not used");
  });

  it("stops pushing to a phone after push:unsubscribe", async () => {
    const host = await newHost();
    const phone = await newPhone(host);
    const sub = await subscribe(phone.socket);
    assert.deepEqual(await phone.socket.timeout(5000).emitWithAck("push:unsubscribe", {}), { ok: true });
    assert.deepEqual(await phone.socket.timeout(5000).emitWithAck("push:unsubscribe", {}), { ok: true }, "twice is fine");
    const hostSocket = await asHost(host);
    assert.deepEqual(await notify(hostSocket, "a-1"), { ok: true, sent: 0 });
    assert.equal(service.to(sub.id).length, 0);
  });

  it("keeps its VAPID keys across a restart, so subscriptions made before still work", async () => {
    const host = await newHost();
    const phone = await newPhone(host);
    const before = phone.hello.push?.vapidPublicKey;
    const sub = await subscribe(phone.socket);
    const hostToken = host.identity.credentials(relay.url)!.token;
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
    for (const p of phones.splice(0)) p.close();

    const dataDir = relay.dataDir;
    await relay.close();
    const restarted = await startPushRelay(service, { dataDir });
    relay = Object.assign(restarted, {
      async stop() {
        await restarted.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    });
    const phoneSocket = connect(relay.url, { token: phone.token });
    sockets.push(phoneSocket);
    const hello = once(phoneSocket, "hello");
    await connected(phoneSocket);
    assert.equal((await hello).push?.vapidPublicKey, before);

    assert.deepEqual(await notify(await open(hostToken), "a-after-restart"), { ok: true, sent: 1 });
    const [request] = service.to(sub.id);
    assert.equal(verifyVapid(request!.headers.authorization).k, before);
  });

  it("answers malformed or misplaced push requests with typed errors and stores nothing", async () => {
    const host = await newHost();
    const phone = await newPhone(host);
    const { subscription } = makeSubscriber(service.endpoint("x"));
    const subscribeWith = (payload: unknown, socket: PhoneSocket = phone.socket) =>
      socket.timeout(5000).emitWithAck("push:subscribe", payload as never);
    const code = (answer: { ok: boolean; code?: string }) => (answer.ok ? "ok" : answer.code);

    for (const payload of [
      {},
      { target: { kind: "webpush" }, muted: [] },
      { target: { kind: "webpush", subscription: { ...subscription, keys: { p256dh: "short", auth: "x" } } }, muted: [] },
      { target: { kind: "apns", token: "t".repeat(40) }, muted: [] },
      { target: { kind: "webpush", subscription }, muted: "all" },
      // Only public https push services: no plain http, nothing on the relay's own network.
      { target: { kind: "webpush", subscription: { ...subscription, endpoint: "http://push.tether.test/x" } }, muted: [] },
      { target: { kind: "webpush", subscription: { ...subscription, endpoint: "https://127.0.0.1/x" } }, muted: [] },
      { target: { kind: "webpush", subscription: { ...subscription, endpoint: "https://localhost/x" } }, muted: [] },
      // This relay has no FCM service account.
      { target: { kind: "fcm", token: "t".repeat(40) }, muted: [] },
    ]) {
      assert.equal(code(await subscribeWith(payload)), ErrorCode.BadRequest, JSON.stringify(payload).slice(0, 120));
    }
    assert.equal(await relay.store.pushSubscription(phone.deviceId), undefined);

    const hostSocket = await asHost(host);
    const valid = { target: { kind: "webpush", subscription }, muted: [] };
    assert.equal(code(await subscribeWith(valid, hostSocket)), ErrorCode.Forbidden, "hosts do not subscribe");
    assert.equal(
      code(await phone.socket.timeout(5000).emitWithAck("push:send", { threadId: "t", tag: "x", box: box(1), urgency: "high" })),
      ErrorCode.Forbidden,
    );
    const anonymous = connect(relay.url);
    sockets.push(anonymous);
    await connected(anonymous);
    assert.equal(code(await subscribeWith(valid, anonymous)), ErrorCode.Unauthorized);
    const send = (payload: unknown) => hostSocket.timeout(5000).emitWithAck("push:send", payload as never);
    assert.equal(code(await send({ threadId: "t", tag: "x", box: box(1), urgency: "urgent" })), ErrorCode.BadRequest);
    assert.equal(code(await send({ threadId: "t", tag: "bad tag!", box: box(1), urgency: "high" })), ErrorCode.BadRequest);
    const huge = { e: 1, iv: "A".repeat(16), ct: "x".repeat(4000) };
    assert.equal(
      code(await send({ threadId: "t", tag: "x", box: huge, urgency: "high" })),
      ErrorCode.TooLarge,
      "push services take ~4 kB",
    );
    assert.equal(service.requests.length, 0);
  });

  it("with push off: no offer in hello, nothing to subscribe to, and a host's notification reaches nobody", async () => {
    await relay.stop();
    relay = await startPushRelay(service, { push: { enabled: false } });
    const host = await newHost();
    const phone = await newPhone(host);
    assert.equal(phone.hello.push, undefined);
    const { subscription } = makeSubscriber(service.endpoint("x"));
    const answer = await phone.socket
      .timeout(5000)
      .emitWithAck("push:subscribe", { target: { kind: "webpush", subscription }, muted: [] });
    assert.equal(!answer.ok && answer.code, ErrorCode.BadRequest);
    assert.deepEqual(await notify(await asHost(host), "a-1"), { ok: true, sent: 0 });
    assert.equal(service.requests.length, 0);
  });
});
