import assert from "node:assert/strict";
import {
  composerDraftKey,
  readDraft,
  readTaskDraft,
  saveDraft,
  saveTaskDraft,
  type DraftStorage,
} from "../../../mobile-web/src/threads/drafts";

function memory(): DraftStorage & { size: () => number } {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    size: () => map.size,
  };
}

describe("drafts", () => {
  it("keeps the new-task form per computer with its mode and model", () => {
    const s = memory();
    saveTaskDraft(s, "h1", { text: "Fix the date test", mode: "auto-edit", model: "gpt-x" });
    saveTaskDraft(s, "h2", { text: "Other", mode: "ask" });
    assert.deepEqual(readTaskDraft(s, "h1"), { text: "Fix the date test", mode: "auto-edit", model: "gpt-x" });
    assert.deepEqual(readTaskDraft(s, "h2"), { text: "Other", mode: "ask" });
  });

  it("keeps no draft of an empty form, and forgets one when it is cleared", () => {
    const s = memory();
    saveTaskDraft(s, "h", { text: "   ", mode: "ask" });
    assert.equal(s.size(), 0);
    saveTaskDraft(s, "h", { text: "x", mode: "ask" });
    saveTaskDraft(s, "h", { text: "", mode: "ask" });
    assert.equal(readTaskDraft(s, "h"), null);
  });

  it("ignores a damaged draft and a mode this app does not know", () => {
    const s = memory();
    s.setItem("tether.draft.h.new-task", "{not json");
    assert.equal(readTaskDraft(s, "h"), null);
    s.setItem("tether.draft.h.new-task", JSON.stringify({ text: "t", mode: "yolo" }));
    assert.deepEqual(readTaskDraft(s, "h"), { text: "t" });
  });

  it("keeps each thread's composer apart and removes it once sent", () => {
    const s = memory();
    saveDraft(s, composerDraftKey("h", "t1"), "steer one");
    saveDraft(s, composerDraftKey("h", "t2"), "steer two");
    assert.equal(readDraft(s, composerDraftKey("h", "t1")), "steer one");
    saveDraft(s, composerDraftKey("h", "t1"), "");
    assert.equal(readDraft(s, composerDraftKey("h", "t1")), "");
    assert.equal(readDraft(s, composerDraftKey("h", "t2")), "steer two");
  });

  it("survives a storage that throws (private mode, quota)", () => {
    const broken: DraftStorage = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("quota");
      },
      removeItem: () => undefined,
    };
    saveDraft(broken, "k", "text");
    assert.equal(readDraft(broken, "k"), "");
    assert.equal(readDraft(null, "k"), "");
  });
});
