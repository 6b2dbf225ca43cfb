// The Devices view: the phones paired with this editor through the configured relay.

import * as vscode from "vscode";
import type { PairedPhone } from "../../core/identity";
import type { HostSession } from "../hostSession";

export class DeviceItem extends vscode.TreeItem {
  constructor(readonly phone: PairedPhone) {
    super(phone.name, vscode.TreeItemCollapsibleState.None);
    this.iconPath = new vscode.ThemeIcon("device-mobile");
    this.description = `paired ${new Date(phone.pairedAt).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" })}`;
    this.tooltip = `${phone.name}, through ${phone.relay}`;
    this.contextValue = "phone";
    this.id = `${phone.relay} ${phone.id}`;
  }
}

export class DevicesView implements vscode.TreeDataProvider<DeviceItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private phones: () => PairedPhone[] = () => [];
  private readonly subscription: vscode.Disposable;

  constructor(session: HostSession) {
    this.subscription = session.onDidStart(({ host }) => {
      this.phones = () => host.phones;
      host.on("paired", () => this.changed.fire());
      this.changed.fire();
    });
  }

  getTreeItem(item: DeviceItem): DeviceItem {
    return item;
  }

  getChildren(): DeviceItem[] {
    return [...this.phones()].sort((a, b) => b.pairedAt - a.pairedAt).map((phone) => new DeviceItem(phone));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
