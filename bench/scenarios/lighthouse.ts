// Lighthouse on the start page a phone opens first (nothing paired yet), mobile form factor:
// a real relay from dist/ serving the built app, Debian's Chromium through chrome-launcher.
// Performance is Lighthouse's simulated slow 4G and 4× CPU; on a shared machine it is noisy.

import { runLighthouse, type Category } from "../../test/support/lighthouse";
import { startRelayProcess } from "../../test/support/relayProcess";
import { figure } from "../lib/results";
import { Cleanup, type Scenario } from "../lib/scenario";
import { join } from "node:path";

const GOALS: Record<Category, number> = { performance: 90, accessibility: 100, "best-practices": 100 };

export const lighthouse: Scenario = {
  id: "lighthouse",
  title: "Lighthouse, mobile (start page)",
  async run(ctx, out) {
    out.params = { formFactor: "mobile", page: "start page, unpaired" };
    const cleanup = new Cleanup();
    try {
      const relay = cleanup.add(await startRelayProcess({ dataDir: join(ctx.tmp, "relay") }), (r) => r.stop());
      ctx.log(`lighthouse on ${relay.url}/`);
      const run = await runLighthouse(`${relay.url}/`);
      for (const [category, goal] of Object.entries(GOALS) as [Category, number][]) {
        out.figures.push(
          figure({ id: category, label: category, value: run.scores[category], unit: "", goal: { op: ">=", value: goal } }),
        );
      }
      const ms = (v: number | null): number | null => (v === null ? null : Math.round(v));
      out.figures.push(
        figure({ id: "fcp", label: "first contentful paint (simulated)", value: ms(run.metrics.fcp), unit: "ms" }),
        figure({ id: "lcp", label: "largest contentful paint (simulated)", value: ms(run.metrics.lcp), unit: "ms" }),
        figure({ id: "tbt", label: "total blocking time", value: ms(run.metrics.tbt), unit: "ms" }),
      );
      if (run.failing.length) out.notes.push(`Audits below full marks: ${run.failing.join("; ")}.`);
      out.notes.push(
        "Performance is Lighthouse's own throttling (simulated slow 4G, 4× CPU) on this machine, which other work shares: it varies from run to run.",
      );
    } finally {
      await cleanup.run();
    }
  },
};
