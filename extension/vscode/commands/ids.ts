// Every editor command's id, keyed by the file in this folder that implements it. A plain module
// (no `vscode`): the test that holds package.json's `contributes.commands`, this list and the
// files to one another runs without an editor.

export const COMMAND_IDS = {
  newTask: "tether.newTask",
  openThread: "tether.thread.open",
  showApprovals: "tether.showApprovals",
  pairPhone: "tether.pairPhone",
  revokePhone: "tether.device.revoke",
  setApiKey: "tether.setApiKey",
  showLog: "tether.showLog",
  startLocalRelay: "tether.startLocalRelay",
  showChanges: "tether.thread.showChanges",
  stopThread: "tether.thread.stop",
  revertThread: "tether.thread.revert",
  deleteThread: "tether.thread.delete",
  askAboutSelection: "tether.askAboutSelection",
  sidebarNewTask: "tether.sidebar.newTask",
  openWorktree: "tether.thread.openWorktree",
  mergeWorktree: "tether.thread.mergeWorktree",
  shareThread: "tether.thread.share",
} as const;

/** A command's file name in this folder (without `.ts`). */
export type CommandName = keyof typeof COMMAND_IDS;
export type CommandId = (typeof COMMAND_IDS)[CommandName];
