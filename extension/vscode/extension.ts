// The VS Code entry point: a short list of the parts the window runs, each disposed with the
// extension, then the commands (commands/), which act on those parts.

import * as vscode from "vscode";
import { setAesGcm, type DeviceRef } from "#protocol";
import { nodeAesGcm } from "../node/aesGcm";
import { ApiKeys } from "./apiKeys";
import { Approvals } from "./approvals";
import { CommandTerminals } from "./commandTerminals";
import { registerCommands } from "./commands";
import { registerFirstRunContext } from "./firstRun";
import { HostSession } from "./hostSession";
import { registerOriginalContent } from "./originalContent";
import { SIDEBAR_VIEW, SidebarView } from "./sidebarView";
import { registerStatusBar } from "./statusBar";
import { ThreadPanels } from "./threadPanel";
import { DevicesView } from "./views/devicesView";
import { ThreadsView } from "./views/threadsView";
import { WindowRelay } from "./windowRelay";

let session: HostSession | undefined;

export function activate(context: vscode.ExtensionContext): void {
  // The extension host is Node: its AES-GCM seals and opens on the event loop (node/aesGcm.ts).
  setAesGcm(nodeAesGcm);
  const channel = vscode.window.createOutputChannel("Tether", { log: true });
  const keys = new ApiKeys(context.secrets);
  session = new HostSession(context, channel, keys);
  // Decisions and tasks from the editor carry this name, as a phone's carry the phone's.
  const self = (): DeviceRef => ({ id: "editor", name: vscode.env.appName });
  const approvals = new Approvals(session, self);
  const threads = new ThreadsView(session);
  const devices = new DevicesView(session);
  const panels = new ThreadPanels(context.extensionUri, session, self, channel, context.workspaceState);
  const sidebar = new SidebarView(panels, session);
  const localRelay = new WindowRelay(context, session, channel);
  context.subscriptions.push(
    channel,
    session,
    approvals,
    threads,
    devices,
    vscode.window.registerTreeDataProvider("tether.threads", threads),
    vscode.window.registerTreeDataProvider("tether.devices", devices),
    registerStatusBar(session, approvals, () => localRelay.url !== undefined),
    panels,
    sidebar,
    vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW, sidebar),
    registerOriginalContent(session),
    new CommandTerminals(session),
    keys.onDidChange(() => void session?.restart()),
    // Disposed after the host (deactivate closes it first): the relay outlives its last message.
    localRelay,
    registerFirstRunContext(session),
  );
  registerCommands(context, { session, channel, keys, self, approvals, panels, sidebar, localRelay });
  // Activation came from a Tether command or view: start the host (threads, relay) now.
  void session.session().catch((err: unknown) => channel.warn(`Tether did not start: ${(err as Error).message}`));
}

/** Waits for running tasks to stop (they end as interrupted) before the window goes. */
export async function deactivate(): Promise<void> {
  await session?.restart();
  session = undefined;
}
