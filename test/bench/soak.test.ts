// The soak's harness works: `npm run bench -- soak --quick` at a tiny size kills a relay
// process while phones and hosts work through it, and reports that every event and every
// approval arrived. The soak's own size and figures are `npm run bench -- soak`.

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { REDIS_SERVER } from "../support/redisServer";

const ROOT = join(__dirname, "..", "..");

const resultsSchema = z.object({
  scenarios: z.array(
    z.object({
      id: z.string(),
      error: z.string().optional(),
      params: z.record(z.string(), z.unknown()),
      figures: z.array(z.object({ id: z.string(), value: z.number().nullable(), verdict: z.string() })),
      notes: z.array(z.string()),
    }),
  ),
});

describe("npm run bench -- soak (quick)", function () {
  this.timeout(180_000);
  let out: string;

  before(function () {
    if (!existsSync(join(ROOT, "dist", "relay.js")))
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    // The soak needs a real Redis; without one the bench says so and this has nothing to check.
    execFileSync(REDIS_SERVER, ["--version"]);
    out = mkdtempSync(join(tmpdir(), "tether-bench-soak-"));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it("kills a relay process under load and every phone still holds every event and every approval arrives", async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        "node",
        ["--import", "tsx", join(ROOT, "bench", "run.ts"), "--quick", "--out", out, "soak"],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, BENCH_SOAK_PHONES: "60", BENCH_SOAK_SECONDS: "20" } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
    });
    assert.equal(code, 0, output);
    assert.match(output, /relay 0 killed and back in \d+ ms/);

    const [soak] = resultsSchema.parse(JSON.parse(readFileSync(join(out, "results.json"), "utf8"))).scenarios;
    assert.equal(soak!.id, "soak");
    assert.equal(soak!.error, undefined);
    assert.equal(soak!.params.phones, 60);
    const value = (id: string): number | null | undefined => soak!.figures.find((f) => f.id === id)?.value;
    assert.equal(value("missing"), 0);
    assert.equal(value("unapplied"), 0);
    assert.ok(value("events")! > 0, "hosts published events");
    assert.ok(value("approvals")! > 0, "phones sent approvals");
    // Phones on the killed process came back through the other one.
    assert.ok(value("reconnect-p99")! > 0, JSON.stringify(soak!.figures));
    assert.match(soak!.notes.join("\n"), /Relay memory over time/);
  });
});
