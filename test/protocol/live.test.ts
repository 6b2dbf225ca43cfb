import assert from "node:assert/strict";
import { MAX_LIVE_OUTPUT, EMPTY_LIVE, settleLive, withLive, type LiveState } from "#protocol/live";
import { TerminalLines } from "../../mobile-web/src/threads/terminalLines";

const lines = (t: TerminalLines): string[] =>
  Array.from({ length: t.length }, (_, i) =>
    t
      .line(i)
      .map((s) => s.text)
      .join(""),
  );

describe("live output of a running command", () => {
  it("keeps the newest characters past the cap, counts them all, and lets a terminal append from its chunks", () => {
    const chunk = (i: number): string => `${`chunk ${i} `.padEnd(30_000, "x")}\n`;
    let live: LiveState = EMPTY_LIVE;
    let whole = "";
    const fromChunks = new TerminalLines();
    const fromOutput = new TerminalLines();
    for (let i = 0; i < 20; i++) {
      live = withLive(live, { type: "output", callId: "c1", chunk: chunk(i) });
      whole += chunk(i);
      const output = live.output["c1"]!;
      assert.equal(output, whole.slice(-MAX_LIVE_OUTPUT));
      assert.equal(live.received?.["c1"], whole.length);
      fromChunks.update(output, live.received?.["c1"], live.chunks?.["c1"]);
      fromOutput.update(output, live.received?.["c1"]);
      assert.deepEqual(lines(fromChunks), lines(fromOutput), `after chunk ${i}`);
    }
    assert.equal(lines(fromChunks).at(-1), chunk(19).trimEnd());

    const settled = settleLive(live, [
      {
        seq: 9,
        event: { type: "tool-result", callId: "c1", tool: "run_command", ok: true, output: "done", durationMs: 5, at: 0 },
      },
    ]);
    assert.equal(settled.output["c1"], undefined);
    assert.equal(settled.chunks?.["c1"], undefined, "the chunks go with the output");
  });
});
