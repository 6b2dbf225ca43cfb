// Threads on the host's disk, so a restarted host lists its threads with their whole history.
// One folder per thread under the workspace's folder in the state directory:
//   events.jsonl     every durable event, one JSON line each, appended in order
//   meta.json        what is not an event: commands approved for the rest of the thread
//   checkpoint.json  the files the thread changed, as they were before its first change
// and, for the workspace, published.json: how far each thread reached the relay.
// Files are 0600 in 0700 folders: they hold prompts, code and command output.

import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { threadEventSchema, threadIdSchema, type ThreadEvent } from "../../../protocol/index";
import type { Log } from "../log";

export interface NumberedEvent {
  seq: number;
  event: ThreadEvent;
}

const metaSchema = z.object({
  approvedCommands: z.array(z.string()).default([]),
  /** "Always" was chosen on an edit: further edits in this thread need no approval. */
  autoEdit: z.boolean().default(false),
});
export type ThreadMeta = z.infer<typeof metaSchema>;

const checkpointSchema = z.record(
  z.string(),
  z.object({
    /** Content before the thread first changed the file; null when the thread created it. */
    before: z.string().nullable(),
    /** SHA-256 of what the thread last wrote (or "" for a deletion), to notice later edits by others. */
    afterHash: z.string(),
  }),
);
export type Checkpoint = z.infer<typeof checkpointSchema>;

const appliedSchema = z.array(z.object({ id: z.string(), reply: z.unknown() }));
export type Applied = z.infer<typeof appliedSchema>;

const publishedSchema = z.object({
  hostId: z.string(),
  seqs: z.record(z.string(), z.number().int()),
  /** Threads deleted here that the relay has not forgotten yet. */
  deleted: z.array(z.string()).default([]),
});
export type Published = z.infer<typeof publishedSchema>;

export const hashText = (text: string | null): string =>
  text === null ? "" : createHash("sha256").update(text, "utf8").digest("hex");

/** The state folder of one workspace: stable for the same folder path. */
export function workspaceStateDir(stateDir: string, workspaceRoot: string): string {
  const key = createHash("sha256").update(workspaceRoot).digest("hex").slice(0, 16);
  return join(stateDir, "workspaces", key);
}

export class ThreadStore {
  private readonly threadsDir: string;

  constructor(
    /** This workspace's folder in the state directory (see `workspaceStateDir`). */
    private readonly dir: string,
    private readonly log: Log,
  ) {
    this.threadsDir = join(dir, "threads");
    mkdirSync(this.threadsDir, { recursive: true, mode: 0o700 });
  }

  /** Thread ids on disk, oldest first by creation. */
  list(): string[] {
    const ids = readdirSync(this.threadsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && threadIdSchema.safeParse(d.name).success)
      .map((d) => d.name);
    return ids;
  }

  create(id: string): void {
    mkdirSync(this.threadDir(id), { recursive: true, mode: 0o700 });
  }

  exists(id: string): boolean {
    try {
      readdirSync(this.threadDir(id));
      return true;
    } catch {
      return false;
    }
  }

  /** A thread's events in order. A torn last line (a crash mid-write) is dropped with a warning. */
  events(id: string): NumberedEvent[] {
    let text: string;
    try {
      text = readFileSync(join(this.threadDir(id), "events.jsonl"), "utf8");
    } catch {
      return [];
    }
    const out: NumberedEvent[] = [];
    const lines = text.split("\n").filter((l) => l.length > 0);
    for (const [i, line] of lines.entries()) {
      let parsed: NumberedEvent | undefined;
      try {
        const raw = JSON.parse(line) as { seq: unknown; event: unknown };
        const event = threadEventSchema.parse(raw.event);
        if (raw.seq === out.length + 1) parsed = { seq: out.length + 1, event };
      } catch {
        parsed = undefined;
      }
      if (!parsed) {
        this.log.warn("dropped an unreadable thread event", { thread: id, line: i + 1, of: lines.length });
        break;
      }
      out.push(parsed);
    }
    return out;
  }

  append(id: string, numbered: NumberedEvent): void {
    appendFileSync(join(this.threadDir(id), "events.jsonl"), JSON.stringify(numbered) + "\n", { mode: 0o600 });
  }

  meta(id: string): ThreadMeta {
    return this.readJson(join(this.threadDir(id), "meta.json"), metaSchema) ?? { approvedCommands: [], autoEdit: false };
  }

  saveMeta(id: string, meta: ThreadMeta): void {
    this.writeJson(join(this.threadDir(id), "meta.json"), meta);
  }

  checkpoint(id: string): Checkpoint {
    return this.readJson(join(this.threadDir(id), "checkpoint.json"), checkpointSchema) ?? {};
  }

  saveCheckpoint(id: string, checkpoint: Checkpoint): void {
    this.writeJson(join(this.threadDir(id), "checkpoint.json"), checkpoint);
  }

  published(): Published | undefined {
    return this.readJson(join(this.dir, "published.json"), publishedSchema);
  }

  savePublished(published: Published): void {
    this.writeJson(join(this.dir, "published.json"), published);
  }

  /** Recently applied command ids with the reply each got, oldest first. */
  applied(): Applied {
    return this.readJson(join(this.dir, "applied.json"), appliedSchema) ?? [];
  }

  saveApplied(applied: Applied): void {
    this.writeJson(join(this.dir, "applied.json"), applied);
  }

  /** Removes a thread's folder: its events, meta and checkpoint. */
  remove(id: string): void {
    rmSync(this.threadDir(id), { recursive: true, force: true });
  }

  private threadDir(id: string): string {
    if (!threadIdSchema.safeParse(id).success || id === "") throw new Error(`invalid thread id ${JSON.stringify(id)}`);
    return join(this.threadsDir, id);
  }

  private readJson<T>(path: string, schema: z.ZodType<T>): T | undefined {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
    try {
      return schema.parse(JSON.parse(text));
    } catch {
      this.log.warn("ignored an unreadable state file", { file: path });
      return undefined;
    }
  }

  private writeJson(path: string, value: unknown): void {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    renameSync(tmp, path);
  }
}
