// Where task worktrees live: under the host's state folder, one folder per repository, and
// never inside the workspace (where they would show up in the project's own tree and search).
import { createHash } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";

/** `<stateDir>/worktrees/<repo-hash>`: one folder per repository, named by its real path. */
export function worktreesFolder(stateDir: string, repo: string): string {
  const hash = createHash("sha256").update(realOrSelf(repo)).digest("hex").slice(0, 16);
  return join(stateDir, "worktrees", hash);
}

export function isInside(path: string, folder: string): boolean {
  const rel = relative(realOrSelf(folder), realParent(path));
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The real path of the nearest existing ancestor, joined with the rest (symlinks resolved). */
function realParent(path: string): string {
  if (existsSync(path)) return realOrSelf(path);
  const parent = dirname(path);
  return parent === path ? path : join(realParent(parent), basename(path));
}

export function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
