// The workspace as the agent sees it. The phone's rules hold (nothing outside the folder, no
// secrets, no symlink that leads out) with two differences: the agent may read what .gitignore
// hides (build output, dependencies), and it writes, but never into git's own data.

import { basename, dirname, join, sep } from "node:path";
import { ErrorCode, TetherError, type ListDirResult } from "#protocol";
import { decodeText, normalizeRelative, type Mirror, type Resolved } from "../../mirror/mirror";
import { formatBytes } from "./format";
import type { ProcessRunner, RunResult, WorkspaceFiles } from "./ports";
import { searchWorkspace, type SearchOptions, type SearchResult } from "./workspaceSearch";

/** Text files larger than this are not read whole. */
export const MAX_TEXT_BYTES = 2 * 1024 * 1024;

export interface AgentWorkspaceDeps {
  mirror: Mirror;
  files: WorkspaceFiles;
  runner: ProcessRunner;
}

/** Where a write goes: `abs` is the real file (a link inside the workspace is followed). */
export interface WriteTarget {
  rel: string;
  abs: string;
  exists: boolean;
}

export interface CommandRequest {
  command: string;
  /** Workspace-relative; the root when left out. */
  cwd?: string;
  timeoutMs: number;
  signal: AbortSignal;
  onOutput: (chunk: string) => void;
  env?: Record<string, string>;
  threadId?: string;
}

export class AgentWorkspace {
  private readonly mirror: Mirror;
  private readonly files: WorkspaceFiles;
  private readonly runner: ProcessRunner;

  constructor(deps: AgentWorkspaceDeps) {
    this.mirror = deps.mirror;
    this.files = deps.files;
    this.runner = deps.runner;
  }

  /** The workspace folder, absolute, symlinks resolved. */
  get root(): string {
    return this.mirror.root;
  }

  /** A path to read or list. Gitignored paths are allowed; secrets, `.git/` and the outside are not. */
  async resolveRead(path: string): Promise<Resolved> {
    const rel = normalizeRelative(path);
    refuseGitData(rel, "read");
    const found = await this.mirror.resolve(rel, { allowIgnored: true });
    refuseGitData(this.relOf(found.abs), "read");
    return found;
  }

  /**
   * A file to write or delete, which may not exist yet. Its nearest existing folder must be
   * inside the workspace once links are resolved, and nothing on the way may be a link that
   * leads out or nowhere (writing through it would create a file wherever it points).
   */
  async resolveWrite(path: string): Promise<WriteTarget> {
    const rel = normalizeRelative(path);
    if (!rel) throw new TetherError(ErrorCode.BadRequest, "The workspace root is a folder; name a file inside it.");
    refuseGitData(rel, "write");
    const parts = rel.split("/");
    for (let depth = parts.length; depth >= 0; depth--) {
      const here = parts.slice(0, depth).join("/");
      let found: Resolved;
      try {
        // Checks secrets on the path as given before it looks at the disk, so `.env` is refused
        // whether or not it exists.
        found = await this.mirror.resolve(here, { allowIgnored: true });
      } catch (err) {
        if (err instanceof TetherError && err.code === ErrorCode.NotFound) continue;
        throw err;
      }
      if (depth === parts.length) {
        if (found.stat.kind === "dir") throw new TetherError(ErrorCode.BadRequest, `${rel} is a folder, not a file.`);
        if (found.stat.kind !== "file") throw new TetherError(ErrorCode.BadRequest, `${rel} is not a regular file.`);
        await this.refuseRealPath(rel, found.abs);
        return { rel, abs: found.abs, exists: true };
      }
      if (found.stat.kind !== "dir") {
        throw new TetherError(ErrorCode.BadRequest, `${here} is a file, so ${rel} cannot be created.`);
      }
      // `here` is the nearest existing folder, so the next name does not resolve: if it is there
      // at all, it is a link to something missing (or a loop).
      const next = join(found.abs, parts[depth]!);
      const dangling = await this.mirror.fs.lstat(next).then(
        () => true,
        () => false,
      );
      if (dangling) {
        throw new TetherError(
          ErrorCode.OutsideWorkspace,
          `${parts.slice(0, depth + 1).join("/")} is a symbolic link to something that does not exist; writing through it could leave the workspace.`,
        );
      }
      const abs = join(found.abs, ...parts.slice(depth));
      await this.refuseRealPath(rel, abs);
      return { rel, abs, exists: false };
    }
    // The root itself always resolves, so the loop returns before this.
    throw new TetherError(ErrorCode.Internal, `Could not resolve ${rel}.`);
  }

  /** A working directory for a command: a folder inside the workspace, as an absolute path. */
  async resolveCwd(path: string): Promise<string> {
    const dir = await this.resolveRead(path);
    if (dir.stat.kind !== "dir") throw new TetherError(ErrorCode.NotFound, `${dir.rel || "."} is not a folder.`);
    return dir.abs;
  }

  /** A whole text file. Throws for folders, binaries and files over 2 MB, saying which. */
  async readText(path: string): Promise<string> {
    const file = await this.resolveRead(path);
    const name = file.rel || ".";
    if (file.stat.kind === "dir") throw new TetherError(ErrorCode.BadRequest, `${name} is a folder, not a file.`);
    if (file.stat.kind !== "file") throw new TetherError(ErrorCode.BadRequest, `${name} is not a regular file.`);
    if (file.stat.size > MAX_TEXT_BYTES) {
      throw new TetherError(
        ErrorCode.TooLarge,
        `${name} is ${formatBytes(file.stat.size)}; files over ${formatBytes(MAX_TEXT_BYTES)} are not read whole. ` +
          "Search it for what you need, or look at part of it with a command (head, tail, sed -n '100,200p').",
      );
    }
    const text = decodeText(await this.files.readFile(file.abs).catch(failed("read", name)));
    if (text === null) {
      throw new TetherError(
        ErrorCode.BadRequest,
        `${name} is a binary file (${formatBytes(file.stat.size)}), or text that is not UTF-8; it cannot be shown as text.`,
      );
    }
    return text;
  }

  /** A whole file's bytes, within the read rules (a folder or a special file is refused). */
  async readBytes(path: string): Promise<Uint8Array> {
    const file = await this.resolveRead(path);
    if (file.stat.kind !== "file") throw new TetherError(ErrorCode.BadRequest, `${file.rel || "."} is not a regular file.`);
    return this.files.readFile(file.abs).catch(failed("read", file.rel));
  }

  /** Writes a whole text file, creating the folders above it. */
  async writeText(path: string, content: string): Promise<void> {
    await this.writeBytes(path, content);
  }

  /** Writes a whole file (text or bytes), creating the folders above it. */
  async writeBytes(path: string, content: string | Uint8Array): Promise<void> {
    const target = await this.resolveWrite(path);
    if (!target.exists) await this.files.mkdirp(dirname(target.abs)).catch(failed("create the folder for", target.rel));
    await this.files.writeFile(target.abs, content).catch(failed("write", target.rel));
  }

  /** Deletes one file. A symlink is removed itself, not the file it points to. */
  async remove(path: string): Promise<void> {
    const target = await this.resolveWrite(path);
    if (!target.exists) throw new TetherError(ErrorCode.NotFound, `${target.rel} does not exist.`);
    const parts = target.rel.split("/");
    const parent = await this.mirror.resolve(parts.slice(0, -1).join("/"), { allowIgnored: true });
    await this.files.remove(join(parent.abs, parts.at(-1)!)).catch(failed("delete", target.rel));
  }

  /** One folder: ignored entries stay hidden unless the folder itself is ignored and asked for by name. */
  async listDir(path: string): Promise<ListDirResult> {
    const dir = await this.resolveRead(path);
    return this.mirror.listDir(dir.rel, { allowIgnored: true });
  }

  async search(options: SearchOptions): Promise<SearchResult> {
    const start = await this.resolveRead(options.path ?? "");
    // A folder the ignore rules hide is searched whole when asked for by name.
    const useIgnores = await this.mirror.resolve(start.rel).then(
      () => true,
      () => false,
    );
    return searchWorkspace(this.mirror, start, useIgnores, options);
  }

  /** Runs a shell command in a folder of the workspace. */
  async runCommand(request: CommandRequest): Promise<RunResult> {
    const cwd = await this.resolveCwd(request.cwd ?? "");
    return this.runner.run({
      command: request.command,
      cwd,
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      onOutput: request.onOutput,
      ...(request.env ? { env: request.env } : {}),
      ...(request.threadId ? { threadId: request.threadId } : {}),
    });
  }

  /** The real path's own checks: a link inside the workspace may lead into `.git/` or to a secret. */
  private async refuseRealPath(rel: string, abs: string): Promise<void> {
    const realRel = this.relOf(abs);
    refuseGitData(realRel, "write");
    const slash = realRel.lastIndexOf("/");
    const hiddenBy = await this.mirror.entryFilter(slash < 0 ? "" : realRel.slice(0, slash), { useIgnores: false });
    const why = hiddenBy(basename(abs), false);
    if (why === "secret")
      throw new TetherError(ErrorCode.SecretFile, `${rel} may hold secrets and is never changed by the agent.`);
    if (why) throw new TetherError(ErrorCode.Forbidden, `${rel} is inside .git; change git's data with git commands.`);
  }

  private relOf(abs: string): string {
    if (abs === this.root) return "";
    return abs
      .slice(this.root.length + 1)
      .split(sep)
      .join("/");
  }
}

/** Git's own data is off limits to file tools: a broken `.git/` loses history, and its config can hold tokens. */
function refuseGitData(rel: string, action: "read" | "write"): void {
  if (!rel.split("/").some((part) => part.toLowerCase() === ".git")) return;
  throw new TetherError(
    ErrorCode.Forbidden,
    `${rel} is inside .git, which the agent does not ${action} directly; use git commands through run_command.`,
  );
}

/**
 * A file-system error (permission denied, disk full) as a `TetherError`: the agent tells the
 * model, which can try another way, instead of the whole run failing.
 */
function failed(action: string, rel: string): (err: unknown) => never {
  return (err) => {
    const code = (err as { code?: unknown }).code;
    if (err instanceof TetherError || typeof code !== "string") throw err;
    const reason = FS_REASONS[code] ?? (err as Error).message;
    throw new TetherError(ErrorCode.Internal, `Could not ${action} ${rel}: ${reason}.`);
  };
}

const FS_REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "not permitted",
  ENOSPC: "the disk is full",
  EROFS: "the file system is read-only",
  EISDIR: "it is a folder",
  ENOTDIR: "a part of the path is a file, not a folder",
  ENOENT: "it does not exist",
  EBUSY: "it is in use by another program",
};
