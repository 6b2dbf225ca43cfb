// The mirror's file-system port on Node's `fs`.

import { lstat, open, readFile } from "node:fs/promises";
import { lstatSync, readdirSync, realpathSync, statSync, watch, type Stats } from "node:fs";
import { sep } from "node:path";
import { toDisposable } from "../core/disposable";
import type { FileKind, FileStat, FileSystem } from "../core/mirror/fileSystem";

/**
 * Entries stat'ed synchronously between two turns of the event loop. A promise per `lstat` costs
 * a trip through libuv's four-thread pool each, twice the time of the calls themselves on a
 * 100k-file tree; a slice this size holds the loop for a millisecond or two.
 */
const LSTAT_SLICE = 256;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function kindOf(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileKind {
  if (s.isSymbolicLink()) return "symlink";
  if (s.isDirectory()) return "dir";
  if (s.isFile()) return "file";
  return "other";
}

const toStat = (s: Stats): FileStat => ({ kind: kindOf(s), size: s.size, mtime: s.mtimeMs });

export const nodeFileSystem: FileSystem = {
  // Run in place, as `lstatMany` does: a listing makes these one after another (the folder, the
  // .gitignore files above it, its links), and a trip through the thread pool for each cost more
  // than the call (a walk of this repository took a third more CPU time with them).
  realpath: async (path) => realpathSync.native(path),
  lstat: async (path) => toStat(await lstat(path)),
  stat: async (path) => toStat(statSync(path)),
  // In place too: the names become strings on this thread either way, and the system calls that
  // read them are the small part.
  async readdir(path) {
    return readdirSync(path, { withFileTypes: true }).map((e) => ({ name: e.name, kind: kindOf(e) }));
  },
  async lstatMany(dir, names) {
    const out: (FileStat | null)[] = [];
    // Names of one folder's entries hold no separator: joined as they are, not normalised each time.
    const base = dir.endsWith(sep) ? dir : dir + sep;
    for (let i = 0; i < names.length; i++) {
      if (i > 0 && i % LSTAT_SLICE === 0) await nextTurn();
      const name = names[i]!;
      // A name with a separator is no entry of this folder (readdir never gives one).
      const s = name.includes(sep) ? undefined : lstatSync(base + name, { throwIfNoEntry: false });
      out.push(s ? toStat(s) : null);
    }
    return out;
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
  watch(dir, onChange) {
    // One folder, not recursive: a phone watches the few folders it shows, and a recursive
    // watch on Linux puts an inotify watch on every folder of the tree.
    const watcher = watch(dir, { persistent: false }, (_event, name) => onChange(typeof name === "string" ? name : null));
    // The folder was removed or cannot be watched any more: the caller lists it and finds out.
    watcher.on("error", () => onChange(null));
    const closing = toDisposable(() => watcher.close());
    return { close: () => closing.dispose() };
  },
};
