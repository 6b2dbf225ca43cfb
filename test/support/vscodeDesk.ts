// The person at the editor, for the in-editor tests of test/support/vscodeServer.ts: an HTTP
// endpoint on 127.0.0.1 (its URL in the extension hosts' `TETHER_VSCODE_DESK`) that takes a
// `DeskRequest` as a JSON POST and looks at the running workbench page as a person would: the
// text of a webview, a notification. The extension API cannot read what another extension's UI
// shows. It also hands each run the `context` the outer test gave it. It cannot click a modal
// dialog: while extension tests run, VS Code refuses to open one ("DialogService: refused to
// show dialog in tests").

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Frame, Locator, Page } from "playwright-core";
import { AXE_TAGS } from "./axe";
import { phoneContext, screenshotPath } from "./browser";
import { until } from "./wait";

/**
 * What the in-editor tests ask of the person at the editor (the desk, see `startDesk`): each
 * looks at the workbench page and waits (up to `timeoutMs`, default 30 s) for what it needs.
 */
export type DeskRequest = { timeoutMs?: number } & (
  | { action: "context" }
  /** The first match of `pattern` (a RegExp source) in the text of an open webview. */
  | { action: "webview-text"; pattern: string }
  /** A notification showing `contains`; answers its text. */
  | { action: "notification"; contains: string }
  /** The buttons of the notification showing `contains`: each label, and whether VS Code cut it short. */
  | { action: "notification-buttons"; contains: string }
  /** Clicks the button labelled `button` on the notification showing `contains`. */
  | { action: "notification-click"; contains: string; button: string }
  /**
   * Takes the run's screenshot now, while the extension host runs (once it has exited, the
   * extension's views show their welcome text); the run then takes no other.
   */
  | { action: "screenshot" }
  /** A PNG of the workbench as it is now, saved as test-results/screenshots/`name`.png; more than one a run. */
  | { action: "screenshot-as"; name: string }
  /** The steps of the walkthrough open in the editor: each step's id and whether it shows as done. */
  | { action: "walkthrough-steps" }
  /** The rows of the sidebar view titled `view` (once it has `atLeast` rows): label, description, icon. */
  | { action: "view-rows"; view: string; atLeast?: number }
  /**
   * The text of the status bar entry showing `contains`, and its accessible name. With `hover`,
   * the pointer rests on it and the answer has its tooltip's text too (saved as `screenshot`).
   */
  | { action: "status-bar"; contains: string; hover?: boolean; screenshot?: string }
  /**
   * A phone in this browser (360×740) opens `url`, a pairing link, and waits until it shows the
   * computer's tasks; answers the page's text. With `screenshot`, saved under that name. With
   * `keepOpen`, the phone stays until the workbench closes.
   */
  | { action: "phone-open"; url: string; screenshot?: string; keepOpen?: boolean }
  /** Types `text` into the first element matching `selector` (CSS) in an open webview, as fill() does. */
  | { action: "webview-fill"; selector: string; text: string }
  /** Chooses the option whose value is `value` in the first `<select>` matching `selector` in an open webview. */
  | { action: "webview-select"; selector: string; value: string }
  /** Waits until an element matching `selector` shows in an open webview. */
  | { action: "webview-wait"; selector: string }
  /** The value of the first form field matching `selector` in an open webview, and the chosen option's text. */
  | { action: "webview-value"; selector: string }
  /** Presses `key` (Playwright's names, e.g. "Enter") in the first element matching `selector` in a webview. */
  | { action: "webview-press"; selector: string; key: string }
  /** Clicks the first element matching `selector` (and holding `hasText`, if given) in an open webview. */
  | { action: "webview-click"; selector: string; hasText?: string }
  /** Presses `key` in the workbench (a keybinding), wherever the focus is. */
  | { action: "press"; key: string }
  /** Types `text` on the keyboard, into whatever has the focus. */
  | { action: "type"; text: string }
  /** Waits for the quick pick titled `title` to show; answers its rows' text, as the person reads them. */
  | { action: "quick-pick"; title: string }
  /** Saves a PNG of the workbench, or of the part matching `selector`, as test-results/screenshots/`name`.png. */
  | { action: "capture"; name: string; selector?: string }
  /** axe-core's violations (WCAG A/AA and best practices) in the webview whose page holds `selector`. */
  | { action: "axe"; selector: string }
);
export type DeskAnswer = { ok: true; result: unknown } | { ok: false; message: string };
/** The environment variable that tells extension hosts where the desk listens. */
export const DESK_ENV = "TETHER_VSCODE_DESK";

/** The open workbench, while a run has one. */
export interface DeskRun {
  page: Page;
  context: Record<string, unknown>;
  /** Saves the run's screenshot, if the outer test asked for one. */
  screenshot(): Promise<void>;
}

export async function startDesk(current: () => DeskRun | undefined): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const reply = (answer: DeskAnswer): void =>
        void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
      const run = current();
      if (!run) return reply({ ok: false, message: "no workbench is open" });
      let request: DeskRequest;
      try {
        request = JSON.parse(body) as DeskRequest;
      } catch {
        return reply({ ok: false, message: "not JSON" });
      }
      act(run, request).then(
        (result) => reply({ ok: true, result }),
        (err: Error) => reply({ ok: false, message: err.message }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function act({ page, context, screenshot }: DeskRun, request: DeskRequest): Promise<unknown> {
  const timeout = request.timeoutMs ?? 30_000;
  switch (request.action) {
    case "context":
      return context;
    case "webview-text": {
      const pattern = new RegExp(request.pattern);
      // A webview is a frame inside a frame; its document is there once the extension set its html.
      return until(`a webview showing ${pattern}`, async () => {
        for (const frame of page.frames()) {
          const match = pattern.exec(await frameText(frame));
          if (match) return match[0];
        }
        return undefined;
      });
    }
    case "notification": {
      const toast = page.locator(".notification-toast", { hasText: request.contains }).first();
      await toast.waitFor({ state: "visible", timeout });
      return toast.innerText();
    }
    case "notification-buttons": {
      const toast = page.locator(".notification-toast", { hasText: request.contains }).first();
      await toast.waitFor({ state: "visible", timeout });
      return toast.locator(".monaco-button").evaluateAll((buttons) =>
        buttons.map((b) => ({
          label: (b.textContent ?? "").trim(),
          cut: b.scrollWidth > b.clientWidth + 1,
          widths: [b.scrollWidth, b.clientWidth],
        })),
      );
    }
    case "notification-click": {
      const toast = page.locator(".notification-toast", { hasText: request.contains }).first();
      await toast.waitFor({ state: "visible", timeout });
      await toast.locator(".monaco-button", { hasText: request.button }).first().click();
      return null;
    }
    case "screenshot":
      await screenshot();
      return null;
    case "screenshot-as":
      await page.screenshot({ path: screenshotPath(request.name) });
      return null;
    case "walkthrough-steps":
      return until(
        "walkthrough steps",
        async () => {
          const steps = await page
            .locator("[data-step-id]")
            .evaluateAll((nodes) =>
              nodes.map((n) => ({ id: n.getAttribute("data-step-id") ?? "", done: n.getAttribute("aria-checked") === "true" })),
            );
          return steps.length ? steps : undefined;
        },
        timeout,
      );
    case "view-rows": {
      const pane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: request.view }) }).first();
      // A view that starts collapsed is opened as a person would, by its header.
      const header = pane.locator(".pane-header").first();
      if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
      return until(
        `${request.atLeast ?? 1} rows in the ${request.view} view`,
        async () => {
          const rows = await pane.locator(".monaco-list-row").evaluateAll((nodes) =>
            nodes.map((row) => {
              const icon = row.querySelector(".custom-view-tree-node-item-icon");
              return {
                label: row.querySelector(".label-name")?.textContent ?? "",
                description: row.querySelector(".label-description")?.textContent ?? "",
                icon: icon?.className ?? "",
                iconColor: icon ? getComputedStyle(icon).color : "",
                iconWidth: icon ? icon.getBoundingClientRect().width : 0,
              };
            }),
          );
          return rows.length >= (request.atLeast ?? 1) ? rows : undefined;
        },
        timeout,
      );
    }
    case "status-bar": {
      const item = page.locator(".statusbar-item", { hasText: request.contains }).first();
      await item.waitFor({ state: "visible", timeout });
      const text = await item.innerText();
      const label = (await item.locator("a").first().getAttribute("aria-label")) ?? "";
      if (!request.hover) return { text, label };
      await item.hover();
      const hover = page.locator(".workbench-hover, .monaco-hover").filter({ hasText: "Relay" }).first();
      await hover.waitFor({ state: "visible", timeout });
      if (request.screenshot) await page.screenshot({ path: screenshotPath(request.screenshot) });
      const tooltip = await hover.innerText();
      await page.mouse.move(640, 300);
      return { text, label, tooltip };
    }
    case "phone-open": {
      const phone = await phoneContext(page.context().browser()!);
      let ok = false;
      try {
        const tab = await phone.newPage();
        await tab.goto(request.url);
        await tab.getByTestId("threads").waitFor({ timeout });
        if (request.screenshot) await tab.screenshot({ path: screenshotPath(request.screenshot) });
        const text = await tab.locator("body").innerText();
        ok = true;
        return text;
      } finally {
        if (ok && request.keepOpen) page.once("close", () => void phone.close());
        else await phone.close();
      }
    }
    case "webview-fill":
      await (await inWebview(page, request.selector, timeout)).fill(request.text);
      return null;
    case "webview-select":
      await (await inWebview(page, request.selector, timeout)).selectOption(request.value);
      return null;
    case "webview-wait":
      await inWebview(page, request.selector, timeout);
      return null;
    case "webview-value":
      return (await inWebview(page, request.selector, timeout)).evaluate((el) => {
        const field = el as HTMLSelectElement | HTMLInputElement;
        const option = field instanceof HTMLSelectElement ? field.selectedOptions[0]?.textContent : undefined;
        return { value: field.value, text: option ?? field.value };
      });
    case "webview-press":
      await (await inWebview(page, request.selector, timeout)).press(request.key);
      return null;
    case "webview-click":
      await (await inWebview(page, request.selector, timeout, request.hasText)).click();
      return null;
    case "press":
      await page.keyboard.press(request.key);
      return null;
    case "type":
      await page.keyboard.type(request.text);
      return null;
    case "quick-pick": {
      const widget = page.locator(".quick-input-widget", { hasText: request.title }).first();
      await widget.waitFor({ state: "visible", timeout });
      const rows = widget.locator(".quick-input-list .monaco-list-row");
      await rows.first().waitFor({ state: "visible", timeout });
      return rows.evaluateAll((nodes) => nodes.map((row) => (row as HTMLElement).innerText.replace(/\s+/g, " ").trim()));
    }
    case "axe":
      return axeInWebview(page, request.selector, timeout);
    case "capture":
      if (request.selector)
        await page
          .locator(request.selector)
          .first()
          .screenshot({ path: screenshotPath(request.name) });
      else await page.screenshot({ path: screenshotPath(request.name) });
      return null;
  }
}

/**
 * axe-core run inside the webview's own frame: a webview view sits in a frame in a frame the
 * workbench places over its view, outside the view's part of the page, so a selector path from
 * the workbench down does not reach it. The page's CSP does not apply to Playwright's evaluate.
 */
async function axeInWebview(page: Page, selector: string, timeoutMs: number): Promise<string[]> {
  const frame = await until(
    `webview with ${selector}`,
    async () => {
      for (const f of page.frames())
        if (
          await f
            .locator(selector)
            .count()
            .catch(() => 0)
        )
          return f;
      return undefined;
    },
    timeoutMs,
  );
  const source = readFileSync(createRequire(__filename).resolve("axe-core/axe.min.js"), "utf8");
  await frame.evaluate(source);
  const violations = await frame.evaluate(
    async ({ tags }) => {
      const axe = (window as unknown as { axe: typeof import("axe-core") }).axe;
      const results = await axe.run(document, { runOnly: { type: "tag", values: tags } });
      return results.violations.flatMap((v) =>
        v.nodes.map((n) => `${v.id} (${v.impact ?? "?"}) at ${n.target.join(" ")}: ${v.help}`),
      );
    },
    { tags: AXE_TAGS },
  );
  return violations;
}

/** The first visible element matching `selector` in any webview frame, once there is one. */
async function inWebview(page: Page, selector: string, timeoutMs: number, hasText?: string): Promise<Locator> {
  return until(
    `webview element ${selector}${hasText ? ` with "${hasText}"` : ""}`,
    async () => {
      for (const frame of page.frames()) {
        const found = frame.locator(selector, hasText ? { hasText } : {}).first();
        if (await found.isVisible().catch(() => false)) return found;
      }
      return undefined;
    },
    timeoutMs,
  );
}

async function frameText(frame: Frame): Promise<string> {
  try {
    return await frame.evaluate(() => document.body?.innerText ?? "");
  } catch {
    return ""; // detached, or still loading
  }
}
