// Every editor command, registered by one call. Keyed by file name, so a command missing here,
// or filed under another command's id, does not compile.

import * as vscode from "vscode";
import { askAboutSelection } from "./askAboutSelection";
import type { CommandDeps, EditorCommand } from "./command";
import { deleteThread } from "./deleteThread";
import { COMMAND_IDS, type CommandName } from "./ids";
import { mergeWorktree } from "./mergeWorktree";
import { newTask } from "./newTask";
import { openThread } from "./openThread";
import { openWorktree } from "./openWorktree";
import { pairPhone } from "./pairPhone";
import { revertThread } from "./revertThread";
import { revokePhone } from "./revokePhone";
import { setApiKey } from "./setApiKey";
import { shareThread } from "./shareThread";
import { showApprovals } from "./showApprovals";
import { showChanges } from "./showChanges";
import { showLog } from "./showLog";
import { sidebarNewTask } from "./sidebarNewTask";
import { startLocalRelay } from "./startLocalRelay";
import { stopThread } from "./stopThread";

export type { CommandDeps } from "./command";

const COMMANDS: { [Name in CommandName]: EditorCommand<(typeof COMMAND_IDS)[Name]> } = {
  newTask,
  openThread,
  showApprovals,
  pairPhone,
  revokePhone,
  setApiKey,
  showLog,
  startLocalRelay,
  showChanges,
  stopThread,
  revertThread,
  deleteThread,
  askAboutSelection,
  sidebarNewTask,
  openWorktree,
  mergeWorktree,
  shareThread,
};

/** Registers every command with `deps`; each registration is disposed with the extension. */
export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  for (const command of Object.values(COMMANDS) as EditorCommand[]) {
    context.subscriptions.push(vscode.commands.registerCommand(command.id, (...args: unknown[]) => command.run(deps, ...args)));
  }
}
