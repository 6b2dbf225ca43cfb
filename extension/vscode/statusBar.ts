// The status bar item: short in the bar (the connection's icon, "Tether", what waits), the detail
// in its tooltip (statusText.ts). A click decides what waits, or shows the log.

import * as vscode from "vscode";
import type { Host } from "../core/host";
import type { LinkState } from "../core/link/relayLink";
import type { ThreadManager } from "../core/threads/threadManager";
import type { Approvals } from "./approvals";
import type { HostSession } from "./hostSession";
import { statusText, statusTooltip, TOOLTIP_COMMANDS, type StatusLink } from "./statusText";

export function registerStatusBar(
  session: HostSession,
  approvals: Approvals,
  /** Whether the host uses this window's own relay (Tether: Start a Local Relay). */
  localRelay: () => boolean = () => false,
): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("tether.status", vscode.StatusBarAlignment.Left, 50);
  item.name = "Tether";
  let link: StatusLink = "stopped";
  let host: Host | undefined;
  let manager: ThreadManager | undefined;
  const render = (): void => {
    const threads = manager?.list() ?? [];
    const questions = threads.filter((t) => t.status === "awaiting-answer").length;
    const facts = {
      link,
      relay: session.relayUrl(),
      localRelay: localRelay(),
      waiting: approvals.pending().length + questions,
      threads: threads.map((t) => t.status),
      phones: host?.phoneList() ?? [],
      now: Date.now(),
    };
    item.text = statusText(facts);
    const tooltip = new vscode.MarkdownString(statusTooltip(facts));
    tooltip.isTrusted = { enabledCommands: TOOLTIP_COMMANDS };
    tooltip.supportThemeIcons = true;
    item.tooltip = tooltip;
    item.backgroundColor = facts.waiting > 0 ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    item.command = approvals.pending().length > 0 ? "tether.showApprovals" : "tether.showLog";
  };
  const started = session.onDidStart((running) => {
    host = running.host;
    manager?.off("summary", render);
    manager = running.agent.manager;
    const linkOf = (state: LinkState): StatusLink => (state === "disposed" ? "stopped" : state);
    link = linkOf(host.link.state);
    host.on("state", (next) => {
      link = linkOf(next);
      render();
    });
    host.on("phones", render);
    manager.on("summary", render);
    render();
  });
  const changed = approvals.onDidChange(render);
  render();
  item.show();
  return vscode.Disposable.from(item, started, changed, { dispose: () => manager?.off("summary", render) });
}
