// The file browser's search box: typing waits for a pause before asking the host, and only the
// answer to what is in the box now is shown (an older, slower answer is dropped).

import type { WorkspaceSearchResult } from "#protocol";
import type { WorkspaceSource } from "./fileBrowser.svelte";

/** Shorter queries match nearly every file; the host is not asked. */
export const MIN_QUERY_CHARS = 2;
/** The pause in typing after which the host is asked. */
export const SEARCH_DEBOUNCE_MS = 300;

export type SearchState =
  | { status: "idle" }
  | { status: "searching"; query: string }
  | { status: "done"; result: WorkspaceSearchResult }
  | { status: "error"; query: string; message: string };

export class WorkspaceSearch {
  query = $state("");
  state = $state.raw<SearchState>({ status: "idle" });

  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped for every query asked or abandoned; an answer for an older one is dropped. */
  #generation = 0;

  constructor(
    private readonly source: Pick<WorkspaceSource, "search" | "describe">,
    private readonly delayMs = SEARCH_DEBOUNCE_MS,
  ) {}

  /** True when the host can be asked at all. */
  get available(): boolean {
    return this.source.search !== undefined;
  }

  /** The box now holds `query`: ask after a pause, or clear the results when it is too short. */
  type(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    const wanted = query.trim();
    if (wanted.length < MIN_QUERY_CHARS) {
      this.#generation++;
      this.state = { status: "idle" };
      return;
    }
    // Shown at once: the pause is part of the wait a person sees.
    this.state = { status: "searching", query: wanted };
    this.#timer = setTimeout(() => void this.run(wanted), this.delayMs);
  }

  /** Asks again for what is in the box (after a failure). */
  retry(): void {
    const wanted = this.query.trim();
    if (wanted.length >= MIN_QUERY_CHARS) void this.run(wanted);
  }

  clear(): void {
    this.type("");
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#generation++;
  }

  private async run(query: string): Promise<void> {
    if (!this.source.search) return;
    const generation = ++this.#generation;
    this.state = { status: "searching", query };
    try {
      const result = await this.source.search(query);
      if (generation === this.#generation) this.state = { status: "done", result };
    } catch (error) {
      if (generation === this.#generation) this.state = { status: "error", query, message: this.source.describe(error) };
    }
  }
}
