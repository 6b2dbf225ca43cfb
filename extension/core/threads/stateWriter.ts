// Writes the host's state files, coalesced. Changes queued while a write is under way go out
// together in the next round, so a burst of events costs one append per file and a file
// rewritten ten times in a round is written once. Appends are small and written on the event
// loop to descriptors kept open (`appendHandles.ts`); rewrites go off the event loop. A rewrite goes to a
// temporary file that is then renamed over the old one, so a crash leaves the old or the new
// contents, never half of either.
//
// `flushed()` is the durability point: it resolves once everything queued before the call has
// been handed to the operating system. That survives the process being killed (kill -9, a
// crash); like the synchronous writes this replaces it does not fsync, so it does not claim to
// survive the machine losing power.

import { writeFileSync, appendFileSync, renameSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import type { Log } from "../log";
import { AppendHandles } from "./appendHandles";

interface Round {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function round(): Round {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A round nobody waits for must not become an unhandled rejection; failures are logged.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const MODE = 0o600;

export class StateWriter {
  /** Lines to add to the end of a file, per path, not yet taken by a round. */
  private appends = new Map<string, string>();
  /** The whole new contents of a file, per path, not yet taken by a round. */
  private replaces = new Map<string, string>();
  /** What the round under way is writing: reads see its rewrites until they are on disk. */
  private writing = { appends: new Map<string, string>(), replaces: new Map<string, string>() };
  private next: Round | undefined;
  private current: Round | undefined;
  /** Folders removed: a write into one that fails is expected, not an error. */
  private readonly gone = new Set<string>();
  /** Files appended to stay open between rounds: one write per file per round, no open and close. */
  private readonly handles = new AppendHandles();

  constructor(private readonly log: Log) {}

  /** Queues text to add at the end of a file (created 0600 when missing). */
  append(path: string, text: string): void {
    // After a queued rewrite of the same file, the text belongs to the rewrite: appending it
    // separately would land before the rewrite and be overwritten by it.
    const replaced = this.replaces.get(path);
    if (replaced !== undefined) this.replaces.set(path, replaced + text);
    else this.appends.set(path, (this.appends.get(path) ?? "") + text);
    this.schedule();
  }

  /** Queues new contents for a file, replacing it atomically; only the latest queued contents are written. */
  replace(path: string, text: string): void {
    this.appends.delete(path);
    this.replaces.set(path, text);
    this.schedule();
  }

  /** The contents a rewrite queued or under way will give a file; undefined when none is. */
  latest(path: string): string | undefined {
    return this.replaces.get(path) ?? this.writing.replaces.get(path);
  }

  /** Drops what is queued for files in a folder about to be removed. */
  forget(dir: string): void {
    this.gone.add(dir);
    this.handles.closeUnder(dir);
    for (const map of [this.appends, this.replaces]) {
      for (const path of map.keys()) if (path.startsWith(dir)) map.delete(path);
    }
  }

  /**
   * Resolves once everything queued before the call is written; rejects when a write of it
   * failed (what failed stays queued and is tried again with the next round).
   */
  flushed(): Promise<void> {
    if (this.appends.size > 0 || this.replaces.size > 0) return (this.next ??= this.scheduleRound()).promise;
    return this.current?.promise ?? Promise.resolve();
  }

  /**
   * Writes what is queued now, synchronously: for a process about to exit, which would not
   * run another round. A round under way may or may not finish before the exit, so what it
   * holds is written here again: harmless for rewrites; an appended line may then be there
   * twice, and readers keep the first copy of a numbered line.
   */
  flushSync(): void {
    const appends = new Map(this.writing.appends);
    for (const [path, text] of this.appends) appends.set(path, (appends.get(path) ?? "") + text);
    const replaces = new Map([...this.writing.replaces, ...this.replaces]);
    this.appends = new Map();
    this.replaces = new Map();
    for (const path of replaces.keys()) this.handles.close(path);
    for (const [path, text] of appends) this.tryWrite(path, () => appendFileSync(path, text, { mode: MODE }));
    for (const [path, text] of replaces) {
      this.tryWrite(path, () => {
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, text, { mode: MODE });
        renameSync(tmp, path);
      });
    }
  }

  private tryWrite(path: string, write: () => void): void {
    try {
      write();
    } catch (err) {
      if (!this.isGone(path)) this.log.error("could not save host state", { file: path, error: (err as Error).message });
    }
  }

  private schedule(): void {
    this.next ??= this.scheduleRound();
  }

  /** A round starts once the code that queued changes yields, so everything it queued goes together. */
  private scheduleRound(): Round {
    const r = round();
    queueMicrotask(() => void this.drain());
    return r;
  }

  private async drain(): Promise<void> {
    if (this.current) return; // the round under way starts the next one when it ends
    while (this.next) {
      const r = (this.current = this.next);
      this.next = undefined;
      const appends = this.appends;
      const replaces = this.replaces;
      this.appends = new Map();
      this.replaces = new Map();
      this.writing = { appends, replaces };
      // Appends (thread events) before rewrites (applied commands, cursors): a record that
      // points at events is never on disk before them.
      const failed: Error[] = [];
      // On the event loop (see appendHandles.ts): small appends to open files, no thread pool.
      for (const [path, text] of appends) {
        try {
          this.handles.append(path, text);
        } catch (err) {
          if (this.isGone(path)) continue;
          failed.push(err as Error);
          // Put back in front of what was queued since, to keep the order of the lines.
          this.appends.set(path, text + (this.appends.get(path) ?? ""));
        }
      }
      // A round of appends alone ends here, without waiting for another turn of the event loop.
      const rewrites =
        replaces.size === 0 ? [] : await Promise.allSettled([...replaces].map(([path, text]) => this.rewrite(path, text)));
      [...replaces.keys()].forEach((path, i) => {
        const s = rewrites[i]!;
        if (s.status === "fulfilled" || this.isGone(path)) return;
        failed.push(s.reason as Error);
        if (!this.replaces.has(path)) this.replaces.set(path, replaces.get(path)!);
      });
      this.writing = { appends: new Map(), replaces: new Map() };
      this.current = undefined;
      if (failed.length > 0) {
        for (const err of failed) this.log.error("could not save host state", { error: err.message });
        r.reject(failed[0]!);
      } else r.resolve();
    }
  }

  /** Closes the files kept open for appending; a later append opens them again. */
  close(): void {
    this.handles.closeAll();
  }

  private async rewrite(path: string, text: string): Promise<void> {
    // Its open descriptor would go on appending to the file the rename replaces.
    this.handles.close(path);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, text, { mode: MODE });
    await rename(tmp, path);
  }

  private isGone(path: string): boolean {
    for (const dir of this.gone) if (path.startsWith(dir)) return true;
    return false;
  }
}
