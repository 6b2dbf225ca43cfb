// Words and colours for the git marks a listing carries, so the letter is never the only cue.

import type { GitMark } from "#protocol";

export type { GitMark };

const FILE_LABELS: Record<GitMark, string> = {
  M: "Modified",
  A: "Added",
  D: "Deleted",
  R: "Renamed",
  "?": "Untracked",
  U: "Conflict",
};

// A folder's mark says what is inside it, not what happened to the folder.
const FOLDER_LABELS: Record<GitMark, string> = {
  M: "Changes inside",
  A: "Added files inside",
  D: "Deleted files inside",
  R: "Renamed files inside",
  "?": "Untracked files inside",
  U: "Conflicts inside",
};

/** What a screen reader says, and a tooltip shows, for a mark. */
export function gitMarkLabel(mark: GitMark, isDir: boolean): string {
  return (isDir ? FOLDER_LABELS : FILE_LABELS)[mark];
}

const TONES: Record<GitMark, "modified" | "added" | "deleted" | "renamed" | "untracked" | "conflict"> = {
  M: "modified",
  A: "added",
  D: "deleted",
  R: "renamed",
  "?": "untracked",
  U: "conflict",
};

/** The class that colours a mark. */
export function gitMarkTone(mark: GitMark): string {
  return TONES[mark];
}
