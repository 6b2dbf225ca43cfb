// The shape of an editor command (one file each in this folder) and what the commands are given:
// the window's running parts in one typed object, built once by `activate`.

import * as vscode from "vscode";
import { TetherError, type Command, type DeviceRef } from "#protocol";
import type { ApiKeys } from "../apiKeys";
import type { Approvals } from "../approvals";
import type { HostSession } from "../hostSession";
import type { SidebarView } from "../sidebarView";
import type { ThreadPanels } from "../threadPanel";
import type { WindowRelay } from "../windowRelay";
import type { CommandId } from "./ids";

/** The parts of the window the commands act on. */
export interface CommandDeps {
  readonly session: HostSession;
  readonly channel: vscode.LogOutputChannel;
  readonly keys: ApiKeys;
  /** The editor as a device: decisions and tasks from here carry this name. */
  readonly self: () => DeviceRef;
  readonly approvals: Approvals;
  readonly panels: ThreadPanels;
  readonly sidebar: SidebarView;
  readonly localRelay: WindowRelay;
}

/** One command: its id (as package.json contributes it) and what it does, given the window's parts. */
export interface EditorCommand<Id extends CommandId = CommandId> {
  readonly id: Id;
  /** `args` are what VS Code passes: a view's item, a menu's uri, a keybinding's `args`. */
  run(deps: CommandDeps, ...args: unknown[]): unknown;
}

/** A failure shown as the other Tether messages are: a refusal in its own words. */
export function showFailure(err: unknown): void {
  void vscode.window.showErrorMessage(`Tether: ${err instanceof TetherError ? err.message : (err as Error).message}`);
}

/** Sends `command` through the thread manager as the editor's own device, as a phone's are. */
export async function sendAsEditor(deps: CommandDeps, command: Command): Promise<void> {
  try {
    const { agent } = await deps.session.session();
    await agent.manager.handle(command, deps.self());
  } catch (err) {
    showFailure(err);
  }
}
