// Words for git in a thread's history and the Changes view: who did what with the repository,
// the one-letter mark of a changed file, and what a failed push or worktree ending means for the
// person. Pure, so the tests reach it without a browser.

import type { GitAction, GitChangeKind, ThreadEvent } from "#protocol";

export type GitEvent = Extract<ThreadEvent, { type: "git" }>;

/** What each action did, said after who did it, when the host's own words do not say it. */
const DID: Record<GitAction, string> = {
  worktree: "started this task in a worktree of its own",
  stage: "staged changes",
  unstage: "unstaged changes",
  commit: "committed",
  push: "pushed",
  "pull-request": "opened a pull request",
  merge: "merged the branch back",
  keep: "kept the branch and removed the worktree",
  discard: "discarded the worktree and its branch",
};

/** What each action tried to do, after "could not". */
const TRIED: Record<GitAction, string> = {
  worktree: "make this task's worktree",
  stage: "stage changes",
  unstage: "unstage changes",
  commit: "commit",
  push: "push",
  "pull-request": "open a pull request",
  merge: "merge the branch back",
  keep: "remove the worktree",
  discard: "discard the worktree",
};

/**
 * The host says what happened as a sentence that starts with its verb ("Pushed tether/x to
 * origin"); after a name it reads on in lower case. A sentence that starts otherwise (a path, an
 * acronym) is not a verb phrase and is not folded in.
 */
function asPredicate(text: string): string | null {
  const line = text.trim().split("\n")[0] ?? "";
  if (!/^[A-Z][a-z]+ed\b/.test(line)) return null;
  return line[0]!.toLowerCase() + line.slice(1);
}

export interface GitRowWords {
  /** "Dana's phone pushed tether/add-rate-limiting to origin". */
  headline: string;
  /** More of the host's words under the headline: git's own text when it failed. */
  detail?: string;
}

/** What a `git` event's row says. */
export function gitRowWords(event: GitEvent): GitRowWords {
  const who = event.by.name;
  const text = event.text.trim();
  if (!event.ok) {
    return { headline: `${who} could not ${TRIED[event.action]}`, ...(text ? { detail: text } : {}) };
  }
  // The host's words about a new worktree say what the headline says already.
  if (event.action === "worktree" && event.branch) {
    const from = event.baseBranch ? ` (from ${event.baseBranch})` : "";
    return { headline: `${who} ${DID.worktree} on ${event.branch}${from}` };
  }
  const predicate = asPredicate(text);
  if (predicate) {
    const rest = text.split("\n").slice(1).join("\n").trim();
    return { headline: `${who} ${predicate}`, ...(rest ? { detail: rest } : {}) };
  }
  const did = DID[event.action];
  const branch = event.branch ? ` ${event.branch}` : "";
  const headline =
    event.action === "push" || event.action === "commit"
      ? `${who} ${did}${event.action === "commit" ? (event.commit ? ` ${event.commit.slice(0, 7)}` : "") : branch}`
      : `${who} ${did}`;
  return { headline, ...(text ? { detail: text } : {}) };
}

const LETTER: Record<GitChangeKind, string> = {
  modified: "M",
  added: "A",
  deleted: "D",
  renamed: "R",
  copied: "C",
  typechange: "T",
  untracked: "U",
  conflicted: "!",
};

/** A changed file's mark in the list, as editors show it. */
export const kindLetter = (kind: GitChangeKind): string => LETTER[kind];

/** Words for a screen reader and a tooltip beside the letter. */
export const kindWords = (kind: GitChangeKind): string => (kind === "typechange" ? "type changed" : kind);

/**
 * Why a push failed, in plain words, for the failures a person can act on. Git's own text is
 * shown as well; this says what to do, never to force anything.
 */
export function pushAdvice(code: string | undefined): string | null {
  switch (code) {
    case "rejected":
      return "The remote branch has commits this one doesn't. Update the branch on the computer (pull or rebase), then push again.";
    case "no-upstream":
      return "The branch has no upstream and there is no remote named origin to push it to.";
    case "auth":
    case "authentication":
      return "The remote refused the computer's credentials. Sign in to git on the computer, then push again.";
    default:
      return null;
  }
}

/** "1 file", "3 files". */
export const fileCount = (n: number): string => (n === 1 ? "1 file" : `${n} files`);

/** "2 ahead, 1 behind", "up to date", "" without an upstream. */
export function aheadBehind(state: { upstream?: string | undefined; ahead: number; behind: number }): string {
  if (!state.upstream) return "";
  if (state.ahead === 0 && state.behind === 0) return "up to date";
  const parts = [];
  if (state.ahead) parts.push(`${state.ahead} ahead`);
  if (state.behind) parts.push(`${state.behind} behind`);
  return parts.join(", ");
}
