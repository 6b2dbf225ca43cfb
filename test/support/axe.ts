// axe-core in the real page: the WCAG 2 A/AA rules and axe's best practices, with each
// violation told in one line a person can act on (rule, impact, where, what to do).

import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";

export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/** The violations axe finds on the page as it is now, one readable line each; empty when none. */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return results.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact ?? "?"}) at ${n.target.join(" ")}: ${v.help}`),
  );
}

/**
 * Audits the screens of one test run in light and dark mode and keeps what it finds per screen,
 * so one run reports every screen rather than stopping at the first.
 */
export class AxeAudit {
  readonly found = new Map<string, string[]>();

  async check(page: Page, screen: string, schemes: ("light" | "dark")[] = ["light", "dark"]): Promise<void> {
    for (const scheme of schemes) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      if (violations.length) this.found.set(`${screen} (${scheme})`, violations);
    }
    await page.emulateMedia({ colorScheme: "light" });
  }

  /** Every violation found, grouped by screen; empty when there were none. */
  report(): string {
    return [...this.found].map(([screen, v]) => `${screen}:\n  ${v.join("\n  ")}`).join("\n");
  }
}
