// The workspace as the phone sees it: one directory at a time, bounded file reads, and the
// rules that keep the phone inside the folder and away from secrets.
//
// Over 300 lines on purpose: listing, reading and watching share the one path check and secret
// rules, and keeping them in one file keeps every way in behind the same door.

import { join, sep } from "node:path";
import {
  ErrorCode,
  MAX_DIR_ENTRIES,
  MAX_IMAGE_BYTES,
  MAX_READ_BYTES,
  TetherError,
  fromUtf8,
  toBase64Url,
  type DirEntry,
  type ListDirResult,
  type ReadFileResult,
} from "#protocol";
import type { FileSystem, FileStat } from "./fileSystem";
import type { GitStatus } from "./gitStatus";
import { ALWAYS_EXCLUDED, EntryRules, SecretRules } from "./rules";

const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".bmp": "image/bmp",
  ".ico": "image/x-icon",
  ".svg": "image/svg+xml",
};

/** The order of `localeCompare`, without setting up a comparison for each pair. */
const byName = new Intl.Collator();

/** How long remembered `.gitignore` rules count as current without a look at the file. */
const GITIGNORE_RECHECK_MS = 2000;
/** Longest wait for git's marks when nothing else waits on them (a watcher's second look). */
const GIT_SETTLE_WAIT_MS = 30_000;

export interface MirrorOptions {
  fs: FileSystem;
  /** The workspace folder, absolute. */
  root: string;
  secretPatterns?: readonly string[];
  /** Extra gitignore-style patterns hidden from listings (editor `files.exclude`, settings). */
  excludes?: readonly string[];
  /** Git status marks for listings; without it entries carry none. */
  gitStatus?: GitStatus;
}

/** A checked path: `rel` as asked for (normalised), `abs` with every symlink resolved. */
export interface Resolved {
  rel: string;
  abs: string;
  stat: FileStat;
}

export interface ListOptions extends ResolveOptions {
  /**
   * How long to wait for a `git status` run before answering without its newest marks (the
   * previous run's, or none before the first); the marks then come as a delta to watching phones.
   */
  gitWaitMs?: number;
  /**
   * False: take the marks of git's last run and start no new one. For the feed, which lists a
   * folder again on each change and asks git itself once changes have settled: starting a process
   * costs a busy host milliseconds, which a change on its way to a phone should not wait for.
   */
  gitRefresh?: boolean;
}

export interface ResolveOptions {
  /**
   * Let paths the ignore rules exclude (.gitignore, extra excludes, `.git/`) through; secrets and
   * paths that leave the workspace are refused all the same. The agent reads build output and
   * dependencies that the phone's file browser does not list.
   */
  allowIgnored?: boolean;
}

/** Why an entry of a folder is hidden, or null when it is shown. */
export type EntryFilter = (name: string, isDir: boolean) => "secret" | "ignored" | null;

/** Splits a workspace-relative path into clean segments, refusing anything that climbs out. */
export function normalizeRelative(input: string): string {
  if (input.includes("\0")) throw new TetherError(ErrorCode.BadRequest, "path contains a NUL byte");
  if (input.startsWith("/") || input.startsWith("\\") || /^[A-Za-z]:/.test(input)) {
    throw new TetherError(ErrorCode.OutsideWorkspace, "Absolute paths are not allowed; paths are relative to the workspace.");
  }
  const out: string[] = [];
  for (const part of input.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) throw new TetherError(ErrorCode.OutsideWorkspace, "That path leads outside the workspace.");
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out.join("/");
}

export class Mirror {
  private readonly secrets: SecretRules;
  private readonly excludes: EntryRules;
  private readonly alwaysExcluded = new EntryRules(ALWAYS_EXCLUDED);
  private readonly gitignores = new Map<string, { mtime: number; rules: EntryRules | null; checkedAt: number }>();
  private readonly gitStatus: GitStatus | undefined;

  private constructor(
    /** The file system the workspace lives on, for callers that need more than listings and reads. */
    readonly fs: FileSystem,
    /** The workspace root with symlinks resolved. */
    readonly root: string,
    private readonly options: MirrorOptions,
  ) {
    this.secrets = new SecretRules(options.secretPatterns);
    this.excludes = new EntryRules([...ALWAYS_EXCLUDED, ...(options.excludes ?? [])]);
    this.gitStatus = options.gitStatus;
  }

  static async open(options: MirrorOptions): Promise<Mirror> {
    const root = await options.fs.realpath(options.root);
    const stat = await options.fs.stat(root);
    if (stat.kind !== "dir") throw new Error(`${options.root} is not a folder`);
    const mirror = new Mirror(options.fs, root, options);
    // Each rule's pattern is compiled when first matched: matched once now, with the root's
    // .gitignore read, so that work is done before a phone's first listing rather than during it.
    const warm = await mirror.entryFilter("");
    warm("tether-warm-up", false);
    return mirror;
  }

  /**
   * The same rules (secrets, excludes) over another folder: a task's own worktree, which a phone
   * and the agent see exactly as they see the workspace. `gitStatus` marks that folder's files.
   */
  rootedAt(root: string, gitStatus?: GitStatus): Promise<Mirror> {
    const { gitStatus: _mine, ...rules } = this.options;
    return Mirror.open({ ...rules, fs: this.fs, root, ...(gitStatus ? { gitStatus } : {}) });
  }

  /**
   * One folder's entries, hiding secrets and ignored entries. With `allowIgnored` a folder that is
   * itself ignored can be listed too, and then shows everything in it but secrets and `.git/`.
   */
  async listDir(path: string, options: ListOptions = {}): Promise<ListDirResult> {
    const dir = await this.resolve(path, options);
    if (dir.stat.kind !== "dir") throw new TetherError(ErrorCode.NotFound, `${dir.rel || "."} is not a folder`);
    // Git runs while the folder is read; the cache answers within a bounded wait.
    const gitMarks = options.gitRefresh === false ? this.gitStatus?.latest() : this.gitStatus?.current(options.gitWaitMs);
    const names = await this.fs.readdir(dir.abs);
    const useIgnores = !(options.allowIgnored && dir.rel && (await this.isIgnored(dir.rel, true)));
    // The folder itself passed `resolve`, so each entry needs checking on its own only.
    const hiddenBy = await this.entryFilter(dir.rel, { useIgnores, hasGitignore: names.some((e) => e.name === ".gitignore") });
    const entries: DirEntry[] = [];
    let hidden = 0;
    const links: string[] = [];
    const plain: string[] = [];
    for (const entry of names) {
      if (hiddenBy(entry.name, entry.kind === "dir")) hidden++;
      else (entry.kind === "symlink" ? links : plain).push(entry.name);
    }
    const stats = await this.lstatMany(dir.abs, plain);
    plain.forEach((name, i) => {
      // Gone between readdir and lstat: it is not there any more.
      const stat = stats[i];
      if (stat) entries.push({ name, kind: stat.kind, size: stat.size, mtime: stat.mtime });
    });
    await forEachLimited(links, 32, async (name) => {
      let stat: FileStat;
      try {
        stat = await this.followLink(join(dir.abs, name));
      } catch {
        stat = { kind: "symlink", size: 0, mtime: 0 };
      }
      entries.push({ name, kind: stat.kind, size: stat.size, mtime: stat.mtime });
    });
    const marks = await gitMarks;
    if (marks && marks.size > 0) {
      // Git names paths where they really are: a folder reached through a symlink has its target's.
      const base = this.relativeOf(dir.abs);
      for (const entry of entries) {
        const git = marks.markOf(base ? `${base}/${entry.name}` : entry.name, entry.kind === "dir");
        if (git) entry.git = git;
      }
    }
    entries.sort((a, b) =>
      (a.kind === "dir") !== (b.kind === "dir") ? (a.kind === "dir" ? -1 : 1) : byName.compare(a.name, b.name),
    );
    const truncated = entries.length > MAX_DIR_ENTRIES;
    return { type: "list-dir", path: dir.rel, entries: entries.slice(0, MAX_DIR_ENTRIES), hidden, truncated };
  }

  async readFile(path: string, offset = 0, length = MAX_READ_BYTES): Promise<ReadFileResult> {
    const file = await this.resolve(path);
    if (file.stat.kind !== "file") throw new TetherError(ErrorCode.NotFound, `${file.rel || "."} is not a file`);
    const { size, mtime } = file.stat;
    const base = { type: "read-file" as const, path: file.rel, size, mtime };
    const dot = file.rel.lastIndexOf(".");
    const image = dot >= 0 ? IMAGE_TYPES[file.rel.slice(dot).toLowerCase()] : undefined;
    if (image) {
      // Images come whole or not at all: a half image shows nothing useful.
      if (size > MAX_IMAGE_BYTES) return { ...base, offset: 0, kind: "image", mime: image, content: "", eof: true };
      const bytes = await this.fs.read(file.abs, 0, size);
      return { ...base, offset: 0, kind: "image", mime: image, content: toBase64Url(bytes), eof: true };
    }
    const start = Math.min(offset, size);
    const want = Math.min(length, MAX_READ_BYTES);
    const bytes = await this.fs.read(file.abs, start, want);
    const eof = start + bytes.length >= size;
    const text = decodeText(eof ? bytes : trimToCharBoundary(bytes));
    if (text === null)
      return { ...base, offset: start, kind: "binary", mime: "application/octet-stream", content: "", eof: true };
    return { ...base, offset: start, kind: "text", mime: "text/plain", content: text, eof };
  }

  /** Whether listings carry git's marks (the workspace has a status cache). */
  get tracksGit(): boolean {
    return this.gitStatus !== undefined;
  }

  /** Calls `listener` whenever a git status run ends with other marks than the one before. */
  onGitChange(listener: () => void): () => void {
    return this.gitStatus?.onChange?.(listener) ?? (() => undefined);
  }

  /** Waits (up to half a minute) for git marks as fresh as the status cache keeps them. */
  async gitSettled(): Promise<void> {
    await this.gitStatus?.current(GIT_SETTLE_WAIT_MS);
  }

  /** A workspace-relative path (or a folder above it) the secret rules keep from phones; by name only. */
  isSecret(rel: string): boolean {
    return this.secrets.isSecret(rel);
  }

  /** Resolves a phone-supplied path to a real file inside the workspace, or throws why not. */
  async resolve(path: string, options: ResolveOptions = {}): Promise<Resolved> {
    const rel = normalizeRelative(path);
    if (this.secrets.isSecret(rel)) throw new TetherError(ErrorCode.SecretFile, `${rel} may hold secrets and is never shared.`);
    const abs = rel ? join(this.root, ...rel.split("/")) : this.root;
    let real: string;
    try {
      real = await this.fs.realpath(abs);
    } catch {
      throw new TetherError(ErrorCode.NotFound, `${rel || "."} does not exist`);
    }
    if (real !== this.root && !real.startsWith(this.root + sep)) {
      throw new TetherError(ErrorCode.OutsideWorkspace, `${rel} leads outside the workspace.`);
    }
    const realRel = this.relativeOf(real);
    const stat = await this.fs.stat(real);
    if (this.secrets.isSecret(realRel, stat.kind === "dir")) {
      throw new TetherError(ErrorCode.SecretFile, `${rel} may hold secrets and is never shared.`);
    }
    const isDir = stat.kind === "dir";
    if (
      rel &&
      !options.allowIgnored &&
      ((await this.isIgnored(rel, isDir)) || (realRel && realRel !== rel && (await this.isIgnored(realRel, isDir))))
    ) {
      throw new TetherError(ErrorCode.NotFound, `${rel} is excluded by the workspace's ignore rules.`);
    }
    return { rel, abs: real, stat };
  }

  /**
   * The rules for the entries of one folder (workspace-relative), loaded once so a walk over many
   * entries checks each without touching the disk. Without `useIgnores` only secrets and `.git/`
   * are hidden. `hasGitignore`: whether the folder holds a `.gitignore`, when a readdir of it just
   * told, which spares a look for one.
   */
  async entryFilter(dirRel: string, options: { useIgnores?: boolean; hasGitignore?: boolean } = {}): Promise<EntryFilter> {
    const useIgnores = options.useIgnores ?? true;
    const levels: ((name: string, isDir: boolean) => boolean)[] = [];
    if (useIgnores) {
      const parts = dirRel ? dirRel.split("/") : [];
      for (let depth = 0; depth <= parts.length; depth++) {
        const own = depth === parts.length ? options.hasGitignore : undefined;
        const rules = await this.gitignoreOf(parts.slice(0, depth).join("/"), own);
        if (rules) levels.push(rules.forFolder(parts.slice(depth).join("/")));
      }
    }
    const secret = this.secrets.forFolder(dirRel);
    const excluded = (useIgnores ? this.excludes : this.alwaysExcluded).forFolder(dirRel);
    return (name, isDir) => {
      if (secret(name, isDir)) return "secret";
      if (excluded(name, isDir)) return "ignored";
      for (const ignored of levels) if (ignored(name, isDir)) return "ignored";
      return null;
    };
  }

  /** The workspace-relative form of an absolute path already known to be inside. */
  private relativeOf(real: string): string {
    return real === this.root
      ? ""
      : real
          .slice(this.root.length + 1)
          .split(sep)
          .join("/");
  }

  private async followLink(abs: string): Promise<FileStat> {
    const real = await this.fs.realpath(abs);
    if (real !== this.root && !real.startsWith(this.root + sep)) return { kind: "symlink", size: 0, mtime: 0 };
    return this.fs.stat(real);
  }

  /**
   * True when the path or any folder above it is excluded: gitignore semantics, the rules of every
   * folder from the root to its parent. Each set of rules is asked once, for the whole path below
   * its folder; it checks the folders above the path itself.
   */
  private async isIgnored(rel: string, isDir: boolean): Promise<boolean> {
    const suffix = isDir ? "/" : "";
    if (this.excludes.ignores(rel + suffix)) return true;
    const parts = rel.split("/");
    for (let depth = 0; depth < parts.length; depth++) {
      const rules = await this.gitignoreOf(parts.slice(0, depth).join("/"));
      if (rules?.ignores(parts.slice(depth).join("/") + suffix)) return true;
    }
    return false;
  }

  /**
   * Forgets the `.gitignore` rules remembered for a folder (workspace-relative), so the next
   * listing reads them again: for a watcher that saw the file change.
   */
  forgetIgnoreRules(dirRel: string): void {
    this.gitignores.delete(dirRel);
  }

  /**
   * The rules of one folder's `.gitignore`. Every listing needs those of each folder above it, so
   * they are remembered and checked again (a stat) only once `GITIGNORE_RECHECK_MS` passed; a
   * watcher on the folder makes a change count at once (`forgetIgnoreRules`).
   */
  private async gitignoreOf(dir: string, exists?: boolean): Promise<EntryRules | null> {
    const at = Date.now();
    if (exists === false) {
      // A readdir of the folder just found none: no need to look for it, nor to remember an old one.
      this.gitignores.set(dir, { mtime: -1, rules: null, checkedAt: at });
      return null;
    }
    const cached = this.gitignores.get(dir);
    if (cached && at - cached.checkedAt < GITIGNORE_RECHECK_MS) return cached.rules;
    const file = dir ? join(this.root, ...dir.split("/"), ".gitignore") : join(this.root, ".gitignore");
    let mtime = -1;
    try {
      mtime = (await this.fs.stat(file)).mtime;
    } catch {
      // no .gitignore here
    }
    if (cached && cached.mtime === mtime) {
      cached.checkedAt = at;
      return cached.rules;
    }
    const text = mtime >= 0 ? await this.fs.readTextIfExists(file) : null;
    const rules = text === null ? null : new EntryRules(text);
    this.gitignores.set(dir, { mtime, rules, checkedAt: at });
    return rules;
  }

  private async lstatMany(dir: string, names: readonly string[]): Promise<(FileStat | null)[]> {
    if (this.fs.lstatMany) return this.fs.lstatMany(dir, names);
    const out: (FileStat | null)[] = new Array<FileStat | null>(names.length).fill(null);
    await forEachLimited(
      names.map((name, i) => ({ name, i })),
      32,
      async ({ name, i }) => {
        out[i] = await this.fs.lstat(join(dir, name)).catch(() => null);
      },
    );
    return out;
  }
}

/** Drops a UTF-8 sequence cut in half at the end of a slice. */
export function trimToCharBoundary(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  let back = 0;
  while (end > 0 && back < 4 && (bytes[end - 1]! & 0xc0) === 0x80) {
    end--;
    back++;
  }
  if (end === 0) return bytes;
  const lead = bytes[end - 1]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? bytes.subarray(0, end - 1) : bytes;
}

/** UTF-8 text, or null for a binary (a NUL byte early on) or text in another encoding. */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.subarray(0, 8192).includes(0)) return null;
  try {
    return fromUtf8(bytes);
  } catch {
    return null;
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}
