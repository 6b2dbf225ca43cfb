import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ErrorCode, HTTP_COMMAND_PATH, type CommandForward } from "#protocol";
import { MAX_COMMAND_BODY_BYTES } from "../../relay/http/command";
import { startHost, type TestHost } from "../support/host";
import { connect, connected, pairPhone, type PairedPhone, type PhoneSocket } from "../support/phone";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";

const box = (n: number) => ({ e: 1, iv: "A".repeat(16), ct: `C${n}`.padEnd(40, "x") });

describe("relay: POST /api/command (notification buttons)", () => {
  let relay: TestRelay;
  let workspace: string;
  let host: TestHost;
  let phone: PairedPhone;
  const sockets: PhoneSocket[] = [];

  const hostSocket = async (): Promise<PhoneSocket> => {
    const socket = connect(relay.url, { token: host.identity.credentials(relay.url)!.token });
    sockets.push(socket);
    await connected(socket);
    return socket;
  };
  const post = (body: unknown, headers: Record<string, string> = {}, method = "POST") =>
    fetch(relay.url + HTTP_COMMAND_PATH, {
      method,
      headers: { Authorization: `Bearer ${phone.token}`, "Content-Type": "application/json", ...headers },
      body: method === "POST" ? (typeof body === "string" ? body : JSON.stringify(body)) : undefined,
    });
  const answer = async (response: Response) => ({ status: response.status, body: (await response.json()) as unknown });

  beforeEach(async () => {
    relay = await startRelay({ commandAckTimeoutMs: 1000 });
    workspace = makeWorkspace({ "README.md": "hello\n" });
    host = await startHost(relay.url, workspace);
    phone = await pairPhone((await host.host.openPairing()).url);
    host.host.close(); // the tests speak for the host on raw sockets
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    phone.close();
    await host.stop();
    await relay.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("keeps a command for an offline host, and hands it over when the host asks", async () => {
    const response = await post({ hostId: phone.hostId, id: "approve-1", box: box(1) });
    assert.deepEqual(await answer(response), { status: 202, body: { ok: true, queued: true } });
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.equal(response.headers.get("access-control-allow-origin"), null, "same origin only");
    assert.equal(await relay.store.inboxDepth(phone.hostId), 1);

    const socket = await hostSocket();
    const received: CommandForward[] = [];
    socket.on("command", (req, reply) => {
      received.push(req);
      reply({ ok: true, box: box(9) });
    });
    assert.deepEqual(await socket.timeout(5000).emitWithAck("inbox:flush", {}), { ok: true });
    assert.deepEqual(
      received.map((r) => [r.id, r.from, r.box]),
      [["approve-1", phone.deviceId, box(1)]],
    );
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0);
  });

  it("answers the host's sealed reply when the host is online, and passes on its refusal", async () => {
    const socket = await hostSocket();
    socket.on("command", (req, reply) => {
      if (req.id === "refused") reply({ ok: false, code: ErrorCode.BadSeal, message: "the command could not be opened" });
      else reply({ ok: true, box: box(7) });
    });
    assert.deepEqual(await answer(await post({ hostId: phone.hostId, id: "deny-1", box: box(2) })), {
      status: 200,
      body: { ok: true, queued: false, box: box(7) },
    });
    assert.deepEqual(await answer(await post({ hostId: phone.hostId, id: "refused", box: box(3) })), {
      status: 400,
      body: { ok: false, code: ErrorCode.BadSeal, message: "the command could not be opened" },
    });
    // The socket path gives the same answer for the same situation.
    const viaSocket = await phone.socket
      .timeout(5000)
      .emitWithAck("command", { hostId: phone.hostId, id: "deny-2", box: box(2) });
    assert.deepEqual(viaSocket, { ok: true, queued: false, box: box(7) });
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0);
  });

  it("takes commands only from a registered phone's token, and only by POST", async () => {
    const command = { hostId: phone.hostId, id: "c1", box: box(1) };
    const none = await fetch(relay.url + HTTP_COMMAND_PATH, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(command),
    });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), "Bearer");
    assert.equal(((await none.json()) as { code: string }).code, ErrorCode.Unauthorized);
    assert.equal((await post(command, { Authorization: `Bearer ${"x".repeat(43)}` })).status, 401, "unknown token");
    assert.equal((await post(command, { Authorization: `Basic ${phone.token}` })).status, 401);
    const asHost = await post(command, { Authorization: `Bearer ${host.identity.credentials(relay.url)!.token}` });
    assert.deepEqual(await answer(asHost), {
      status: 403,
      body: { ok: false, code: ErrorCode.Forbidden, message: "Only a phone sends commands." },
    });
    const get = await post(undefined, {}, "GET");
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0);
  });

  it("refuses malformed, mistyped and oversized bodies, and hosts the phone is not paired with", async () => {
    const code = async (response: Response) => [response.status, ((await response.json()) as { code: string }).code];
    assert.deepEqual(await code(await post("{not json")), [400, ErrorCode.BadRequest]);
    assert.deepEqual(await code(await post({ hostId: phone.hostId, id: "c1" })), [400, ErrorCode.BadRequest]);
    assert.deepEqual(await code(await post({ hostId: phone.hostId, id: "c1", box: box(1), extra: 1 })), [
      400,
      ErrorCode.BadRequest,
    ]);
    assert.deepEqual(await code(await post({ hostId: phone.hostId, id: "c1", box: box(1) }, { "Content-Type": "text/plain" })), [
      415,
      ErrorCode.BadRequest,
    ]);
    const huge = { hostId: phone.hostId, id: "c1", box: { ...box(1), ct: "x".repeat(MAX_COMMAND_BODY_BYTES) } };
    assert.deepEqual(await code(await post(huge)), [413, ErrorCode.TooLarge]);
    // Without a Content-Length (chunked), the relay counts as it reads.
    const chunked = new Blob([JSON.stringify(huge)]).stream();
    const streamed = await fetch(relay.url + HTTP_COMMAND_PATH, {
      method: "POST",
      headers: { Authorization: `Bearer ${phone.token}`, "Content-Type": "application/json" },
      body: chunked,
      duplex: "half",
    } as RequestInit);
    assert.deepEqual(await code(streamed), [413, ErrorCode.TooLarge]);
    assert.deepEqual(await code(await post({ hostId: "someone-else", id: "c1", box: box(1) })), [403, ErrorCode.Forbidden]);
    assert.equal(await relay.store.inboxDepth(phone.hostId), 0);
    assert.equal(await relay.store.inboxDepth("someone-else"), 0);
    // The relay still serves after all that.
    assert.equal((await post({ hostId: phone.hostId, id: "c2", box: box(1) })).status, 202);
  });
});
