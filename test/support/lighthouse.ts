// Lighthouse, mobile form factor, against a page the relay serves: Debian's Chromium started by
// chrome-launcher, the scores as Lighthouse's report gives them (0–100) and the audits that
// cost points, so a missed goal says why.

import { launch } from "chrome-launcher";
import { CHROMIUM } from "./browser";

export const CATEGORIES = ["performance", "accessibility", "best-practices"] as const;
export type Category = (typeof CATEGORIES)[number];

export interface LighthouseRun {
  scores: Record<Category, number | null>;
  /** Audits of these categories that scored below 1, e.g. `color-contrast (0): Background and foreground…`. */
  failing: string[];
  /** Core figures of the performance category, in ms (and CLS unitless). */
  metrics: Record<"fcp" | "lcp" | "tbt" | "cls" | "si", number | null>;
}

const FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export async function runLighthouse(url: string): Promise<LighthouseRun> {
  // Lighthouse is an ES module only; the repository is CommonJS.
  const { default: lighthouse } = await import("lighthouse");
  const chrome = await launch({ chromePath: CHROMIUM, chromeFlags: FLAGS, logLevel: "error" });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      formFactor: "mobile",
      onlyCategories: [...CATEGORIES],
    });
    if (!result) throw new Error("Lighthouse returned no result");
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const scores = Object.fromEntries(
      CATEGORIES.map((c) => {
        const score = lhr.categories[c]?.score;
        return [c, typeof score === "number" ? Math.round(score * 100) : null];
      }),
    ) as Record<Category, number | null>;
    const failing = CATEGORIES.flatMap((c) =>
      (lhr.categories[c]?.auditRefs ?? [])
        .filter((ref) => ref.weight > 0)
        .map((ref) => lhr.audits[ref.id]!)
        .filter((a) => a.score !== null && a.score < 1)
        .map((a) => `${c}: ${a.id} (${a.score}): ${a.title}${a.displayValue ? ` — ${a.displayValue}` : ""}`),
    );
    const metric = (id: string): number | null => lhr.audits[id]?.numericValue ?? null;
    const metrics = {
      fcp: metric("first-contentful-paint"),
      lcp: metric("largest-contentful-paint"),
      tbt: metric("total-blocking-time"),
      cls: metric("cumulative-layout-shift"),
      si: metric("speed-index"),
    };
    return { scores, failing, metrics };
  } finally {
    chrome.kill();
  }
}
