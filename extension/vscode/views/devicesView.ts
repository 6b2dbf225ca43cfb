// The Devices view: the phones paired with this editor through the configured relay, each
// with whether it is online or when it was last seen, and Revoke on its context menu.

import * as vscode from "vscode";
import type { PhoneView } from "../../core/devices/phoneDirectory";
import { seenText } from "../../core/devices/seen";
import type { Host } from "../../core/host";
import type { HostSession } from "../hostSession";

/** "seen 5 min ago" moves on by itself: redraw this often while the view is visible. */
const REFRESH_MS = 60_000;

export class DeviceItem extends vscode.TreeItem {
  constructor(
    readonly phone: PhoneView,
    now: number,
  ) {
    super(phone.name, vscode.TreeItemCollapsibleState.None);
    const paired = new Date(phone.pairedAt).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
    this.iconPath = new vscode.ThemeIcon(
      "device-mobile",
      phone.online ? new vscode.ThemeColor("charts.green") : new vscode.ThemeColor("disabledForeground"),
    );
    this.description = seenText(phone, now);
    this.tooltip = `${phone.name}: ${seenText(phone, now)}, paired ${paired}, through ${phone.relay}`;
    this.contextValue = "phone";
    this.id = `${phone.relay} ${phone.id}`;
  }
}

export class DevicesView implements vscode.TreeDataProvider<DeviceItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private host: Host | undefined;
  private readonly subscription: vscode.Disposable;
  private readonly timer: NodeJS.Timeout;

  constructor(session: HostSession) {
    this.subscription = session.onDidStart(({ host }) => {
      this.host = host;
      host.on("phones", () => this.changed.fire());
      this.changed.fire();
    });
    this.timer = setInterval(() => this.changed.fire(), REFRESH_MS);
  }

  getTreeItem(item: DeviceItem): DeviceItem {
    return item;
  }

  getChildren(): DeviceItem[] {
    const now = Date.now();
    return (this.host?.phoneList() ?? []).map((phone) => new DeviceItem(phone, now));
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}
