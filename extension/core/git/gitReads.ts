// The Changes view's reads: the list first (two git processes however many files changed, no
// diff text), then one file's diff when the person opens it. Secret files are left out of the
// list and refused by name, so a phone never learns what a `.env` holds, even as a diff.

import { lstat, open } from "node:fs/promises";
import { join } from "node:path";
import {
  ErrorCode,
  MAX_CHANGED_FILES,
  MAX_GIT_DIFF_CHARS,
  TetherError,
  type ChangedFileInfo,
  type GitChangesResult,
  type GitDiffResult,
} from "#protocol";
import { hasHead, kindOf } from "./changes";
import { diff as runDiff, type Diff } from "./changesDiff";
import { MAX_HUNK_DIFF_BYTES, splitDiff } from "./changesHunks";
import { parseStatus, type StatusEntry } from "./changesStatus";
import { untrackedDiff } from "./changesUntracked";
import { checkPath, literal } from "./gitScope";
import { git, GitError } from "./run";

/** Git's tree with nothing in it: what a repository without commits is compared against. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
/** New files larger than this are listed without a line count rather than read. */
const COUNT_LINES_MAX_BYTES = 1024 * 1024;

type IsSecret = (rel: string) => boolean;

/** The changed files a phone may see, in git's order (status entries, secrets left out). */
export async function visibleEntries(dir: string, isSecret: IsSecret): Promise<StatusEntry[]> {
  const status = await git(dir, ["status", "--porcelain=v2", "-z", "--untracked-files=all"]);
  return parseStatus(status.stdout).entries.filter(
    (entry) => !isSecret(entry.path) && (entry.origPath === undefined || !isSecret(entry.origPath)),
  );
}

export async function listChangedFiles(dir: string, isSecret: IsSecret): Promise<GitChangesResult> {
  const [entries, counts] = await Promise.all([visibleEntries(dir, isSecret), lineCounts(dir)]);
  const shown = entries.slice(0, MAX_CHANGED_FILES);
  const files = await Promise.all(
    shown.map(async (entry): Promise<ChangedFileInfo> => {
      const file: ChangedFileInfo = {
        path: entry.path,
        kind: kindOf(entry),
        staged: entry.index !== "." && entry.index !== "?",
        unstaged: entry.worktree !== ".",
      };
      if (entry.origPath !== undefined) file.origPath = entry.origPath;
      const count = entry.type === "untracked" ? await countNewFile(dir, entry.path) : counts.get(entry.path);
      if (count === "binary") file.binary = true;
      else if (count) Object.assign(file, count);
      return file;
    }),
  );
  return { type: "git-changes", files, more: entries.length - shown.length };
}

type LineCount = { added: number; removed: number } | "binary";

/** Lines added and removed against HEAD (staged and unstaged together), by path. */
async function lineCounts(dir: string): Promise<Map<string, LineCount>> {
  const numstat = (against: string) => ["diff", "--numstat", "-z", "-M", "--no-ext-diff", against, "--"];
  // Asked of HEAD straight away (one process less on the first screen); a repository without
  // commits fails that, and is compared with the empty tree instead.
  let out = await git(dir, numstat("HEAD"), { allowFailure: true });
  if (out.code !== 0) {
    if (await hasHead(dir)) throw new GitError(numstat("HEAD"), out.code, out.stderr);
    out = await git(dir, numstat(EMPTY_TREE));
  }
  const counts = new Map<string, LineCount>();
  const records = out.stdout.split("\0");
  for (let i = 0; i < records.length; i++) {
    const record = records[i] ?? "";
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(record);
    if (!match) continue;
    // A rename's record has an empty path, then the old and the new path as records of their own.
    let path = match[3] ?? "";
    if (path === "") {
      i += 2;
      path = records[i] ?? "";
    }
    counts.set(path, match[1] === "-" ? "binary" : { added: Number(match[1]), removed: Number(match[2]) });
  }
  return counts;
}

/** A new file's lines, read from disk as git would count them. */
async function countNewFile(dir: string, path: string): Promise<LineCount | undefined> {
  const full = join(dir, path);
  const info = await lstat(full).catch(() => undefined);
  if (!info?.isFile() || info.size > COUNT_LINES_MAX_BYTES) return undefined;
  const handle = await open(full, "r");
  try {
    const buffer = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
    const content = buffer.subarray(0, bytesRead);
    if (content.subarray(0, 8000).includes(0)) return "binary";
    let lines = 0;
    for (const byte of content) if (byte === 10) lines++;
    if (content.length > 0 && content[content.length - 1] !== 10) lines++;
    return { added: lines, removed: 0 };
  } finally {
    await handle.close();
  }
}

/** One changed file's diff on one side, cut at the wire's limit. */
export async function fileDiff(
  dir: string,
  path: string,
  side: "staged" | "unstaged",
  isSecret: IsSecret,
): Promise<GitDiffResult> {
  checkPath(path, isSecret);
  const entry = (await visibleEntries(dir, isSecret)).find((e) => e.path === path);
  if (!entry) throw new TetherError(ErrorCode.NotFound, `${path} has no changes.`);
  const staged = entry.index !== "." && entry.index !== "?";
  const unstaged = entry.worktree !== ".";
  let found: Diff = { text: "", truncated: false, binary: false };
  let byHunk: string | undefined;
  if (side === "staged" && staged) {
    const paths = entry.origPath !== undefined ? [entry.origPath, entry.path] : [entry.path];
    found = await runDiff(dir, ["diff", "--cached", "-M", "--", ...paths.map(literal)], MAX_GIT_DIFF_CHARS);
    if (entry.origPath !== undefined) byHunk = "A renamed file is staged and unstaged whole.";
  } else if (side === "unstaged" && entry.type === "untracked") {
    found =
      (await untrackedDiff(dir, path, MAX_GIT_DIFF_CHARS)) ??
      (await runDiff(dir, ["diff", "--no-index", "--", "/dev/null", path], MAX_GIT_DIFF_CHARS, [0, 1]));
    byHunk = "A new file is staged whole.";
  } else if (side === "unstaged" && unstaged) {
    found = await runDiff(dir, ["diff", "--", literal(path)], MAX_GIT_DIFF_CHARS);
  }
  if (entry.type === "unmerged") byHunk = "A file with merge conflicts is staged whole once resolved.";
  if (found.binary) byHunk = "A binary file is staged whole.";
  else if (found.truncated || found.text.length > MAX_HUNK_DIFF_BYTES) {
    byHunk ??= `Over ${MAX_HUNK_DIFF_BYTES / 1024} KB of changes: it is staged whole.`;
  }
  const text = found.text.length > MAX_GIT_DIFF_CHARS ? found.text.slice(0, MAX_GIT_DIFF_CHARS) : found.text;
  const result: GitDiffResult = {
    type: "git-diff",
    path,
    side,
    diff: found.binary ? "" : text,
    truncated: found.truncated || text.length < found.text.length,
    binary: found.binary,
    hunks: found.binary ? 0 : splitDiff(text).hunks.length,
  };
  if (byHunk !== undefined) result.byHunk = byHunk;
  return result;
}
