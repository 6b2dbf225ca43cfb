import assert from "node:assert/strict";
import { ErrorCode, PROTOCOL_VERSION } from "#protocol";
import {
  UNAUTHORIZED_MESSAGE,
  UNPAIRED_MESSAGE,
  UNREACHABLE_MESSAGE,
  classifyConnectError,
  unpairedMessage,
} from "../../../mobile-web/src/link/connectError";

/** A socket.io `connect_error` as the relay's refusal arrives: an Error with `data`. */
function refusal(data: unknown): Error {
  return Object.assign(new Error("refused"), { data });
}

describe("connection problems", () => {
  it("tells the person to reload when app and relay speak different protocols, naming both", () => {
    const problem = classifyConnectError(refusal({ code: ErrorCode.ProtocolMismatch, message: "x", relayVersion: 99 }));
    assert.equal(problem.kind, "protocol-mismatch");
    assert.match(problem.message, new RegExp(`protocol ${PROTOCOL_VERSION}\\b`));
    assert.match(problem.message, /protocol 99/);
    assert.match(problem.message, /Reload the page/);
    const unknown = classifyConnectError(refusal({ code: ErrorCode.ProtocolMismatch, message: "x" }));
    assert.match(unknown.message, /another protocol/);
  });

  it("says the phone is no longer paired when the relay no longer knows its token", () => {
    assert.deepEqual(classifyConnectError(refusal({ code: ErrorCode.Unauthorized, message: "unknown token" })), {
      kind: "unauthorized",
      message: UNAUTHORIZED_MESSAGE,
      revoked: false,
    });
  });

  it("says the phone was unpaired, naming its computers, when the relay refuses a revoked token", () => {
    const problem = classifyConnectError(refusal({ code: ErrorCode.Unauthorized, message: "unpaired", revoked: true }));
    assert.deepEqual(problem, { kind: "unauthorized", message: UNPAIRED_MESSAGE, revoked: true });
    assert.equal(unpairedMessage(["work laptop"]), "This phone was unpaired from work laptop.");
    assert.equal(unpairedMessage(["a", "b", "c"]), "This phone was unpaired from a, b and c.");
    assert.equal(unpairedMessage([]), UNPAIRED_MESSAGE);
  });

  it("keeps retrying quietly for a network failure or anything it cannot read", () => {
    const unreachable = { kind: "unreachable", message: UNREACHABLE_MESSAGE };
    for (const error of [
      new Error("xhr poll error"),
      refusal({ code: ErrorCode.RateLimited, message: "slow down" }),
      refusal("?"),
      null,
    ]) {
      assert.deepEqual(classifyConnectError(error), unreachable);
    }
  });
});
