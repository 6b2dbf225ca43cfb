// The file-system port of the mirror. The Node adapter implements it on `fs`; an editor
// adapter can implement it on its own API. Paths here are absolute, in the host's format.

export type FileKind = "file" | "dir" | "symlink" | "other";

export interface FileStat {
  kind: FileKind;
  size: number;
  mtime: number;
}

export interface FileSystem {
  /** The path with every symlink resolved; rejects when it does not exist. */
  realpath(path: string): Promise<string>;
  /** Stat without following a final symlink. */
  lstat(path: string): Promise<FileStat>;
  /** Stat following symlinks. */
  stat(path: string): Promise<FileStat>;
  readdir(path: string): Promise<{ name: string; kind: FileKind }[]>;
  /**
   * `lstat` of many entries of one folder, null for one that vanished. Adapters may batch
   * (Node: synchronous calls in small slices, far cheaper than a promise each on a big tree).
   */
  lstatMany?(dir: string, names: readonly string[]): Promise<(FileStat | null)[]>;
  /** Up to `length` bytes from `offset`. */
  read(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** A whole small text file (a `.gitignore`), or null when there is none. */
  readTextIfExists(path: string): Promise<string | null>;
  /**
   * Watches one folder (not its subfolders): `onChange` gets the name of an entry that may have
   * been added, changed or removed, or null when the watcher cannot tell which (or the folder
   * itself went away). Calls may be spurious or repeated; the caller checks what really changed.
   */
  watch?(dir: string, onChange: (name: string | null) => void): FolderWatch;
}

export interface FolderWatch {
  /** Idempotent. */
  close(): void;
}
