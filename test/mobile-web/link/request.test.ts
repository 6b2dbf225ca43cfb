import assert from "node:assert/strict";
import { z } from "zod";
import { ErrorCode, TetherError } from "#protocol";
import { asFailure, request } from "../../../mobile-web/src/link/request";

const rejectedWith = (code: string) => (err: { code?: string }) => err.code === code;

describe("requests to the relay", () => {
  const answer = z.object({ ok: z.literal(true), slotId: z.string() });

  it("hands back a well-formed answer, and turns silence or nonsense into errors the app can word", async () => {
    assert.deepEqual(await request(async () => ({ ok: true, slotId: "s1" }), answer), { ok: true, slotId: "s1" });
    await assert.rejects(
      request(() => Promise.reject(new Error("operation has timed out")), answer),
      rejectedWith(ErrorCode.Timeout),
    );
    await assert.rejects(
      request(async () => ({ ok: true }), answer),
      rejectedWith(ErrorCode.BadRequest),
    );
  });

  it("keeps an app crash's details off the phone screen", () => {
    assert.deepEqual(asFailure(new TetherError(ErrorCode.NotFound, "src/gone.ts does not exist")), {
      ok: false,
      code: ErrorCode.NotFound,
      message: "src/gone.ts does not exist",
    });
    for (const error of [new Error("OperationError: The operation failed for an operation-specific reason"), "boom", undefined]) {
      assert.deepEqual(asFailure(error), { ok: false, code: ErrorCode.Internal, message: "Something went wrong in this app." });
    }
  });
});
