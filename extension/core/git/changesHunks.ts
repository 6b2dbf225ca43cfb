import { git, GitError } from "./run";
import { diff } from "./changesDiff";

/** Why a hunk could not be staged or unstaged, for the person to read. */
export type HunkRefusal = "binary" | "too-large" | "untracked" | "renamed" | "no-such-hunk" | "apply-failed";

export type HunkResult = { ok: true } | { ok: false; code: HunkRefusal; message: string };

export type HunkSide = "unstaged" | "staged";

/** Files whose diff is bigger than this are staged whole: a hunk list that long is no use on a phone. */
export const MAX_HUNK_DIFF_BYTES = 128 * 1024;

/** A diff split into its file header and its hunks, each hunk starting at its "@@" line. */
export interface SplitDiff {
  header: string;
  hunks: string[];
}

export function splitDiff(text: string): SplitDiff {
  const lines = text.split(/(?<=\n)/);
  let header = "";
  const hunks: string[] = [];
  for (const line of lines) {
    if (line.startsWith("@@")) hunks.push(line);
    else if (hunks.length === 0) header += line;
    else hunks[hunks.length - 1] += line;
  }
  return { header, hunks };
}

/** The hunks of one file on one side, in the order the index for stageHunk/unstageHunk counts them. */
export async function listHunks(repo: string, path: string, side: HunkSide): Promise<string[]> {
  const found = await sideDiff(repo, path, side);
  return "code" in found ? [] : splitDiff(found.text).hunks;
}

/** Stages one hunk of the file's unstaged changes (counted from 0). */
export function stageHunk(repo: string, path: string, hunkIndex: number): Promise<HunkResult> {
  return applyHunk(repo, path, hunkIndex, "unstaged");
}

/** Takes one hunk of the file's staged changes back out of the index (counted from 0). */
export function unstageHunk(repo: string, path: string, hunkIndex: number): Promise<HunkResult> {
  return applyHunk(repo, path, hunkIndex, "staged");
}

async function applyHunk(repo: string, path: string, hunkIndex: number, side: HunkSide): Promise<HunkResult> {
  const found = await sideDiff(repo, path, side);
  if ("code" in found) return found;
  const { header, hunks } = splitDiff(found.text);
  const hunk = hunks[hunkIndex];
  if (hunk === undefined) {
    return refuse("no-such-hunk", `${path} has ${hunks.length} ${side} hunk(s); there is no hunk ${hunkIndex + 1}.`);
  }
  // The unstaged diff runs index -> working tree, so one hunk of it applies forward to the index;
  // the staged diff runs HEAD -> index, so one hunk of it applies in reverse to take it out.
  const args = ["apply", "--cached", "--whitespace=nowarn"];
  if (side === "staged") args.push("--reverse");
  args.push("-");
  try {
    await git(repo, args, { input: header + hunk });
  } catch (error) {
    if (error instanceof GitError) return refuse("apply-failed", error.stderr.trim() || error.message);
    throw error;
  }
  return { ok: true };
}

async function sideDiff(
  repo: string,
  path: string,
  side: HunkSide,
): Promise<{ text: string } | Exclude<HunkResult, { ok: true }>> {
  if (side === "unstaged") {
    const tracked = await git(repo, ["ls-files", "--error-unmatch", "--", path], { okCodes: [0, 1] });
    if (tracked.code !== 0) {
      return refuse("untracked", `${path} is not tracked yet: stage the whole file.`);
    }
  }
  const args = side === "staged" ? ["diff", "--cached", "--", path] : ["diff", "--", path];
  const found = await diff(repo, args, MAX_HUNK_DIFF_BYTES + 1);
  if (found.binary) return refuse("binary", `${path} is a binary file: stage or unstage it whole.`);
  if (found.truncated || found.text.length > MAX_HUNK_DIFF_BYTES) {
    return refuse(
      "too-large",
      `${path} changed too much to pick hunks (over ${MAX_HUNK_DIFF_BYTES / 1024} KB of diff): stage or unstage it whole.`,
    );
  }
  if (/^rename from /m.test(found.text)) {
    return refuse("renamed", `${path} was renamed: stage or unstage it whole.`);
  }
  return { text: found.text };
}

function refuse(code: HunkRefusal, message: string): { ok: false; code: HunkRefusal; message: string } {
  return { ok: false, code, message };
}
