// The VS Code entry point: a short list of registrations, each disposed with the extension.

import * as vscode from "vscode";
import type { DeviceRef } from "#protocol";
import { ApiKeys } from "./apiKeys";
import { Approvals } from "./approvals";
import { HostSession } from "./hostSession";
import { PairPhoneCommand } from "./pairPhone";
import { RevokePhoneCommand } from "./revokePhone";
import { CommandTerminals } from "./commandTerminals";
import { SetApiKeyCommand } from "./setApiKey";
import { registerShowChanges } from "./showChanges";
import { registerStatusBar } from "./statusBar";
import { registerThreadCommands } from "./threadCommands";
import { registerThreadPanels } from "./threadPanel";
import { DevicesView, type DeviceItem } from "./views/devicesView";
import { registerFirstRunContext } from "./firstRun";
import { StartLocalRelayCommand } from "./startLocalRelay";
import { ThreadsView } from "./views/threadsView";

let session: HostSession | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel("Tether", { log: true });
  const keys = new ApiKeys(context.secrets);
  session = new HostSession(context, channel, keys);
  const pair = new PairPhoneCommand(session);
  const revoke = new RevokePhoneCommand(session);
  const setApiKey = new SetApiKeyCommand(keys);
  // Decisions and tasks from the editor carry this name, as a phone's carry the phone's.
  const self = (): DeviceRef => ({ id: "editor", name: vscode.env.appName });
  const approvals = new Approvals(session, self);
  const threads = new ThreadsView(session);
  const devices = new DevicesView(session);
  const localRelay = new StartLocalRelayCommand(context, session, channel);
  context.subscriptions.push(
    channel,
    session,
    approvals,
    threads,
    devices,
    vscode.window.registerTreeDataProvider("tether.threads", threads),
    vscode.window.registerTreeDataProvider("tether.devices", devices),
    registerStatusBar(session, approvals, () => localRelay.url !== undefined),
    registerThreadCommands(session, self),
    registerThreadPanels(context.extensionUri, session, self, channel),
    registerShowChanges(session),
    new CommandTerminals(session),
    vscode.commands.registerCommand("tether.showApprovals", () => approvals.showPending()),
    keys.onDidChange(() => void session?.restart()),
    vscode.commands.registerCommand(pair.id, () => pair.execute()),
    vscode.commands.registerCommand(revoke.id, (item?: DeviceItem) => revoke.execute(item)),
    vscode.commands.registerCommand(setApiKey.id, () => setApiKey.execute()),
    vscode.commands.registerCommand("tether.showLog", () => channel.show()),
    // Disposed after the host (deactivate closes it first): the relay outlives its last message.
    localRelay,
    vscode.commands.registerCommand(localRelay.id, () => localRelay.execute()),
    registerFirstRunContext(session),
  );
  // Activation came from a Tether command or view: start the host (threads, relay) now.
  void session.session().catch((err: unknown) => channel.warn(`Tether did not start: ${(err as Error).message}`));
}

/** Waits for running tasks to stop (they end as interrupted) before the window goes. */
export async function deactivate(): Promise<void> {
  await session?.restart();
  session = undefined;
}
