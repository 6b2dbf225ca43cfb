// The VS Code entry point: a short list of registrations, each disposed with the extension.

import * as vscode from "vscode";
import { ApiKeys } from "./apiKeys";
import { HostSession } from "./hostSession";
import { PairPhoneCommand } from "./pairPhone";
import { SetApiKeyCommand } from "./setApiKey";

let session: HostSession | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel("Tether", { log: true });
  const keys = new ApiKeys(context.secrets);
  session = new HostSession(context, channel, keys);
  const pair = new PairPhoneCommand(session);
  const setApiKey = new SetApiKeyCommand(keys);
  context.subscriptions.push(
    channel,
    session,
    keys.onDidChange(() => void session?.restart()),
    vscode.commands.registerCommand(pair.id, () => pair.execute()),
    vscode.commands.registerCommand(setApiKey.id, () => setApiKey.execute()),
    vscode.commands.registerCommand("tether.showLog", () => channel.show()),
  );
}

/** Waits for running tasks to stop (they end as interrupted) before the window goes. */
export async function deactivate(): Promise<void> {
  await session?.restart();
  session = undefined;
}
