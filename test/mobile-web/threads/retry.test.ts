import assert from "node:assert/strict";
import { type NewThreadEvent, type ThreadEvent, commandSchema } from "#protocol";
import { CONTINUE_TEXT, attachmentsNote, endedOffer, retryTask, splitAttachments } from "../../../mobile-web/src/threads/retry";
import { taskCommands } from "../../../mobile-web/src/threads/taskCommands";
import type { NumberedEvent } from "../../../mobile-web/src/threads/timelineItems";

const by = { id: "p1", name: "Pixel 8" };
const numbered = (events: NewThreadEvent[]): NumberedEvent[] =>
  events.map((event, i) => ({ seq: i + 1, event: { at: 1000 + i, ...event } as ThreadEvent }));

const task = (text: string): NewThreadEvent => ({
  type: "task",
  text,
  title: text.split("\n")[0]!,
  workspace: "api",
  mode: "auto-edit",
  model: "openai:gpt-test",
  by,
});

describe("Retry and Continue for a run that ended badly", () => {
  it("offers both for a failed run, with the task as it was asked", () => {
    const events = numbered([
      task("Fix the login test"),
      { type: "status", status: "running" },
      { type: "error", message: "The model refused the request." },
      { type: "status", status: "failed" },
    ]);
    const offer = endedOffer("failed", events);
    assert.ok(offer);
    assert.equal(offer.ended, "failed");
    assert.equal(offer.words, "This run failed.");
    assert.deepEqual(offer.retry, { text: "Fix the login test", mode: "auto-edit", model: "openai:gpt-test", attachments: [] });
  });

  it("tells a run its computer interrupted from one a person stopped", () => {
    const stopped = numbered([task("a"), { type: "status", status: "stopped", detail: "stopped by Pixel 8" }]);
    assert.equal(endedOffer("stopped", stopped)?.ended, "stopped");
    const interrupted = numbered([
      task("a"),
      { type: "status", status: "stopped", detail: "interrupted: the host stopped during this run" },
    ]);
    assert.equal(endedOffer("stopped", interrupted)?.ended, "interrupted");
    assert.match(endedOffer("stopped", interrupted)!.words, /interrupted when its computer stopped/);
  });

  it("offers nothing while a thread runs, waits, or after it finished", () => {
    const events = numbered([task("a"), { type: "status", status: "done" }]);
    for (const status of ["queued", "running", "awaiting-approval", "awaiting-answer", "done", undefined] as const) {
      assert.equal(endedOffer(status, events), null, String(status));
    }
  });

  it("offers Continue but not Retry when the task's first event is no longer on the phone", () => {
    const trimmed: NumberedEvent[] = [{ seq: 7, event: { at: 1, type: "status", status: "failed" } }];
    const offer = endedOffer("failed", trimmed);
    assert.ok(offer);
    assert.equal(offer.retry, null);
  });

  it("takes the host's list of attached files off the text and keeps their names", () => {
    const text =
      "Fix what the screenshot shows\n\nAttached files (in the workspace):\n" +
      "- .tether/attachments/abcdefgh1234/screen shot.png (11 B)\n" +
      "- lost.txt: did not arrive";
    assert.deepEqual(splitAttachments(text), {
      text: "Fix what the screenshot shows",
      attachments: ["screen shot.png", "lost.txt"],
    });
    const retry = retryTask(numbered([task(text)]));
    assert.deepEqual(retry?.attachments, ["screen shot.png", "lost.txt"]);
    assert.equal(
      attachmentsNote(retry!),
      "Retry sends its 2 attached files again if the computer still has them; the new task says which are missing.",
    );
  });

  it("leaves a text alone when what follows the heading is not the host's list", () => {
    const text = "Explain this\n\nAttached files (in the workspace):\nthey are in the wiki";
    assert.deepEqual(splitAttachments(text), { text, attachments: [] });
    assert.equal(attachmentsNote({ text, mode: "ask", model: "", attachments: [] }), null);
  });

  it("makes a retry the same new task, naming the earlier thread and its files", () => {
    const retry = retryTask(
      numbered([task("Fix it\n\nAttached files (in the workspace):\n- .tether/attachments/abcdefgh1234/log.txt (2 KB)")]),
    )!;
    const commands = taskCommands("newthread0001", {
      text: retry.text,
      mode: retry.mode,
      model: retry.model,
      attachments: [],
      retry: { of: "abcdefgh1234", attachments: retry.attachments },
    });
    assert.deepEqual(commands, [
      {
        type: "new-task",
        threadId: "newthread0001",
        text: "Fix it",
        mode: "auto-edit",
        model: "openai:gpt-test",
        attachments: ["log.txt"],
        retryOf: "abcdefgh1234",
      },
    ]);
    assert.ok(commandSchema.safeParse(commands[0]).success);
    assert.ok(commandSchema.safeParse({ type: "message", threadId: "abcdefgh1234", text: CONTINUE_TEXT }).success);
  });
});
