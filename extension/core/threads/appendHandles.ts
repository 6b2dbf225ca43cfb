// Open files the host appends to, kept open between writes. Appending by path costs three
// trips to Node's file thread pool (open, write, close), and on a loaded machine each trip can
// wait for a free thread: a thread's events and the applied-commands log are appended on
// every command, so the host keeps one descriptor per file (O_APPEND, 0600) and writes to it.
//
// A descriptor follows the file it opened, not its path: a file replaced by a rename, or
// removed with its folder, must have its descriptor closed first, or later lines would go to
// the old file. `close` does that, synchronously when no write is under way (a folder about to
// be removed has nothing open in it), else as soon as the write ends.

import { close as closeFd, closeSync, open, write } from "node:fs";

/** Files kept open at once; the least recently written is closed beyond that. */
const MAX_OPEN = 32;
const MODE = 0o600;

interface Entry {
  /** The descriptor, once open. */
  fd?: number;
  opened: Promise<number>;
  writing: number;
  closed: boolean;
}

const openForAppend = (path: string): Promise<number> =>
  new Promise((resolve, reject) => open(path, "a", MODE, (err, fd) => (err ? reject(err) : resolve(fd))));

/** Writes all of `data` at the end of the file (a write may take only part of it). */
async function writeAll(fd: number, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await new Promise<number>((resolve, reject) =>
      write(fd, data, offset, data.length - offset, null, (err, n) => (err ? reject(err) : resolve(n))),
    );
  }
}

export class AppendHandles {
  /** In the order they were last written, least recent first. */
  private readonly files = new Map<string, Entry>();

  /** Adds `text` at the end of the file at `path`, created 0600 when missing. */
  async append(path: string, text: string): Promise<void> {
    let entry = this.files.get(path);
    if (entry) this.files.delete(path);
    else {
      const e: Entry = { opened: openForAppend(path), writing: 0, closed: false };
      e.opened.then(
        (fd) => (e.fd = fd),
        () => undefined,
      );
      entry = e;
    }
    this.files.set(path, entry);
    for (const [oldest] of this.files) {
      if (this.files.size <= MAX_OPEN) break;
      this.close(oldest);
    }
    entry.writing++;
    try {
      await writeAll(await entry.opened, Buffer.from(text));
    } catch (err) {
      // Opened afresh next time: the folder may have been made again since.
      if (this.files.get(path) === entry) this.close(path);
      throw err;
    } finally {
      entry.writing--;
      if (entry.closed && entry.writing === 0) release(entry);
    }
  }

  /** Closes the file at `path` if open: before it is replaced or removed. */
  close(path: string): void {
    const entry = this.files.get(path);
    if (!entry) return;
    this.files.delete(path);
    entry.closed = true;
    if (entry.writing === 0) release(entry);
  }

  /** Closes every open file whose path starts with `prefix`. */
  closeUnder(prefix: string): void {
    for (const path of [...this.files.keys()]) if (path.startsWith(prefix)) this.close(path);
  }

  /** Closes every open file. */
  closeAll(): void {
    this.closeUnder("");
  }
}

function release(entry: Entry): void {
  if (entry.fd !== undefined) {
    const fd = entry.fd;
    entry.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Closing an append descriptor loses nothing already written.
    }
    return;
  }
  // Still opening: closed once it is open.
  entry.opened.then(
    (fd) => closeFd(fd, () => undefined),
    () => undefined,
  );
}
