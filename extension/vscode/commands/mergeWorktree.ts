// "Tether: Merge Worktree…": the end of a task's worktree, chosen in a quick pick: merge its
// branch back into the branch it came from (fast-forward, or a merge commit), keep the branch and
// remove the worktree, or discard both (asked for with the number of files that would be lost).
// Sent as the `worktree` command through the thread manager as the editor's own device, like a
// phone's; the outcome (the thread's `git` event: merged, or a conflict with its files) is the
// notification that follows.

import * as vscode from "vscode";
import type { Command } from "#protocol";
import { TaskWorktrees } from "../../core/git/worktrees";
import type { Thread } from "../../core/threads/thread";
import type { ThreadManager } from "../../core/threads/threadManager";
import type { NumberedEvent } from "../../core/threads/threadStore";
import {
  discardQuestion,
  opOutcome,
  outcomeNotice,
  worktreeChoices,
  worktreeCommand,
  worktreeOutcome,
  type WorktreeChoice,
  type WorktreeOutcome,
} from "../worktreeChoices";
import { worktreeThread, type ThreadTarget } from "../worktreeThreads";
import { showFailure, type CommandDeps, type EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

/** How long the notification waits for the outcome of a merge (hooks may run) before it lets go. */
const OUTCOME_WAIT_MS = 5 * 60_000;

export const mergeWorktree: EditorCommand<typeof COMMAND_IDS.mergeWorktree> = {
  id: COMMAND_IDS.mergeWorktree,
  async run(deps, target?: ThreadTarget) {
    try {
      const found = await worktreeThread(deps.session, target, "merge, keep or discard a task's worktree", true);
      if (!found) return;
      const { manager, threadId, worktree } = found;
      const { branch, baseBranch } = worktree.worktree;
      if (worktree.state !== "open") {
        void vscode.window.showInformationMessage(`Tether: ${branch} was already ${worktree.state}.`);
        return;
      }
      const changed = (await new TaskWorktrees().changedFiles(worktree.worktree)).length;
      const choice = await vscode.window.showQuickPick(worktreeChoices({ branch, baseBranch }, changed), {
        title: `Tether: ${found.title} (${branch})`,
        placeHolder: `Merge ${branch} into ${baseBranch}, keep it, or discard it`,
        matchOnDescription: true,
      });
      if (!choice) return;
      if (choice.action === "discard") {
        const sure = await vscode.window.showWarningMessage(discardQuestion(branch, changed), { modal: true }, "Discard");
        if (sure !== "Discard") return;
      }
      await end(deps, manager, threadId, choice, changed, false);
    } catch (err) {
      showFailure(err);
    }
  },
};

/** Sends the choice and tells its outcome; a removal refused for uncommitted files may be forced. */
async function end(
  deps: CommandDeps,
  manager: ThreadManager,
  threadId: string,
  choice: WorktreeChoice,
  changed: number,
  force: boolean,
): Promise<void> {
  const command = worktreeCommand(threadId, choice, { changedFiles: changed, force });
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Tether: ${PROGRESS[choice.action]}…` },
    () => sendForOutcome(deps, manager, command),
  );
  if (!outcome) return;
  const notice = outcomeNotice(outcome, choice.action, force);
  if (notice.ok) {
    void vscode.window.showInformationMessage(notice.message);
    return;
  }
  if (!notice.offerForce) {
    void vscode.window.showErrorMessage(notice.message);
    return;
  }
  // The toast waits for the person as long as it takes; the command is done meanwhile.
  void vscode.window.showErrorMessage(notice.message, "Remove Anyway").then((pick) => {
    if (pick === "Remove Anyway") void end(deps, manager, threadId, choice, changed, true).catch(showFailure);
  });
}

const PROGRESS: Record<WorktreeChoice["action"], string> = {
  merge: "merging",
  keep: "removing the worktree",
  discard: "discarding",
};

/** How often the run's state is read while waiting for its outcome. */
const POLL_MS = 500;

/**
 * Sends `command` as the editor and answers how it ended: the thread's `git` event (with the
 * run's refusal code from `git-state`), or the run's own end when it failed before recording one.
 * Undefined when it was refused outright (said already) or no outcome came in time (said too).
 */
async function sendForOutcome(
  deps: CommandDeps,
  manager: ThreadManager,
  command: Extract<Command, { type: "worktree" }>,
): Promise<WorktreeOutcome | undefined> {
  const { agent } = await deps.session.session();
  const opOf = async (): Promise<WorktreeOutcome | undefined> => {
    try {
      return opOutcome((await agent.git.state(command.threadId)).op, command.opId);
    } catch {
      return undefined; // The state cannot be read now (the worktree just went): the event tells.
    }
  };
  let listener: ((thread: Thread, numbered: NumberedEvent) => void) | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  // Listening before sending: a quick outcome is recorded before `handle` returns.
  const ended = new Promise<WorktreeOutcome | undefined>((resolve) => {
    listener = (thread, numbered) => {
      const event = thread.id === command.threadId ? worktreeOutcome(numbered.event) : undefined;
      if (event) void opOf().then((op) => resolve({ ok: event.ok, text: event.text, files: event.files, code: op?.code }));
    };
    manager.on("event", listener);
    const until = Date.now() + OUTCOME_WAIT_MS;
    timer = setInterval(() => {
      if (Date.now() > until) resolve(undefined);
      else void opOf().then((op) => op && resolve(op));
    }, POLL_MS);
  });
  try {
    try {
      await manager.handle(command, deps.self());
    } catch (err) {
      showFailure(err);
      return undefined;
    }
    const outcome = await ended;
    if (!outcome) void vscode.window.showWarningMessage("Tether: no word yet of how it went; the task's history will say.");
    return outcome;
  } finally {
    clearInterval(timer);
    manager.off("event", listener!);
  }
}
