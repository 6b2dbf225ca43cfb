// Touch targets a thumb can hit: every visible button, link, [role=button] and form control on
// the page whose box is smaller than 44x44 CSS px, one readable line each. A control inside a
// <label> is measured by its label (a tap on the label is a tap on the control); a link that
// runs inline inside a sentence is left out (WCAG 2.5.8's inline exception).

import type { Page } from "playwright-core";

export const MIN_TARGET_PX = 44;

/** The targets under `min` px in either direction, as `what "text" WxH`; empty when none. */
/** The targets under `min` px in either direction, as `what "text" WxH`; empty when none. */
export async function smallTouchTargets(page: Page, min = MIN_TARGET_PX): Promise<string[]> {
  return (await page.evaluate(`(${IN_PAGE})(${JSON.stringify(min)})`)) as string[];
}

// Runs in the page. Kept as source text: the test runner's transpiler would wrap named functions
// in a helper the page does not have.
const IN_PAGE = `(min) => {
  const selector = 'button, a[href], [role="button"], input:not([type="hidden"]), select, textarea, summary';
  const describe = (el) => {
    const id = el.getAttribute("data-testid");
    const label = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim().replace(/\\s+/g, " ").slice(0, 40);
    const type = el instanceof HTMLInputElement ? "[type=" + el.type + "]" : "";
    return el.tagName.toLowerCase() + type + (id ? "[data-testid=" + id + "]" : "") + ' "' + label + '"';
  };
  const shown = (el) => {
    if (el.closest("[hidden], [inert]")) return false;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    return el.getClientRects().length > 0;
  };
  // A link in running text: inline, with words of its own block around it.
  const inProse = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display === "inline") block = block.parentElement;
    return (block?.textContent ?? "").trim().length > (el.textContent ?? "").trim().length;
  };
  const found = [];
  const seen = new Set();
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el) || inProse(el)) continue;
    const target = (el.matches("input, select, textarea") && el.closest("label")) || el;
    if (seen.has(target)) continue;
    seen.add(target);
    const box = target.getBoundingClientRect();
    // A control hidden for the eye (a 1 px input) whose label is not around it is not a target.
    if (box.width <= 1 && box.height <= 1) continue;
    // Half a pixel of rounding is not a smaller target.
    if (box.width + 0.5 < min || box.height + 0.5 < min) {
      found.push(describe(el) + " " + Math.round(box.width) + "x" + Math.round(box.height));
    }
  }
  return found;
}`;
