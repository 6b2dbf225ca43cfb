import assert from "node:assert/strict";
import { capTail, duration, elapsed, settleCarriageReturns, terminalHtml } from "../../../mobile-web/src/threads/ansi";

const ESC = "\u001b";

describe("terminal output", () => {
  it("turns colours into spans", () => {
    const { html, note } = terminalHtml(`${ESC}[32m✓ passes${ESC}[0m\n${ESC}[1;31m✗ fails${ESC}[0m\n`);
    assert.match(html, /<span class="ansi-green-fg">✓ passes<\/span>/);
    assert.match(html, /<span style="font-weight:bold" class="ansi-red-fg">✗ fails<\/span>/);
    assert.equal(note, null);
  });

  it("escapes HTML, and keeps neither links nor other escape sequences", () => {
    const output =
      `<img src=x onerror="alert(1)"> & 'quotes'\n` +
      `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\ here\n` +
      `${ESC}]0;window title\u0007${ESC}[2Kcleared${ESC}[1G\n`;
    const { html } = terminalHtml(output);
    assert.ok(!html.includes("<img"), html);
    assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt; &amp; &#x27;quotes&#x27;/);
    assert.ok(!html.includes("<a"), html);
    assert.ok(!html.includes("evil.example"), html);
    assert.match(html, /click here/);
    assert.ok(!html.includes("window title"), html);
    assert.match(html, /\ncleared\n/);
    assert.ok(!html.includes(ESC), "no escape character reaches the DOM");
  });

  it("shows a progress bar's last drawing, not every frame", () => {
    assert.equal(settleCarriageReturns("get 10%\rget 60%\rget 100%\ndone\r\n"), "get 100%\ndone\n");
    assert.equal(settleCarriageReturns("half drawn 40%\r"), "half drawn 40%");
    assert.match(terminalHtml("a 1%\ra 99%\n").html, /^a 99%\n$/);
  });

  it("keeps the newest 2,000 lines of a huge output and says how many came before", () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i + 1}`);
    const { html, note, droppedLines } = terminalHtml(lines.join("\n") + "\n");
    assert.equal(droppedLines, 48_000);
    assert.equal(note, "… 48,000 earlier lines");
    assert.ok(html.startsWith("line 48001\n"), html.slice(0, 40));
    assert.ok(html.endsWith("line 50000\n"));
  });

  it("caps characters too, for output made of a few enormous lines", () => {
    const huge = "x".repeat(3_000_000) + "\nlast line";
    const capped = capTail(huge, 2000, 100_000);
    assert.equal(capped.text, "last line");
    assert.equal(capped.droppedLines, 1);
    const oneLine = capTail("y".repeat(500_000), 2000, 100_000);
    assert.equal(oneLine.text.length, 100_000);
    assert.equal(oneLine.droppedLines, 1, "the cut line counts as an earlier line");
    assert.equal(terminalHtml("y".repeat(500_000), 2000, 100_000).note, "… 1 earlier line");
  });

  it("keeps short output whole", () => {
    assert.deepEqual(capTail("a\nb\n", 2), { text: "a\nb\n", droppedLines: 0, droppedChars: 0 });
    assert.deepEqual(capTail("a\nb\nc", 2), { text: "b\nc", droppedLines: 1, droppedChars: 2 });
    assert.deepEqual(capTail("", 2), { text: "", droppedLines: 0, droppedChars: 0 });
  });

  it("does not print half an escape sequence where the cut fell", () => {
    const output = "x".repeat(20) + `${ESC}[31mred${ESC}[0m`;
    // Cuts right after the escape character and inside "[31m": neither shows a fragment.
    assert.equal(terminalHtml(output, 10, output.length - 21).html, "red");
    assert.equal(terminalHtml(output, 10, output.length - 23).html, "red");
    assert.equal(terminalHtml(output, 10, output.length - 20).html, '<span class="ansi-red-fg">red</span>');
  });
});

describe("elapsed time", () => {
  it("reads like a stopwatch", () => {
    assert.equal(elapsed(0), "0:00");
    assert.equal(elapsed(42_000), "0:42");
    assert.equal(elapsed(42_999), "0:42");
    assert.equal(elapsed((12 * 60 + 5) * 1000), "12:05");
    assert.equal(elapsed((3600 + 2 * 60 + 3) * 1000), "1:02:03");
    // A phone clock behind the host's must not show "-0:03".
    assert.equal(elapsed(-3000), "0:00");
    assert.equal(elapsed(Number.NaN), "0:00");
  });

  it("gives short tool durations in ms and seconds", () => {
    assert.equal(duration(120), "120 ms");
    assert.equal(duration(4_260), "4.2 s");
    assert.equal(duration(65_000), "1:05");
  });
});
