import assert from "node:assert/strict";
import { ErrorCode, failure } from "#protocol";
import { describeHostFailure, describePairFailure } from "../../../mobile-web/src/link/messages";

describe("failure messages", () => {
  it("explains a failure in the app's own words: which computer, and what to do next", () => {
    assert.equal(
      describeHostFailure(failure(ErrorCode.HostOffline, "host-offline"), "Workstation"),
      "Workstation is offline. Files can be browsed when it's back.",
    );
    assert.match(describeHostFailure(failure(ErrorCode.BadSeal, "tag mismatch"), "Workstation"), /pair again/);
    // The computer's own sentence names the path; with none, the app still says something.
    assert.equal(
      describeHostFailure(failure(ErrorCode.NotFound, "src/gone.ts does not exist"), "W"),
      "src/gone.ts does not exist",
    );
    assert.equal(describeHostFailure(failure(ErrorCode.NotFound, ""), "W"), "This file or folder no longer exists.");
    assert.equal(describeHostFailure(failure(ErrorCode.Internal, ""), "W"), "Something went wrong.");

    for (const code of [ErrorCode.SlotExpired, ErrorCode.SlotUsed]) {
      assert.match(describePairFailure(failure(code, "")), /Show a new QR code/);
    }
    assert.equal(describePairFailure(failure(ErrorCode.PairDeclined, "declined")), "Pairing was declined on the computer.");
    assert.equal(describePairFailure(failure(ErrorCode.Internal, "")), "Pairing failed.");
  });
});
