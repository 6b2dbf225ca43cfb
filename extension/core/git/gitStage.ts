// Staging and unstaging from a phone: whole files, or one hunk of one file. Every path must be
// one git lists as changed (and not a secret), so a phone can only move what it was shown.

import { ErrorCode, TetherError, type Command } from "#protocol";
import { stage, stageHunk, unstage, unstageHunk } from "./changes";
import { visibleEntries } from "./gitReads";
import { checkPath, literal } from "./gitScope";

type StageCommand = Extract<Command, { type: "git-stage" | "git-unstage" }>;

/** What the thread's history says was staged or unstaged. */
export interface StageDone {
  text: string;
  files: string[];
}

export async function stageFiles(dir: string, command: StageCommand, isSecret: (rel: string) => boolean): Promise<StageDone> {
  const staging = command.type === "git-stage";
  const paths = [...new Set(command.paths.map((path) => checkPath(path, isSecret)))];
  const entries = new Map((await visibleEntries(dir, isSecret)).map((entry) => [entry.path, entry]));
  for (const path of paths) {
    if (!entries.has(path)) throw new TetherError(ErrorCode.NotFound, `${path} has no changes.`);
  }
  const verb = staging ? "Staged" : "Unstaged";
  if (command.hunk !== undefined) {
    const [path] = paths;
    if (path === undefined || paths.length !== 1) {
      throw new TetherError(ErrorCode.BadRequest, "A hunk is staged or unstaged for one file at a time.");
    }
    const done = staging
      ? await stageHunk(dir, literal(path), command.hunk)
      : await unstageHunk(dir, literal(path), command.hunk);
    if (!done.ok) throw new TetherError(ErrorCode.BadRequest, done.message.replace(literal(path), path));
    return { text: `${verb} hunk ${command.hunk + 1} of ${path}`, files: [path] };
  }
  if (staging) {
    await stage(dir, paths.map(literal));
  } else {
    // A staged rename is unstaged whole: its old path comes back out of the index too.
    const withOrigins = paths.flatMap((path) => {
      const origPath = entries.get(path)?.origPath;
      return origPath !== undefined ? [path, origPath] : [path];
    });
    await unstage(dir, withOrigins.map(literal));
  }
  const text = paths.length === 1 ? `${verb} ${paths[0]}` : `${verb} ${paths.length} files`;
  return { text, files: paths };
}
