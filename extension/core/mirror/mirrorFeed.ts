// Changes in the folders and files phones are showing, as deltas. Each phone names what it
// shows (a `watch` call with a lease it renews); the feed watches just those folders, and on a
// change (at once for the first, at the end of a burst for those that follow it) lists each
// changed folder again with the mirror's own rules and sends what differs. Nothing a listing would hide (ignored, secret, links out of the workspace as more
// than a link) can appear in a delta, and a phone that vanished stops costing anything once its
// lease runs out.

import { posix } from "node:path";
import { type DirEntry, type MirrorDelta, ErrorCode, TetherError } from "#protocol";
import { DisposableStore, Timer } from "../disposable";
import type { FolderWatch } from "./fileSystem";
import { normalizeRelative, type Mirror } from "./mirror";

export interface MirrorFeedOptions {
  mirror: Mirror;
  /** Sends a delta to the phones; called in order, never with an empty delta. */
  publish: (delta: MirrorDelta) => void;
  /**
   * Quiet time that ends a burst of changes. The first change after a quiet spell is sent at once;
   * those that follow it within this time wait for the burst to end.
   */
  debounceMs?: number;
  /** A burst that goes on is still sent this long after its first change. */
  maxDelayMs?: number;
  /** How long a `watch` call holds without renewal. */
  leaseMs?: number;
  /** After changes, a second look once `git status` has run again, for the marks. */
  gitRecheckMs?: number;
}

interface Subscription {
  dirs: Set<string>;
  files: Set<string>;
  expires: number;
}

interface Folder {
  rel: string;
  watch: FolderWatch | null;
  /** The entries as last sent (or as first listed), by name. */
  entries: Map<string, DirEntry>;
  hidden: number;
  /** The first listing, taken after the watch started so no change falls between them. */
  ready: Promise<void>;
  dirty: boolean;
  gone: boolean;
  /** Send every marked entry on the next pass: the phone's first listing may not have had git's marks yet. */
  allMarks: boolean;
  gitTimer: ReturnType<typeof setTimeout> | undefined;
}

const sameEntry = (a: DirEntry, b: DirEntry): boolean =>
  a.kind === b.kind && a.size === b.size && a.mtime === b.mtime && a.git === b.git;

export class MirrorFeed {
  readonly leaseMs: number;
  private readonly debounceMs: number;
  private readonly maxDelayMs: number;
  private readonly gitRecheckMs: number;
  private readonly phones = new Map<string, Subscription>();
  private readonly folders = new Map<string, Folder>();
  private readonly disposables = new DisposableStore();
  /** Ends a burst of changes; referenced, as a pending delta is what a phone waits for. */
  private readonly timer = this.disposables.add(new Timer({ ref: true }));
  private burstStart = 0;
  /** When the last pass was scheduled to run; a change within `debounceMs` of it joins a burst. */
  private lastPassAt = -Infinity;
  /** The pending pass is a leading edge (runs at once). */
  private leading = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: MirrorFeedOptions) {
    this.debounceMs = options.debounceMs ?? 40;
    this.maxDelayMs = options.maxDelayMs ?? 150;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.gitRecheckMs = options.gitRecheckMs ?? 1200;
    // Git's marks changed (a run anyone started ended): every folder shown is looked at again,
    // and a pass sends the entries whose marks moved.
    this.disposables.defer(
      options.mirror.onGitChange(() => {
        for (const folder of this.folders.values()) if (!folder.gone) this.markDirty(folder);
      }),
    );
    const sweeper = setInterval(() => this.sweep(), Math.max(250, this.leaseMs / 4));
    sweeper.unref?.();
    this.disposables.defer(() => clearInterval(sweeper));
    this.disposables.defer(() => {
      for (const folder of this.folders.values()) this.stop(folder);
      this.folders.clear();
      this.phones.clear();
    });
  }

  private get closed(): boolean {
    return this.disposables.isDisposed;
  }

  /** Replaces what one phone watches; nothing at all ends its subscription. Answers the lease. */
  async watch(phoneId: string, dirs: readonly string[], files: readonly string[]): Promise<number> {
    if (this.closed) throw new TetherError(ErrorCode.Internal, "The host is shutting down.");
    const clean = (paths: readonly string[]): Set<string> => {
      const out = new Set<string>();
      for (const path of paths) {
        try {
          out.add(normalizeRelative(path));
        } catch {
          // A path that climbs out is never watched; the phone could not have listed it.
        }
      }
      return out;
    };
    const subscription = { dirs: clean(dirs), files: clean(files), expires: Date.now() + this.leaseMs };
    if (subscription.dirs.size === 0 && subscription.files.size === 0) this.phones.delete(phoneId);
    else this.phones.set(phoneId, subscription);
    await this.reconcile();
    return this.leaseMs;
  }

  /** How many folders are watched now (for tests and the host's own view). */
  get watchedFolders(): number {
    return [...this.folders.values()].filter((f) => f.watch !== null).length;
  }

  /** Idempotent: stops every watch and timer; a `watch` after this is refused. */
  close(): void {
    this.disposables.dispose();
  }

  private sweep(): void {
    const now = Date.now();
    let dropped = false;
    for (const [phoneId, sub] of this.phones) {
      if (sub.expires <= now) {
        this.phones.delete(phoneId);
        dropped = true;
      }
    }
    if (dropped) void this.reconcile();
  }

  private wanted(): { dirs: Set<string>; files: Set<string>; folders: Set<string> } {
    const dirs = new Set<string>();
    const files = new Set<string>();
    for (const sub of this.phones.values()) {
      for (const dir of sub.dirs) dirs.add(dir);
      for (const file of sub.files) if (file) files.add(file);
    }
    const folders = new Set(dirs);
    for (const file of files) folders.add(parentOf(file));
    return { dirs, files, folders };
  }

  private async reconcile(): Promise<void> {
    const { folders } = this.wanted();
    for (const [rel, folder] of this.folders) {
      if (!folders.has(rel)) {
        this.stop(folder);
        this.folders.delete(rel);
      }
    }
    const starting: Promise<void>[] = [];
    for (const rel of folders) {
      const known = this.folders.get(rel);
      // A folder found gone is looked at again when a phone asks for it again.
      if (known && !known.gone) continue;
      if (known) this.folders.delete(rel);
      starting.push(this.start(rel));
    }
    await Promise.all(starting);
  }

  private start(rel: string): Promise<void> {
    const folder: Folder = {
      rel,
      watch: null,
      entries: new Map(),
      hidden: 0,
      ready: Promise.resolve(),
      dirty: false,
      gone: false,
      allMarks: false,
      gitTimer: undefined,
    };
    this.folders.set(rel, folder);
    folder.ready = (async () => {
      const { mirror } = this.options;
      let abs: string;
      try {
        abs = (await mirror.resolve(rel)).abs;
        if (this.folders.get(rel) !== folder) return;
        if (!mirror.fs.watch) throw new Error("this file system cannot watch");
        folder.watch = mirror.fs.watch(abs, (name) => this.changed(folder, name));
        const listing = await mirror.listDir(rel, { gitRefresh: false });
        for (const entry of listing.entries) folder.entries.set(entry.name, entry);
        folder.hidden = listing.hidden;
      } catch (err) {
        this.stop(folder);
        if (this.folders.get(rel) !== folder) return;
        folder.gone = true;
        // Gone (or never there): the phones showing it are told. Refused (a secret, outside the
        // workspace): nothing is said, as a listing would have said nothing either.
        if (!(err instanceof TetherError) || err.code === ErrorCode.NotFound) this.publishGone(folder);
        return;
      }
      // The marks of git's first run, which the phone's listing may have gone without.
      void mirror.gitSettled().then(() => {
        if (this.folders.get(rel) !== folder || folder.gone) return;
        folder.allMarks = true;
        this.markDirty(folder);
      });
      // Those may be from a run that began before the folder last changed (the status cache
      // answers for a second): git is asked again once they are stale, as after a change.
      if (mirror.tracksGit) this.recheckGit(folder);
    })();
    return folder.ready;
  }

  private stop(folder: Folder): void {
    folder.watch?.close();
    folder.watch = null;
    clearTimeout(folder.gitTimer);
  }

  private changed(folder: Folder, name: string | null): void {
    if (this.closed || this.folders.get(folder.rel) !== folder) return;
    if (name === null || name === ".gitignore") this.options.mirror.forgetIgnoreRules(folder.rel);
    this.markDirty(folder);
    this.recheckGit(folder);
  }

  /** Git's marks follow once its status cache has run again (after `gitRecheckMs`, past its freshness). */
  private recheckGit(folder: Folder): void {
    clearTimeout(folder.gitTimer);
    folder.gitTimer = setTimeout(() => {
      void this.options.mirror.gitSettled().then(() => this.markDirty(folder));
    }, this.gitRecheckMs);
    folder.gitTimer.unref?.();
  }

  /**
   * Schedules a pass over the dirty folders. A change after a quiet spell goes at once (the leading
   * edge: one save is what a phone waits for); changes that follow within the quiet time are a
   * burst, sent together once it has been quiet for `debounceMs`, or `maxDelayMs` after the burst
   * began if it goes on.
   */
  private markDirty(folder: Folder): void {
    if (this.closed || this.folders.get(folder.rel) !== folder) return;
    folder.dirty = true;
    // A pass about to run picks this folder up too; waiting longer would only delay the first change.
    if (this.timer.pending && this.leading) return;
    const now = Date.now();
    const quiet = !this.timer.pending && now - this.lastPassAt >= this.debounceMs;
    if (!this.timer.pending) this.burstStart = now;
    this.leading = quiet;
    const wait = quiet ? 0 : Math.max(0, Math.min(this.debounceMs, this.burstStart + this.maxDelayMs - now));
    this.timer.arm(wait, () => {
      this.leading = false;
      this.lastPassAt = Date.now();
      this.flushing = this.flushing.then(() => this.flush()).catch(() => undefined);
    });
  }

  private async flush(): Promise<void> {
    const dirty = [...this.folders.values()].filter((f) => f.dirty && !f.gone);
    if (dirty.length === 0 || this.closed) return;
    const { dirs, files } = this.wanted();
    const delta: MirrorDelta = { type: "mirror-delta", dirs: [], files: [] };
    await Promise.all(
      dirty.map(async (folder) => {
        await folder.ready;
        folder.dirty = false;
        const allMarks = folder.allMarks;
        folder.allMarks = false;
        const before = folder.entries;
        let after: Map<string, DirEntry>;
        let hidden: number;
        try {
          const listing = await this.options.mirror.listDir(folder.rel, { gitRefresh: false });
          after = new Map(listing.entries.map((e) => [e.name, e]));
          hidden = listing.hidden;
        } catch {
          this.stop(folder);
          folder.gone = true;
          after = new Map();
          hidden = 0;
        }
        const changed = [...after.values()].filter((e) => {
          const old = before.get(e.name);
          return !old || !sameEntry(old, e) || (allMarks && e.git !== undefined);
        });
        const removed = [...before.keys()].filter((name) => !after.has(name));
        folder.entries = after;
        const hiddenChanged = hidden !== folder.hidden;
        folder.hidden = hidden;
        if (dirs.has(folder.rel) && (folder.gone || changed.length || removed.length || hiddenChanged)) {
          delta.dirs.push({
            path: folder.rel,
            entries: changed,
            removed,
            hidden,
            ...(folder.gone ? { gone: true } : {}),
          });
        }
        for (const file of files) {
          if (parentOf(file) !== folder.rel) continue;
          const name = posix.basename(file);
          const old = before.get(name);
          const now = after.get(name);
          if (old && !now) delta.files.push({ path: file, size: 0, mtime: 0, gone: true });
          else if (now && (!old || old.size !== now.size || old.mtime !== now.mtime)) {
            delta.files.push({ path: file, size: now.size, mtime: now.mtime });
          }
        }
      }),
    );
    if (delta.dirs.length || delta.files.length) this.options.publish(delta);
  }

  private publishGone(folder: Folder): void {
    const { dirs, files } = this.wanted();
    const delta: MirrorDelta = { type: "mirror-delta", dirs: [], files: [] };
    if (dirs.has(folder.rel)) delta.dirs.push({ path: folder.rel, entries: [], removed: [], hidden: 0, gone: true });
    for (const file of files) if (parentOf(file) === folder.rel) delta.files.push({ path: file, size: 0, mtime: 0, gone: true });
    if (delta.dirs.length || delta.files.length) this.options.publish(delta);
  }
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}
