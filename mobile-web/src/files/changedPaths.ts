// The files a thread changed, as a filter for the file browser: a file shows when it changed,
// a folder when something inside it did.

/** `./src//a.ts/` → `src/a.ts`: the workspace-relative form listings use. */
export function normalizeChangedPath(path: string): string {
  return path
    .split("/")
    .filter((part) => part !== "" && part !== ".")
    .join("/");
}

export class ChangedPaths {
  readonly #paths = new Set<string>();
  readonly #folders = new Set<string>();

  constructor(paths: readonly string[]) {
    for (const raw of paths) {
      const path = normalizeChangedPath(raw);
      if (!path) continue;
      this.#paths.add(path);
      for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
        this.#folders.add(path.slice(0, slash));
      }
    }
  }

  /** How many distinct paths changed. */
  get size(): number {
    return this.#paths.size;
  }

  /** True for a changed path, and for a folder with a changed path somewhere inside. */
  includes(path: string): boolean {
    const clean = normalizeChangedPath(path);
    return this.#paths.has(clean) || this.#folders.has(clean);
  }
}
