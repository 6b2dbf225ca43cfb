// "Tether: Merge Worktree…" in words and commands, free of `vscode` so the tests reach it: the
// choices the quick pick offers for a task's worktree, the `worktree` command each one sends, the
// question a discard asks, and the notification its outcome becomes.

import { randomId, type Command, type GitOp, type ThreadEvent, type WorktreeAction } from "#protocol";

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
export function worktreeChoices({ baseBranch }: WorktreeNames, changed: number): WorktreeChoice[] {
  // The quick pick's title names the branch: the details stay short enough to read whole.
  return [
    {
      label: `$(git-merge) Merge into ${baseBranch}`,
      description: "fast-forward, or a merge commit",
      // The host fast-forwards when the base has not moved on since the task began.
      detail: `A merge commit only if ${baseBranch} moved on. A conflict is reported, never forced.`,
      action: "merge",
    },
    {
      label: `$(git-merge) Merge into ${baseBranch} with a merge commit`,
      description: "always a merge commit",
      detail: "A merge commit even where it could fast-forward.",
      action: "merge",
      strategy: "merge-commit",
    },
    {
      label: "$(git-branch) Keep branch, remove worktree",
      detail: "The branch stays for later; the worktree's folder goes.",
      action: "keep",
    },
    {
      label: "$(trash) Discard",
      detail: `Deletes the branch and its worktree, with the ${filesWord(changed)} the task changed.`,
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

/** How a worktree command ended: its `git` event's words, with the run's refusal code when known. */
export interface WorktreeOutcome {
  ok: boolean;
  text: string;
  files?: readonly string[] | undefined;
  /** The host's reason for a refusal (`worktree-dirty`, `conflict`, `count-mismatch`…). */
  code?: string | undefined;
}

/** The outcome of the run `opId` as `git-state` tells it, once it has ended. */
export function opOutcome(op: GitOp | undefined, opId: string): WorktreeOutcome | undefined {
  if (!op || op.opId !== opId || op.state === "running") return undefined;
  return {
    ok: op.state === "done",
    text: op.message ?? (op.state === "done" ? "Done." : "It failed."),
    files: op.files,
    code: op.code,
  };
}

export function outcomeNotice(outcome: WorktreeOutcome, action: WorktreeAction, forced: boolean): OutcomeNotice {
  const files = outcome.files ?? [];
  const more = files.length > MAX_FILES_SHOWN ? ` and ${files.length - MAX_FILES_SHOWN} more` : "";
  // Files the words name already ("conflicts in a.md, b.md") are not listed twice.
  const named = files.some((file) => outcome.text.includes(file));
  const listed = files.length && !outcome.ok && !named ? ` Files: ${files.slice(0, MAX_FILES_SHOWN).join(", ")}${more}.` : "";
  return {
    ok: outcome.ok,
    message: `Tether: ${outcome.text}${listed}`,
    // Only uncommitted files are removed anyway, and only when asked: never a conflict or a changed count.
    offerForce:
      !outcome.ok &&
      !forced &&
      action !== "merge" &&
      files.length > 0 &&
      (outcome.code === undefined || outcome.code === "worktree-dirty"),
  };
}

function filesWord(count: number): string {
  return count === 1 ? "1 file" : `${count} files`;
}
