// Lighthouse (mobile) on the start page a phone opens first, served by a real relay from dist/
// to Debian's Chromium: accessibility and best practices at full marks. Performance is left to
// the bench (`npm run bench -- lighthouse`): on a shared machine it varies from run to run.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLighthouse } from "../support/lighthouse";
import { DIST, startRelay } from "../support/phoneStack";
import type { Proc } from "../support/processes";

describe("end to end: Lighthouse on the start page, mobile", function () {
  this.timeout(120_000);
  let tmp: string;
  let relay: Proc;

  before(() => {
    if (!existsSync(join(DIST, "mobile-web", "index.html"))) throw new Error("dist/ is not built: run `npm run build` first");
    tmp = mkdtempSync(join(tmpdir(), "tether-lighthouse-"));
  });

  after(async () => {
    await relay?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("scores 100 for accessibility and best practices", async () => {
    let url: string;
    ({ proc: relay, url } = await startRelay(tmp));
    const run = await runLighthouse(`${url}/`);
    const below = run.failing.filter((f) => !f.startsWith("performance:"));
    assert.deepEqual(
      { accessibility: run.scores.accessibility, "best-practices": run.scores["best-practices"], below },
      { accessibility: 100, "best-practices": 100, below: [] },
    );
  });
});
