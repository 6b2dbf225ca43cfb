import assert from "node:assert/strict";
import { TerminalLines } from "../../../mobile-web/src/threads/terminalLines";
import { spansOf } from "../../../mobile-web/src/threads/terminalSpans";

const ESC = "\x1b";
const lineOf = (output: string) => {
  const t = new TerminalLines();
  t.update(output);
  return t.line(0);
};

describe("terminal spans: a line's colours without HTML or style attributes", () => {
  it("keeps 16 colours as classes and turns ansi_up's styles into classes and CSSOM colours", () => {
    const spans = lineOf(
      `${ESC}[31mred${ESC}[0m ${ESC}[1;32mbold${ESC}[0m ${ESC}[38;5;202m256${ESC}[0m ${ESC}[48;2;200;0;0mtrue${ESC}[0m ` +
        `${ESC}[2;3;4mfaint${ESC}[0m`,
    );
    assert.deepEqual(spans, [
      { text: "red", cls: "ansi-red-fg", fg: null, bg: null },
      { text: " ", cls: "", fg: null, bg: null },
      { text: "bold", cls: "ansi-bold ansi-green-fg", fg: null, bg: null },
      { text: " ", cls: "", fg: null, bg: null },
      { text: "256", cls: "", fg: "rgb(255,95,0)", bg: null },
      { text: " ", cls: "", fg: null, bg: null },
      { text: "true", cls: "", fg: null, bg: "rgb(200,0,0)" },
      { text: " ", cls: "", fg: null, bg: null },
      { text: "faint", cls: "ansi-underline ansi-italic ansi-faint", fg: null, bg: null },
    ]);
  });

  it("gives back markup in the output as the text it was", () => {
    const text = `<img src=x onerror="alert(1)"> & 'quotes' </span><script>`;
    assert.deepEqual(
      lineOf(`${ESC}[31m${text}${ESC}[0m`).map((s) => s.text),
      [text],
    );
    assert.equal(
      lineOf(text)
        .map((s) => s.text)
        .join(""),
      text,
    );
  });

  it("keeps as text what is not ansi_up's own markup", () => {
    assert.deepEqual(spansOf('<a href="javascript:x">y</a>'), [
      { text: "<", cls: "", fg: null, bg: null },
      { text: 'a href="javascript:x">y', cls: "", fg: null, bg: null },
      { text: "<", cls: "", fg: null, bg: null },
      { text: "/a>", cls: "", fg: null, bg: null },
    ]);
    assert.deepEqual(spansOf('<span style="color:red;background:url(x)">t</span>'), [{ text: "t", cls: "", fg: null, bg: null }]);
  });
});
