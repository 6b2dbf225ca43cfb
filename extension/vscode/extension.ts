// The VS Code entry point: a short list of registrations, each disposed with the extension.

import * as vscode from "vscode";
import { HostSession } from "./hostSession";
import { PairPhoneCommand } from "./pairPhone";

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel("Tether", { log: true });
  const session = new HostSession(context, channel);
  const pair = new PairPhoneCommand(session);
  context.subscriptions.push(
    channel,
    session,
    vscode.commands.registerCommand(pair.id, () => pair.execute()),
    vscode.commands.registerCommand("tether.showLog", () => channel.show()),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
