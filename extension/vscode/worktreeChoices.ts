// "Tether: Merge Worktree…" in words and commands, free of `vscode` so the tests reach it: the
// choices the quick pick offers for a task's worktree, the `worktree` command each one sends, the
// question a discard asks, and the notification its outcome becomes.

import { randomId, type Command, type ThreadEvent, type WorktreeAction } from "#protocol";

/** What the choices need to know of the worktree. */
export interface WorktreeNames {
  branch: string;
  baseBranch: string;
}

/** One entry of the quick pick (a `vscode.QuickPickItem` plus what it does). */
export interface WorktreeChoice {
  label: string;
  description?: string;
  detail: string;
  action: WorktreeAction;
  strategy?: "ff-only" | "merge-commit";
}

/** The choices for a worktree, merging first: what a finished task most often comes to. */
export function worktreeChoices({ branch, baseBranch }: WorktreeNames, changed: number): WorktreeChoice[] {
  const files = filesWord(changed);
  return [
    {
      label: `$(git-merge) Merge into ${baseBranch}`,
      description: "fast-forward, or a merge commit",
      // The host fast-forwards when the base has not moved on since the task began.
      detail: `Moves ${baseBranch} forward to ${branch}, or merges it with a merge commit if ${baseBranch} moved on. A conflict is reported, never forced.`,
      action: "merge",
    },
    {
      label: `$(git-merge) Merge into ${baseBranch} with a merge commit`,
      description: "always a merge commit",
      detail: `Records the merge of ${branch} as a commit of its own on ${baseBranch}, even where it could fast-forward.`,
      action: "merge",
      strategy: "merge-commit",
    },
    {
      label: "$(git-branch) Keep branch, remove worktree",
      detail: `${branch} stays for later; its worktree folder goes.`,
      action: "keep",
    },
    {
      label: "$(trash) Discard",
      detail: `Deletes ${branch} and its worktree, with ${files} changed.`,
      action: "discard",
    },
  ];
}

/** The question before a discard: it names what is lost, as the host checks the count. */
export function discardQuestion(branch: string, changed: number): string {
  return `Discard ${branch} and its worktree? ${filesWord(changed)} changed by the task will be lost.`;
}

/** The `worktree` command of a choice, with a fresh op id the outcome is found by. */
export function worktreeCommand(
  threadId: string,
  choice: Pick<WorktreeChoice, "action" | "strategy">,
  options: { changedFiles?: number; force?: boolean; opId?: string } = {},
): Extract<Command, { type: "worktree" }> {
  return {
    type: "worktree",
    threadId,
    opId: options.opId ?? randomId(12),
    action: choice.action,
    ...(choice.strategy ? { strategy: choice.strategy } : {}),
    // The host refuses a discard whose count differs from what the person was shown.
    ...(choice.action === "discard" && options.changedFiles !== undefined ? { changedFiles: options.changedFiles } : {}),
    ...(options.force ? { force: true } : {}),
  };
}

const ENDS: ReadonlySet<string> = new Set<WorktreeAction>(["merge", "keep", "discard"]);

/** The `git` event that tells how a worktree command came out, among those recorded after it. */
export function worktreeOutcome(event: ThreadEvent): Extract<ThreadEvent, { type: "git" }> | undefined {
  return event.type === "git" && ENDS.has(event.action) ? event : undefined;
}

/** The notification of an outcome: its words, with the files concerned (conflicting, uncommitted). */
export interface OutcomeNotice {
  ok: boolean;
  message: string;
  /** Offer to remove the worktree anyway: it was refused for uncommitted files. */
  offerForce: boolean;
}

const MAX_FILES_SHOWN = 10;

export function outcomeNotice(
  outcome: { ok: boolean; text: string; files?: readonly string[] | undefined },
  action: WorktreeAction,
  forced: boolean,
): OutcomeNotice {
  const files = outcome.files ?? [];
  const more = files.length > MAX_FILES_SHOWN ? ` and ${files.length - MAX_FILES_SHOWN} more` : "";
  // Files the words name already ("conflicts in a.md, b.md") are not listed twice.
  const named = files.some((file) => outcome.text.includes(file));
  const listed = files.length && !outcome.ok && !named ? ` Files: ${files.slice(0, MAX_FILES_SHOWN).join(", ")}${more}.` : "";
  return {
    ok: outcome.ok,
    message: `Tether: ${outcome.text}${listed}`,
    offerForce: !outcome.ok && !forced && action !== "merge" && files.length > 0,
  };
}

function filesWord(count: number): string {
  return count === 1 ? "1 file" : `${count} files`;
}
