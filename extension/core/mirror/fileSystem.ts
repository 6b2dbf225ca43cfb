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
  /** Up to `length` bytes from `offset`. */
  read(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** A whole small text file (a `.gitignore`), or null when there is none. */
  readTextIfExists(path: string): Promise<string | null>;
}
