// The in-editor tests' side of the desk (test/support/vscodeDesk.ts): asks the outer test to
// look at the workbench page as the person at the editor would.

import type { DeskAnswer, DeskRequest } from "../../support/vscodeDesk";

// vscodeDesk.ts's DESK_ENV; a value imported from there would bundle its imports into the suites.
const DESK_ENV = "TETHER_VSCODE_DESK";

type Body<A extends DeskRequest["action"]> = Omit<Extract<DeskRequest, { action: A }>, "action">;

async function ask<T>(action: DeskRequest["action"], body: object = {}): Promise<T> {
  const url = process.env[DESK_ENV];
  if (!url) throw new Error(`${DESK_ENV} is not set: run these tests through test/support/vscodeServer.ts`);
  const response = await fetch(url, { method: "POST", body: JSON.stringify({ action, ...body }) });
  const answer = (await response.json()) as DeskAnswer;
  if (!answer.ok) throw new Error(`desk ${action}: ${answer.message}`);
  return answer.result as T;
}

export const desk = {
  /** What the outer test passed for this run. */
  context: () => ask<{ phase?: string }>("context"),
  webviewText: (body: Body<"webview-text">) => ask<string>("webview-text", body),
  notification: (body: Body<"notification">) => ask<string>("notification", body),
  notificationButtons: (body: Body<"notification-buttons">) =>
    ask<{ label: string; cut: boolean }[]>("notification-buttons", body),
  notificationClick: (body: Body<"notification-click">) => ask<null>("notification-click", body),
  webviewFill: (body: Body<"webview-fill">) => ask<null>("webview-fill", body),
  webviewSelect: (body: Body<"webview-select">) => ask<null>("webview-select", body),
  webviewWait: (body: Body<"webview-wait">) => ask<null>("webview-wait", body),
  webviewValue: (body: Body<"webview-value">) => ask<{ value: string; text: string }>("webview-value", body),
  webviewPress: (body: Body<"webview-press">) => ask<null>("webview-press", body),
  webviewClick: (body: Body<"webview-click">) => ask<null>("webview-click", body),
  press: (body: Body<"press">) => ask<null>("press", body),
  type: (body: Body<"type">) => ask<null>("type", body),
  quickPick: (body: Body<"quick-pick">) => ask<string[]>("quick-pick", body),
  capture: (body: Body<"capture">) => ask<null>("capture", body),
  axe: (body: Body<"axe">) => ask<string[]>("axe", body),
  /** The outer test's screenshot of the workbench, taken now. */
  screenshot: () => ask<null>("screenshot"),
  screenshotAs: (name: string) => ask<null>("screenshot-as", { name }),
  walkthroughSteps: () => ask<{ id: string; done: boolean }[]>("walkthrough-steps"),
  viewRows: (body: Body<"view-rows">) =>
    ask<{ label: string; description: string; icon: string; iconColor: string; iconWidth: number }[]>("view-rows", body),
  statusBar: (body: Body<"status-bar">) => ask<{ text: string; label: string; tooltip?: string }>("status-bar", body),
  phoneOpen: (body: Body<"phone-open">) => ask<string>("phone-open", body),
};

/**
 * For a `describe`'s `before`: skips its tests unless the outer test runs this phase (none for
 * the ordinary run; the reload test runs its own phases, one editor session each).
 */
export function onlyInPhase(phase: string | undefined): (this: Mocha.Context) => Promise<void> {
  return async function () {
    if ((await desk.context()).phase !== phase) this.skip();
  };
}
