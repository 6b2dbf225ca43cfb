// The benchmark harness still works: `npm run bench -- --quick` on a few scenarios (relay and
// floor processes, a paired phone, the report) writes its two files with every figure
// measured. The benchmarks themselves are `npm run bench`, not part of the tests.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

const ROOT = join(__dirname, "..", "..");
const SCENARIOS = ["throughput", "crypto", "acp"];

/** What this test reads of results.json, checked as an outside reader would, not with the bench's own types. */
const resultsSchema = z.object({
  machine: z.object({ cpu: z.string() }),
  scenarios: z.array(
    z.object({
      id: z.string(),
      quick: z.boolean(),
      error: z.string().optional(),
      figures: z.array(
        z.object({
          id: z.string(),
          value: z.number().nullable().optional(),
          floor: z.number().nullable().optional(),
          ratio: z.number().nullable().optional(),
          verdict: z.string(),
        }),
      ),
    }),
  ),
});

describe("npm run bench (quick smoke run)", function () {
  this.timeout(120_000);
  let out: string;

  before(function () {
    if (!existsSync(join(ROOT, "dist", "relay.js")))
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    out = mkdtempSync(join(tmpdir(), "tether-bench-smoke-"));
  });

  after(() => rmSync(out, { recursive: true, force: true }));

  it("runs scenarios at small sizes and writes results.json and BENCHMARKS.md", async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(
        "node",
        ["--import", "tsx", join(ROOT, "bench", "run.ts"), "--quick", "--out", out, ...SCENARIOS],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
      child.stdin?.end();
    });
    assert.equal(code, 0, output);

    const results = resultsSchema.parse(JSON.parse(readFileSync(join(out, "results.json"), "utf8")));
    assert.deepEqual(
      results.scenarios.map((s) => s.id),
      SCENARIOS,
    );
    for (const scenario of results.scenarios) {
      assert.equal(scenario.error, undefined, `${scenario.id} failed: ${scenario.error}`);
      assert.ok(scenario.quick);
      assert.ok(scenario.figures.length > 0, `${scenario.id} has no figures`);
    }
    // Every figure that has a floor got one measured; the throughput goal has its verdict.
    const throughput = results.scenarios.find((s) => s.id === "throughput")!;
    const sqlite = throughput.figures.find((f) => f.id === "sqlite")!;
    assert.ok(sqlite.value! > 0 && sqlite.floor! > 0 && sqlite.ratio! > 0, JSON.stringify(sqlite));
    assert.ok(["met", "missed"].includes(sqlite.verdict));

    const markdown = readFileSync(join(out, "BENCHMARKS.md"), "utf8");
    assert.match(markdown, /^# Benchmarks/);
    assert.match(markdown, new RegExp(results.machine.cpu.replace(/[()]/g, ".")));
    for (const scenario of results.scenarios)
      assert.ok(markdown.includes(`(\`${scenario.id}\`)`), `no section for ${scenario.id}`);
    assert.match(output, /scenario\s+figure\s+Tether\s+floor\s+overhead\s+goal/);
  });
});
