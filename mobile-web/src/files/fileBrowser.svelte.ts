// One host's workspace, a directory or a file at a time, fetched over sealed RPC, and kept
// current while shown: the host sends changes to what this phone watches.

import type { DirEntry, ListDirResult, MirrorDelta, ReadFileResult, WorkspaceSearchResult } from "#protocol";
import { appendContent, startContent, type FileContent } from "./fileContent";
import { sortEntries } from "./format";
import { HeldChanges, applyDirChange } from "./mirrorDelta";

/** What the browser needs from the app: the calls, the host's changes, and words for failures. */
export interface WorkspaceSource {
  listDir(path: string): Promise<ListDirResult>;
  readFile(path: string, offset?: number): Promise<ReadFileResult>;
  /** Asks the host for changes to these folders and files; answers the lease in milliseconds. */
  watch?(dirs: string[], files: string[]): Promise<number>;
  /** Files by name and lines by text across the workspace; hosts before search reject it. */
  search?(query: string): Promise<WorkspaceSearchResult>;
  /** Calls `listener` with each change the host sends; returns the way to stop. */
  onChange?(listener: (delta: MirrorDelta) => void): () => void;
  describe(error: unknown): string;
}

/** Renew a watch this long before its lease would run out, in parts of the lease. */
const RENEW_AT = 0.5;
/** After a failed watch call, try again this much later. */
const WATCH_RETRY_MS = 5000;

export interface Listing {
  path: string;
  entries: DirEntry[];
  hidden: number;
  truncated: boolean;
}

export type Loadable<T> =
  | { status: "loading" }
  /** `stale`: why this is an earlier copy, when refreshing it failed. */
  | { status: "ready"; value: T; stale?: string }
  | { status: "error"; message: string };

/** `line`: a file opened at a line (a search result); the browser itself loads the same file. */
export type BrowserView = { kind: "dir" | "file"; path: string; line?: number | undefined };

export class FileBrowser {
  view = $state.raw<BrowserView | null>(null);
  dir = $state.raw<Loadable<Listing>>({ status: "loading" });
  file = $state.raw<Loadable<FileContent>>({ status: "loading" });
  loadingMore = $state(false);
  moreError = $state<string | null>(null);
  /** The open file was deleted on the computer; what was read stays on screen. */
  fileGone = $state(false);
  /** The path the host has said it watches for this phone, once it has; null before, or while a new watch is asked. */
  watching = $state<string | null>(null);
  /** The open folder was deleted on the computer. */
  dirGone = $state(false);

  /** Listings seen this session, so going back up a level shows at once while it refreshes. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache, not state: `dir` is what renders
  #listings = new Map<string, Listing>();
  /** Changes that overtook a listing on its way (git's marks often do), applied when it lands. */
  #held = new HeldChanges();
  /** Bumped on every navigation; an answer for an older one is dropped. */
  #generation = 0;

  #stopChanges: (() => void) | undefined;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped whenever what is watched changes; a renewal for an older view is dropped. */
  #watchGeneration = 0;
  #closed = false;

  constructor(private readonly source: WorkspaceSource) {
    this.#stopChanges = source.onChange?.((delta) => this.apply(delta));
  }

  /** Shows a directory or file; showing the current one again does nothing unless it failed. */
  show(view: BrowserView): void {
    const current = this.view;
    if (current && current.kind === view.kind && current.path === view.path && !this.#failed()) return;
    this.view = view;
    this.moreError = null;
    this.loadingMore = false;
    this.fileGone = false;
    this.dirGone = false;
    // Watch first: the listing that follows is then no older than the first change sent.
    void this.#watch();
    if (view.kind === "dir") void this.#loadDir(view.path);
    else void this.#loadFile(view.path);
  }

  /** Asks for changes again: after the relay or the host came back, when the old watch was lost. */
  rewatch(): void {
    if (this.view) void this.#watch();
  }

  /** Stops watching and listening; the host forgets this phone's watch when its lease runs out. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchGeneration++;
    clearTimeout(this.#renewTimer);
    this.#stopChanges?.();
    void this.source.watch?.([], []).catch(() => undefined);
  }

  /** Applies a change the host sent to what is shown, in place; the rest of the cache too. */
  apply(delta: MirrorDelta): void {
    for (const change of delta.dirs) {
      if (!change.gone) this.#held.hold(change);
      const cached = this.#listings.get(change.path);
      if (change.gone) this.#listings.delete(change.path);
      else if (cached) this.#listings.set(change.path, applyDirChange(cached, change));
      const view = this.view;
      if (view?.kind !== "dir" || view.path !== change.path) continue;
      if (change.gone) {
        this.dirGone = true;
        continue;
      }
      const dir = this.dir;
      if (dir.status !== "ready") continue;
      const next = applyDirChange(dir.value, change);
      this.#listings.set(change.path, next);
      this.dir = { ...dir, value: next };
    }
    for (const change of delta.files) {
      const view = this.view;
      if (view?.kind !== "file" || view.path !== change.path) continue;
      if (change.gone) {
        this.fileGone = true;
        continue;
      }
      this.fileGone = false;
      const file = this.file;
      if (file.status === "ready" && file.value.size === change.size && file.value.mtime === change.mtime) continue;
      void this.#reloadFile(change.path);
    }
  }

  /** Reloads what is shown. */
  retry(): void {
    const view = this.view;
    if (!view) return;
    this.view = null;
    this.show(view);
  }

  /** Reloads only if what is shown failed: for when the relay or the host comes back. */
  retryIfFailed(): void {
    if (this.#failed()) this.retry();
  }

  async loadMore(): Promise<void> {
    const file = this.file;
    if (file.status !== "ready" || file.value.eof || this.loadingMore) return;
    const generation = this.#generation;
    this.loadingMore = true;
    this.moreError = null;
    try {
      const slice = await this.source.readFile(file.value.path, file.value.nextOffset);
      if (generation !== this.#generation) return;
      this.file = { status: "ready", value: appendContent(file.value, slice) };
    } catch (error) {
      if (generation === this.#generation) this.moreError = this.source.describe(error);
    } finally {
      if (generation === this.#generation) this.loadingMore = false;
    }
  }

  async #watch(): Promise<void> {
    const view = this.view;
    if (!this.source.watch || !view || this.#closed) return;
    const generation = ++this.#watchGeneration;
    clearTimeout(this.#renewTimer);
    if (this.watching !== view.path) this.watching = null;
    let next: number;
    let watched = false;
    try {
      const leaseMs = await this.source.watch(view.kind === "dir" ? [view.path] : [], view.kind === "file" ? [view.path] : []);
      next = leaseMs * RENEW_AT;
      watched = true;
    } catch {
      // Offline or an older host: the listing still works; try again later.
      next = WATCH_RETRY_MS;
    }
    if (generation !== this.#watchGeneration) return;
    this.watching = watched ? view.path : null;
    this.#renewTimer = setTimeout(() => void this.#watch(), next);
  }

  /** Reads the open file again after it changed, keeping the old text on screen until the new one is in. */
  async #reloadFile(path: string): Promise<void> {
    const generation = this.#generation;
    try {
      const content = startContent(await this.source.readFile(path));
      if (generation === this.#generation) this.file = { status: "ready", value: content };
    } catch {
      // The next change or a reopen tries again; what was shown stays.
    }
  }

  #failed(): boolean {
    const view = this.view;
    if (!view) return false;
    const shown = view.kind === "dir" ? this.dir : this.file;
    return shown.status === "error" || (shown.status === "ready" && shown.stale !== undefined);
  }

  async #loadDir(path: string): Promise<void> {
    const generation = ++this.#generation;
    const cached = this.#listings.get(path);
    this.dir = cached ? { status: "ready", value: cached } : { status: "loading" };
    const held = this.#held.begin(path);
    try {
      const result = await this.source.listDir(path);
      const listing = this.#held.settle<Listing>(held, {
        path,
        entries: sortEntries(result.entries),
        hidden: result.hidden,
        truncated: result.truncated,
      });
      this.#listings.set(path, listing);
      if (generation === this.#generation) this.dir = { status: "ready", value: listing };
    } catch (error) {
      if (generation !== this.#generation) return;
      // An earlier listing, marked as such, beats an error page.
      const message = this.source.describe(error);
      this.dir = cached ? { status: "ready", value: cached, stale: message } : { status: "error", message };
    } finally {
      this.#held.end(held);
    }
  }

  async #loadFile(path: string): Promise<void> {
    const generation = ++this.#generation;
    this.file = { status: "loading" };
    try {
      const content = startContent(await this.source.readFile(path));
      if (generation === this.#generation) this.file = { status: "ready", value: content };
    } catch (error) {
      if (generation === this.#generation) this.file = { status: "error", message: this.source.describe(error) };
    }
  }
}
