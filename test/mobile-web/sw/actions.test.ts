import assert from "node:assert/strict";
import {
  ErrorCode,
  HTTP_COMMAND_PATH,
  KeyPurpose,
  PAIRWISE_EPOCH,
  boxSchema,
  deriveSharedKey,
  generateDeviceKeyPair,
  open,
  seal,
  sealContext,
  sealedCommandSchema,
  type Command,
  type CommandReply,
} from "#protocol";
import { decideCommand, postCommand, type Fetch, type Sender } from "../../../mobile-web/src/sw/actions";
import { APPROVE_ACTION, DENY_ACTION } from "../../../mobile-web/src/sw/notifications";

const ORIGIN = "https://tether.example";

describe("an approval notification's buttons", () => {
  const data = { hostId: "host-1", threadId: "t-42", tag: "a-k3Jd9", approvalId: "k3Jd9" };

  it("turns Approve and Deny into the decision for that approval", () => {
    assert.deepEqual(decideCommand(data, APPROVE_ACTION), {
      type: "decide",
      threadId: "t-42",
      approvalId: "k3Jd9",
      decision: "approve",
    });
    assert.deepEqual(decideCommand(data, DENY_ACTION), {
      type: "decide",
      threadId: "t-42",
      approvalId: "k3Jd9",
      decision: "deny",
    });
  });

  it("decides nothing for a tap on the notification itself, an unknown button or missing data", () => {
    assert.equal(decideCommand(data, ""), null);
    assert.equal(decideCommand(data, "snooze"), null);
    assert.equal(decideCommand(null, APPROVE_ACTION), null);
    assert.equal(decideCommand({ tag: "q-7", hostId: "host-1", threadId: "t-42" }, APPROVE_ACTION), null);
    assert.equal(decideCommand({ tag: "a-1", hostId: "host-1", approvalId: "k3Jd9" }, APPROVE_ACTION), null);
    assert.equal(decideCommand({ ...data, approvalId: "" }, DENY_ACTION), null);
  });
});

describe("posting a decision from the lock screen", () => {
  let hostKey: CryptoKey;
  let sender: Sender;
  const command: Command = { type: "decide", threadId: "t-42", approvalId: "k3Jd9", decision: "approve" };

  before(async () => {
    // Each side derives the phone's command key from its own private key and the other's public one.
    const host = await generateDeviceKeyPair(false);
    const phone = await generateDeviceKeyPair(false);
    hostKey = await deriveSharedKey(host.privateKey, phone.publicKey, KeyPurpose.Command);
    const commandKey = await deriveSharedKey(phone.privateKey, host.publicKey, KeyPurpose.Command);
    sender = { deviceId: "phone-1", token: "tok_secret-device-token", hostId: "host-1", commandKey };
  });

  /**
   * The relay and the host behind it: checks the request as the relay receives it, opens the
   * command as the host would, and answers with `answer(id)`. A failed check is kept aside
   * (postCommand would swallow it) and raised by {@link post}.
   */
  function relay(answer: (id: string) => Promise<{ status?: number; body: unknown }>) {
    const seen: Command[] = [];
    let problem: unknown = null;
    const fetchFn: Fetch = async (input, init) => {
      try {
        assert.equal(input, `${ORIGIN}${HTTP_COMMAND_PATH}`);
        assert.equal(init.method, "POST");
        const headers = new Headers(init.headers);
        assert.equal(headers.get("authorization"), `Bearer ${sender.token}`);
        assert.equal(headers.get("content-type"), "application/json");
        assert.equal(init.cache, "no-store");
        assert.equal(init.credentials, "omit");
        const body = JSON.parse(String(init.body)) as Record<string, unknown>;
        assert.deepEqual(Object.keys(body).sort(), ["box", "hostId", "id"]);
        assert.equal(body.hostId, sender.hostId);
        const id = String(body.id);
        const box = boxSchema.parse(body.box);
        assert.equal(box.e, PAIRWISE_EPOCH);
        assert.doesNotMatch(String(init.body), /k3Jd9|approve/, "the relay sees no part of the decision");
        const sealed = sealedCommandSchema.parse(
          await open(hostKey, box, sealContext.command(sender.hostId, sender.deviceId, id)),
        );
        assert.ok(Math.abs(sealed.sentAt - Date.now()) < 10_000, "the decision carries when it was made");
        seen.push(sealed.command);
        const { status = 200, body: reply } = await answer(id);
        return new Response(JSON.stringify(reply), { status, headers: { "content-type": "application/json" } });
      } catch (error) {
        problem = error;
        throw error;
      }
    };
    return { fetchFn, seen, problem: () => problem };
  }

  /** Posts the decision through {@link relay}; the host must have received exactly that decision. */
  async function post(answer: (id: string) => Promise<{ status?: number; body: unknown }>) {
    const wire = relay(answer);
    const outcome = await postCommand(sender, command, wire.fetchFn, ORIGIN);
    if (wire.problem()) throw wire.problem();
    assert.deepEqual(wire.seen, [command]);
    return outcome;
  }

  const hostReply = async (id: string, reply: CommandReply) => ({
    body: {
      ok: true,
      queued: false,
      box: await seal(hostKey, PAIRWISE_EPOCH, reply, sealContext.commandReply(sender.hostId, sender.deviceId, id)),
    },
  });

  it("delivers the sealed decision and reports the host's acceptance", async () => {
    assert.deepEqual(await post((id) => hostReply(id, { ok: true })), { ok: true, queued: false });
  });

  it("reports a decision kept for a computer that is offline as queued", async () => {
    assert.deepEqual(await post(async () => ({ status: 202, body: { ok: true, queued: true } })), { ok: true, queued: true });
  });

  it("passes on the host's refusal in its own words when it was decided elsewhere", async () => {
    const refusal = { ok: false, code: ErrorCode.Conflict, message: "Already decided by Pixel 8 (approve)" } as const;
    assert.deepEqual(await post((id) => hostReply(id, refusal)), { ok: false, reason: "Already decided by Pixel 8 (approve)." });

    const worded = { ok: false, code: ErrorCode.Conflict, message: "Already decided by Pixel 8 (deny)." } as const;
    assert.deepEqual(await post((id) => hostReply(id, worded)), {
      ok: false,
      reason: "Already decided by Pixel 8 (deny).",
    });
  });

  it("keeps the host's technical refusals off the lock screen", async () => {
    const refusal = { ok: false, code: ErrorCode.BadRequest, message: "threadId: thread id" } as const;
    assert.deepEqual(await post((id) => hostReply(id, refusal)), { ok: false, reason: null });
  });

  it("does not count a reply sealed for another command as success", async () => {
    assert.deepEqual(await post(() => hostReply("another-command", { ok: true })), { ok: false, reason: null });
  });

  it("reports a refused device token without a reason", async () => {
    const outcome = await post(async () => ({
      status: 401,
      body: { ok: false, code: ErrorCode.Unauthorized, message: "Unknown or revoked device token." },
    }));
    assert.deepEqual(outcome, { ok: false, reason: null });
  });

  it("never throws: a network failure or a page that is not JSON is a failure too", async () => {
    const offline: Fetch = () => Promise.reject(new TypeError("Failed to fetch"));
    assert.deepEqual(await postCommand(sender, command, offline, ORIGIN), { ok: false, reason: null });
    const throwing: Fetch = () => {
      throw new Error("synchronous");
    };
    assert.deepEqual(await postCommand(sender, command, throwing, ORIGIN), { ok: false, reason: null });
    const proxyPage: Fetch = async () => new Response("<h1>502 Bad Gateway</h1>", { status: 502 });
    assert.deepEqual(await postCommand(sender, command, proxyPage, ORIGIN), { ok: false, reason: null });
  });
});
