// The mirror's file-system port on Node's `fs`.

import { lstat, open, readFile, readdir, realpath, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import type { FileKind, FileStat, FileSystem } from "../core/mirror/fileSystem";

function kindOf(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileKind {
  if (s.isSymbolicLink()) return "symlink";
  if (s.isDirectory()) return "dir";
  if (s.isFile()) return "file";
  return "other";
}

const toStat = (s: Stats): FileStat => ({ kind: kindOf(s), size: s.size, mtime: s.mtimeMs });

export const nodeFileSystem: FileSystem = {
  realpath: (path) => realpath(path),
  lstat: async (path) => toStat(await lstat(path)),
  stat: async (path) => toStat(await stat(path)),
  async readdir(path) {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, kind: kindOf(e) }));
  },
  async read(path, offset, length) {
    const handle = await open(path, "r");
    try {
      const buffer = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  },
  async readTextIfExists(path) {
    try {
      return await readFile(path, "utf8");
    } catch {
      return null;
    }
  },
};
