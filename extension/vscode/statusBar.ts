// The status bar item: the relay connection and how many approvals wait. A click shows them.

import * as vscode from "vscode";
import type { LinkState } from "../core/link/relayLink";
import type { Approvals } from "./approvals";
import type { HostSession } from "./hostSession";

export function registerStatusBar(session: HostSession, approvals: Approvals): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("tether.status", vscode.StatusBarAlignment.Left, 50);
  item.name = "Tether";
  let state: LinkState | "stopped" = "stopped";
  const render = (): void => {
    const waiting = approvals.pending().length;
    const link = state === "open" ? "$(radio-tower)" : state === "connecting" ? "$(sync~spin)" : "$(debug-disconnect)";
    item.text = waiting > 0 ? `${link} Tether $(warning) ${waiting}` : `${link} Tether`;
    item.tooltip =
      (state === "open"
        ? "Connected to the relay"
        : state === "connecting"
          ? "Connecting to the relay…"
          : "Not connected to the relay") +
      (waiting > 0 ? ` · ${waiting} approval${waiting === 1 ? "" : "s"} waiting: click to decide` : "");
    item.backgroundColor = waiting > 0 ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    item.command = waiting > 0 ? "tether.showApprovals" : "tether.showLog";
  };
  const started = session.onDidStart(({ host }) => {
    state = host.link.state;
    host.on("state", (next) => {
      state = next;
      render();
    });
    render();
  });
  const changed = approvals.onDidChange(render);
  render();
  item.show();
  return vscode.Disposable.from(item, started, changed);
}
