import assert from "node:assert/strict";
import { appendCapped } from "#protocol/live";
import { TerminalLines } from "../../../mobile-web/src/threads/terminalLines";

/** Each line as its text, with a styled piece as `[class]text`. */
const all = (t: TerminalLines): string[] =>
  Array.from({ length: t.length }, (_, i) =>
    t
      .line(i)
      .map((s) => (s.cls ? `[${s.cls}]${s.text}` : s.text))
      .join(""),
  );

function fed(chunks: string[], max = Infinity, maxLines?: number): TerminalLines {
  const t = new TerminalLines(maxLines);
  let output = "";
  let received = 0;
  for (const chunk of chunks) {
    output = appendCapped(output, chunk, max);
    received += chunk.length;
    t.update(output, received);
  }
  return t;
}

describe("terminal lines, converted as output arrives", () => {
  it("draws the same lines whether the output came at once or in pieces cut anywhere", () => {
    const text = "plain\n\x1b[31mred\nstill red\x1b[0m back\nbar 10%\rbar 100%\n<b>&</b>\nlast";
    const whole = fed([text]);
    assert.deepEqual(all(whole), ["plain", "[ansi-red-fg]red", "[ansi-red-fg]still red back", "bar 100%", "<b>&</b>", "last"]);
    for (let cut = 1; cut < text.length; cut += 3) {
      assert.deepEqual(all(fed([text.slice(0, cut), text.slice(cut)])), all(whole), `cut at ${cut}`);
    }
  });

  it("keeps the newest lines, counts the rest, and appends only what is new once the output is capped", () => {
    const chunks = Array.from({ length: 50 }, (_, c) => Array.from({ length: 100 }, (_, i) => `line ${c * 100 + i}\n`).join(""));
    // The output itself keeps its newest 20,000 characters; the terminal its newest 500 lines.
    const t = fed(chunks, 20_000, 500);
    assert.equal(t.length, 500);
    assert.equal(all(t)[0], "line 4500");
    assert.equal(all(t)[499], "line 4999");
    assert.equal(t.droppedLines, 4500);
    assert.equal(t.note, "… 4,500 earlier lines");
  });

  it("starts again from the output when it is not a continuation (a finished command's result)", () => {
    const t = new TerminalLines();
    t.update("one\ntwo\n");
    t.update("one\ntwo\nthree\n");
    assert.deepEqual(all(t), ["one", "two", "three"]);
    const before = t.version;
    t.update("one\ntwo\nthree\n");
    assert.equal(t.version, before, "no change, no redraw");
    t.update("other\n");
    assert.deepEqual(all(t), ["other"]);
    assert.equal(t.droppedLines, 0);
  });

  it("measures the widest line without its escape sequences", () => {
    const t = new TerminalLines();
    t.update("\x1b[1;32mok\x1b[0m\nabcdef\n");
    assert.equal(t.widest, 6);
  });
});
