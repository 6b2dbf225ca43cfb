// Open files the host appends to, kept open between writes, written synchronously. A thread's
// events and the applied-commands log are appended on every command, a few hundred bytes each
// time: a write() of that size to an open O_APPEND descriptor only copies into the page cache,
// which costs microseconds on the event loop. Handing it to Node's file thread pool instead
// cost a trip there and back, and on a loaded machine each trip waits for a core twice (the
// pool thread, then the event loop again): the approval round trip spent most of its host
// time there. Rewrites of whole files (temporary file and rename) stay asynchronous.
//
// A descriptor follows the file it opened, not its path: a file replaced by a rename, or
// removed with its folder, must have its descriptor closed first, or later lines would go to
// the old file. `close` does that.

import { closeSync, openSync, writeSync } from "node:fs";

/** Files kept open at once; the least recently written is closed beyond that. */
const MAX_OPEN = 32;
const MODE = 0o600;

export class AppendHandles {
  /** Descriptors in the order their files were last written, least recent first. */
  private readonly files = new Map<string, number>();

  /** Adds `text` at the end of the file at `path`, created 0600 when missing; throws what the write threw. */
  append(path: string, text: string): void {
    let fd = this.files.get(path);
    if (fd === undefined) fd = openSync(path, "a", MODE);
    else this.files.delete(path);
    this.files.set(path, fd);
    for (const [oldest] of this.files) {
      if (this.files.size <= MAX_OPEN) break;
      this.close(oldest);
    }
    try {
      writeAll(fd, Buffer.from(text));
    } catch (err) {
      // Opened afresh next time: the folder may have been made again since.
      this.close(path);
      throw err;
    }
  }

  /** Closes the file at `path` if open: before it is replaced or removed. */
  close(path: string): void {
    const fd = this.files.get(path);
    if (fd === undefined) return;
    this.files.delete(path);
    try {
      closeSync(fd);
    } catch {
      // Closing an append descriptor loses nothing already written.
    }
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

/** Writes all of `data` at the end of the file (a write may take only part of it). */
function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset, null);
}
