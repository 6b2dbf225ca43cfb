// The front of the host's "open from phone" step, shared by commands and calls: what the relay
// forwards is read before anything is opened, and whatever happens after, the relay gets an
// answer (a relay left waiting would tell the phone "timed out" instead of why).

import assert from "node:assert/strict";
import { ErrorCode, rpcForwardSchema, type Ack, type Box } from "#protocol";
import { answerForward } from "../../../extension/core/commands/phoneRequest";
import { until } from "../../support/wait";

const box: Box = { e: 1, iv: "AAAAAAAAAAAAAAAA", ct: "AAAAAAAAAAAAAAAAAAAAAAAA" };
const forward = { from: "phone-abc123", id: "call-abc123", box };

function answers(): { got: Ack<{ box: Box }>[]; reply: (a: Ack<{ box: Box }>) => void } {
  const got: Ack<{ box: Box }>[] = [];
  return { got, reply: (a) => void got.push(a) };
}

describe("answering a phone's forwarded request", () => {
  it("refuses a malformed forward as a bad request, without handling it", () => {
    const { got, reply } = answers();
    let handled = 0;
    answerForward({ from: "phone-abc123" }, reply, rpcForwardSchema, "call", () => {
      handled++;
      return Promise.resolve({ ok: true, box });
    });
    assert.equal(handled, 0);
    assert.deepEqual(got, [{ ok: false, code: ErrorCode.BadRequest, message: "malformed call" }]);
  });

  it("ignores a forward that brings no ack to answer", () => {
    let handled = 0;
    answerForward(forward, undefined, rpcForwardSchema, "call", () => {
      handled++;
      return Promise.resolve({ ok: true, box });
    });
    assert.equal(handled, 0);
  });

  it("answers the handler's reply, and an internal error when the handler fails", async () => {
    const ok = answers();
    answerForward(forward, ok.reply, rpcForwardSchema, "call", (req) => {
      assert.equal(req.id, forward.id);
      return Promise.resolve({ ok: true, box });
    });
    await until("the reply", () => ok.got.length === 1);
    assert.deepEqual(ok.got, [{ ok: true, box }]);

    const failing = answers();
    answerForward(forward, failing.reply, rpcForwardSchema, "call", () => Promise.reject(new Error("disk full")));
    await until("the failure", () => failing.got.length === 1);
    assert.deepEqual(failing.got, [{ ok: false, code: ErrorCode.Internal, message: "disk full" }]);
  });
});
