import assert from "node:assert/strict";
import { modelNotice } from "../../../mobile-web/src/threads/modelNotice";

describe("the new-task form's model notice", () => {
  it("says nothing when the model answered or the computer did not check", () => {
    assert.equal(modelNotice(undefined), undefined);
    assert.equal(modelNotice({ state: "ok" }), undefined);
  });

  it("tells a missing model apart from a failing one", () => {
    assert.deepEqual(modelNotice({ state: "missing", detail: "No model is configured." }), { kind: "missing" });
  });

  it("names the server and the reason in one sentence", () => {
    const notice = modelNotice({
      state: "error",
      server: "127.0.0.1:11434",
      detail: "nothing is listening there (connection refused); start the model server",
    });
    assert.deepEqual(notice, {
      kind: "error",
      text: "The computer could not reach its model server at 127.0.0.1:11434: nothing is listening there (connection refused); start the model server.",
    });
    assert.deepEqual(modelNotice({ state: "error" }), {
      kind: "error",
      text: "The computer could not reach its model server.",
    });
  });
});
