// One host's workspace, a directory or a file at a time, fetched over sealed RPC.

import type { DirEntry, ListDirResult, ReadFileResult } from "../../../protocol/index";
import { appendContent, startContent } from "./fileContent";
import type { FileContent } from "./fileContent";
import { sortEntries } from "./format";

/** What the browser needs from the app: the two calls, and words for their failures. */
export interface WorkspaceSource {
  listDir(path: string): Promise<ListDirResult>;
  readFile(path: string, offset?: number): Promise<ReadFileResult>;
  describe(error: unknown): string;
}

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

export type BrowserView = { kind: "dir" | "file"; path: string };

export class FileBrowser {
  view = $state.raw<BrowserView | null>(null);
  dir = $state.raw<Loadable<Listing>>({ status: "loading" });
  file = $state.raw<Loadable<FileContent>>({ status: "loading" });
  loadingMore = $state(false);
  moreError = $state<string | null>(null);

  /** Listings seen this session, so going back up a level shows at once while it refreshes. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache, not state: `dir` is what renders
  #listings = new Map<string, Listing>();
  /** Bumped on every navigation; an answer for an older one is dropped. */
  #generation = 0;

  constructor(private readonly source: WorkspaceSource) {}

  /** Shows a directory or file; showing the current one again does nothing unless it failed. */
  show(view: BrowserView): void {
    const current = this.view;
    if (current && current.kind === view.kind && current.path === view.path && !this.#failed()) return;
    this.view = view;
    this.moreError = null;
    this.loadingMore = false;
    if (view.kind === "dir") void this.#loadDir(view.path);
    else void this.#loadFile(view.path);
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
    try {
      const result = await this.source.listDir(path);
      const listing: Listing = {
        path,
        entries: sortEntries(result.entries),
        hidden: result.hidden,
        truncated: result.truncated,
      };
      this.#listings.set(path, listing);
      if (generation === this.#generation) this.dir = { status: "ready", value: listing };
    } catch (error) {
      if (generation !== this.#generation) return;
      // An earlier listing, marked as such, beats an error page.
      const message = this.source.describe(error);
      this.dir = cached ? { status: "ready", value: cached, stale: message } : { status: "error", message };
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
