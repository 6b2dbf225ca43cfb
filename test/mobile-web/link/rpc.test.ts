import assert from "node:assert/strict";
import {
  ErrorCode,
  PAIRWISE_EPOCH,
  generateContentKey,
  open,
  rpcCallSchema,
  seal,
  sealContext,
  type ListDirResult,
  type RpcReply,
  type RpcRequest,
} from "#protocol";
import { callHost, type RpcTarget } from "../../../mobile-web/src/link/rpc";
import type { TetherSocket } from "../../../mobile-web/src/link/request";

const rejectedWith = (code: string) => (err: { code?: string }) => err.code === code;

/** A socket whose `rpc` acks come from `relay`; only the part of socket.io that calls use. */
function socketAnsweredBy(relay: (request: RpcRequest) => Promise<unknown>): TetherSocket {
  const socket = { timeout: () => ({ emitWithAck: (_event: "rpc", request: RpcRequest) => relay(request) }) };
  return socket as unknown as TetherSocket;
}

describe("sealed calls to a computer", () => {
  const listing: ListDirResult = {
    type: "list-dir",
    path: "src",
    entries: [{ name: "index.ts", kind: "file", size: 120, mtime: 1 }],
    hidden: 1,
    truncated: false,
  };
  let target: RpcTarget;

  before(async () => {
    target = { hostId: "host-1", deviceId: "phone-1", commandKey: await generateContentKey() };
  });

  /** The computer's side: opens the call as the relay forwards it and seals `reply(call)` back. */
  function computer(
    reply: (call: unknown) => RpcReply,
    options: { replyId?: string; relayLog?: RpcRequest[] } = {},
  ): TetherSocket {
    return socketAnsweredBy(async (request) => {
      options.relayLog?.push(request);
      const call = rpcCallSchema.parse(
        await open(target.commandKey, request.box, sealContext.rpcCall(target.hostId, target.deviceId, request.id)),
      );
      const context = sealContext.rpcReply(target.hostId, target.deviceId, options.replyId ?? request.id);
      return { ok: true, box: await seal(target.commandKey, PAIRWISE_EPOCH, reply(call), context) };
    });
  }

  it("brings back a folder listing, while the relay sees only the host, a request id and a sealed box", async () => {
    const relayLog: RpcRequest[] = [];
    const socket = computer(
      (call) => {
        assert.deepEqual(call, { type: "list-dir", path: "src" });
        return { ok: true, result: listing };
      },
      { relayLog },
    );
    assert.deepEqual(await callHost(socket, target, { type: "list-dir", path: "src" }), listing);
    assert.equal(relayLog.length, 1);
    assert.deepEqual(Object.keys(relayLog[0] ?? {}).sort(), ["box", "hostId", "id"]);
    assert.equal(relayLog[0]?.hostId, "host-1");
    assert.deepEqual(Object.keys(relayLog[0]?.box ?? {}).sort(), ["ct", "e", "iv"]);
  });

  it("refuses an answer sealed for another request, as a replayed reply would be", async () => {
    const socket = computer(() => ({ ok: true, result: listing }), { replyId: "an-earlier-request" });
    await assert.rejects(callHost(socket, target, { type: "list-dir", path: "src" }), rejectedWith(ErrorCode.BadSeal));
  });

  it("refuses an answer to a different question", async () => {
    const socket = computer(() => ({ ok: true, result: listing }));
    await assert.rejects(
      callHost(socket, target, { type: "read-file", path: "src/index.ts" }),
      rejectedWith(ErrorCode.BadRequest),
    );
  });

  it("brings back an outside agent's sessions, and refuses an answer over the schema's limits", async () => {
    const sessions = {
      type: "agent-sessions",
      agent: "claude",
      listed: true,
      sessions: [{ sessionId: "s1", title: "Fix it" }],
    } as const;
    const socket = computer((call) => {
      assert.deepEqual(call, { type: "agent-sessions", agent: "claude" });
      return { ok: true, result: { ...sessions, sessions: [...sessions.sessions] } };
    });
    assert.deepEqual(await callHost(socket, target, { type: "agent-sessions", agent: "claude" }), sessions);
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ sessionId: `s${i}` }));
    const flooding = computer(() => ({ ok: true, result: { ...sessions, sessions: tooMany } }));
    await assert.rejects(
      callHost(flooding, target, { type: "agent-sessions", agent: "claude" }),
      rejectedWith(ErrorCode.BadRequest),
    );
  });

  it("passes on why the computer or the relay said no", async () => {
    const refused = computer(() => ({ ok: false, code: ErrorCode.SecretFile, message: ".env may hold secrets" }));
    await assert.rejects(callHost(refused, target, { type: "read-file", path: ".env" }), {
      code: ErrorCode.SecretFile,
      message: ".env may hold secrets",
    });
    const offline = socketAnsweredBy(async () => ({ ok: false, code: ErrorCode.HostOffline, message: "offline" }));
    await assert.rejects(callHost(offline, target, { type: "list-dir", path: "" }), rejectedWith(ErrorCode.HostOffline));
    const silent = socketAnsweredBy(() => Promise.reject(new Error("operation has timed out")));
    await assert.rejects(callHost(silent, target, { type: "list-dir", path: "" }), rejectedWith(ErrorCode.Timeout));
  });
});
