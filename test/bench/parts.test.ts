// The bench does not lose figures: a scenario part that fails is reported with why, the
// scenario's other parts keep their figures, and a process that never says it is listening
// is reported with what it wrote to stderr, not as a bare timeout.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { start, waitForStart } from "../support/processes";

const ROOT = join(__dirname, "..", "..");

/** What this test reads of results.json, as an outside reader would. */
const resultsSchema = z.object({
  scenarios: z.array(
    z.object({
      id: z.string(),
      error: z.string().optional(),
      failed: z.array(z.object({ part: z.string(), error: z.string() })).optional(),
      figures: z.array(z.object({ id: z.string(), value: z.number().nullable() })),
    }),
  ),
});

describe("bench: parts of a scenario", function () {
  this.timeout(60_000);
  let out: string;

  before(function () {
    if (!existsSync(join(ROOT, "dist", "relay.js")))
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    out = mkdtempSync(join(tmpdir(), "tether-bench-parts-"));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it("keeps the other parts' figures when one part fails, reports that part with why, and exits with failure", async () => {
    const fixture = join(__dirname, "fixtures", "threeParts.ts");
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(
        "node",
        ["--import", "tsx", join(ROOT, "bench", "run.ts"), "--quick", "--out", out, "--scenarios-from", fixture, "three-parts"],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
      child.stdin?.end();
    });
    assert.equal(code, 1, `a failed part must fail the run:\n${output}`);

    const [result] = resultsSchema.parse(JSON.parse(readFileSync(join(out, "results.json"), "utf8"))).scenarios;
    assert.equal(result!.id, "three-parts");
    assert.equal(result!.error, undefined);
    assert.deepEqual(
      result!.figures.map((f) => [f.id, f.value]),
      [
        ["sqlite", 9000],
        ["redis", null],
        ["floor", 20_000],
      ],
    );
    assert.equal(result!.failed?.length, 1);
    assert.equal(result!.failed![0]!.part, "Redis");
    assert.match(result!.failed![0]!.error, /did not say it was listening within 120 s[\s\S]*ECONNREFUSED 127\.0\.0\.1:6390/);

    // The person watching sees the failed part and why in the printed table and in BENCHMARKS.md.
    assert.match(output, /Redis failed: the relay process did not say it was listening within 120 s.*ERROR/);
    const markdown = readFileSync(join(out, "BENCHMARKS.md"), "utf8");
    assert.match(markdown, /\*\*Redis failed:\*\*/);
    assert.match(markdown, /ECONNREFUSED 127\.0\.0\.1:6390/);
    assert.match(markdown, /9,000/);
    assert.match(markdown, /20,000/);
  });
});

describe("bench: a process that does not start", function () {
  this.timeout(20_000);

  it("says it did not say it was listening within the time, with its last stderr lines", async () => {
    const proc = start("node", ["-e", "console.error('cannot reach redis at 127.0.0.1:1'); setInterval(() => {}, 1000)"]);
    try {
      await assert.rejects(waitForStart(proc, /listening on/, "the relay process", 1500), (err: Error) => {
        assert.match(err.message, /^the relay process did not say it was listening within 1\.5 s/);
        assert.match(err.message, /last stderr lines:\ncannot reach redis at 127\.0\.0\.1:1/);
        return true;
      });
    } finally {
      await proc.stop();
    }
  });

  it("says it exited, with its code and last stderr lines, without waiting out the time", async () => {
    const proc = start("node", ["-e", "console.error('EADDRINUSE: port 4000'); process.exit(3)"]);
    const t0 = Date.now();
    await assert.rejects(waitForStart(proc, /listening on/, "the relay process", 15_000), (err: Error) => {
      assert.match(err.message, /^the relay process exited \(code 3\) before it said it was listening/);
      assert.match(err.message, /EADDRINUSE: port 4000/);
      return true;
    });
    assert.ok(Date.now() - t0 < 10_000, "it should fail when the process exits, not at the timeout");
  });

  it("resolves with what a process printed once it says it is listening", async () => {
    const proc = start("node", [
      "-e",
      "setTimeout(() => console.log('listening on http://127.0.0.1:5'), 200); setInterval(() => {}, 1000)",
    ]);
    try {
      const m = await waitForStart(proc, /listening on (\S+)/, "the relay process", 10_000);
      assert.equal(m[1], "http://127.0.0.1:5");
    } finally {
      await proc.stop();
    }
  });
});
