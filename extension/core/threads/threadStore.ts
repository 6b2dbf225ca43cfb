// Threads on the host's disk, so a restarted host lists its threads with their whole history.
// One folder per thread under the workspace's folder in the state directory:
//   events.jsonl     every durable event, one JSON line each, appended in order
//   meta.json        what is not an event: commands approved for the rest of the thread
//   checkpoint.json  the files the thread changed, as they were before its first change
// and, for the workspace, published.json (how far each thread reached the relay) and
// applied.jsonl (the commands applied lately, one line each, compacted now and then).
// Files are 0600 in 0700 folders: they hold prompts, code and command output.
//
// Writes go through a StateWriter: queued in memory, written off the event loop, coalesced.
// Reads of meta, checkpoint, cursors see what is queued. `flushed()` is the point where what
// was saved so far is on disk; whoever promises something to the outside waits for it first
// (the publisher before sending events, the command server before acknowledging a command).

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join, sep } from "node:path";
import { z } from "zod";
import { threadEventSchema, threadIdSchema, worktreeStateSchema, type ThreadEvent } from "#protocol";
import type { Log } from "../log";
import { StateWriter } from "./stateWriter";

export interface NumberedEvent {
  seq: number;
  event: ThreadEvent;
}

/**
 * The phone's command an event applied, kept on the event's own line: the event and the fact
 * that the command was applied are one write, so a host killed between writing its events and
 * writing applied.jsonl still knows, on restart, that the command was applied. Never sent on.
 */
export interface AppliedBy {
  /** The command's id and the phone that sent it. */
  id: string;
  from: string;
}

/** A command applied by an event on disk, with when (the event's time). */
export interface AppliedInEvent extends AppliedBy {
  at: number;
}

const appliedBySchema = z.strictObject({ id: z.string().max(128), from: z.string().max(128) });

const metaSchema = z.object({
  approvedCommands: z.array(z.string()).default([]),
  /** "Always" was chosen on an edit: further edits in this thread need no approval. */
  autoEdit: z.boolean().default(false),
  /** An outside agent's session id, to load it again after the host restarted. */
  agentSession: z.string().optional(),
  /** The seq of the newest event an outside agent has been given as a prompt. */
  promptedThrough: z.number().int().optional(),
  /** `agentSession` was started outside Tether: its history becomes the thread's as it loads. */
  importHistory: z.boolean().optional(),
  /** The task runs in a git worktree of its own; made when its first run starts (`worktree` then set). */
  inWorktree: z.boolean().optional(),
  /** The task's worktree (see `TaskWorktree`) and where it stands, so a restarted host still knows it. */
  worktree: z
    .object({
      repo: z.string(),
      path: z.string(),
      branch: z.string(),
      baseBranch: z.string(),
      baseCommit: z.string(),
      state: worktreeStateSchema,
    })
    .optional(),
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

const appliedEntrySchema = z.object({
  id: z.string(),
  reply: z.unknown(),
  /** When the host applied it (host clock). Absent in entries written before commands aged out. */
  at: z.number().optional(),
  /** The phone that sent it. Absent in entries written before ids were kept per phone. */
  from: z.string().optional(),
});
const appliedSchema = z.array(appliedEntrySchema);
export type AppliedEntry = z.infer<typeof appliedEntrySchema>;
export type Applied = AppliedEntry[];

const publishedSchema = z.object({
  hostId: z.string(),
  seqs: z.record(z.string(), z.number().int()),
  /** Threads deleted here that the relay has not forgotten yet. */
  deleted: z.array(z.string()).default([]),
  /** Thread id → the last seq the relay's history pages of it reach (historyPager.ts). */
  paged: z.record(z.string(), z.number().int()).default({}),
});
export type Published = z.infer<typeof publishedSchema>;
/** What is saved: a store written before pages had no `paged`. */
export type PublishedInput = z.input<typeof publishedSchema>;

export const hashText = (text: string | null): string =>
  text === null ? "" : createHash("sha256").update(text, "utf8").digest("hex");

/** The state folder of one workspace: stable for the same folder path. */
export function workspaceStateDir(stateDir: string, workspaceRoot: string): string {
  const key = createHash("sha256").update(workspaceRoot).digest("hex").slice(0, 16);
  return join(stateDir, "workspaces", key);
}

export class ThreadStore {
  private readonly threadsDir: string;
  private readonly writer: StateWriter;
  /** Lines in applied.jsonl, to know when to compact it. */
  private appliedLines = 0;

  constructor(
    /** This workspace's folder in the state directory (see `workspaceStateDir`). */
    private readonly dir: string,
    private readonly log: Log,
  ) {
    this.threadsDir = join(dir, "threads");
    mkdirSync(this.threadsDir, { recursive: true, mode: 0o700 });
    this.writer = new StateWriter(log);
  }

  /** Resolves once everything saved so far is on disk; rejects when a write failed. */
  flushed(): Promise<void> {
    return this.writer.flushed();
  }

  /** Waits for everything saved so far to be written; a failed write is logged, not thrown. */
  async close(): Promise<void> {
    try {
      await this.writer.flushed();
    } catch {
      // Logged by the writer; what failed was tried and there is nothing more to do at shutdown.
    }
    this.writer.close();
  }

  /** Writes what is still queued, now: for a process that exits without waiting for `flushed()`. */
  flushSync(): void {
    this.writer.flushSync();
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

  /**
   * A thread's events in order, as on disk (for loading: events appended since are not seen
   * until written). A torn last line (a crash mid-write) is dropped with a warning; a line
   * written twice (an exit during a write) counts once.
   */
  events(id: string): NumberedEvent[] {
    return this.eventsWithCommands(id).events;
  }

  /** A thread's events as `events` reads them, and the commands their lines say they applied. */
  eventsWithCommands(id: string): { events: NumberedEvent[]; commands: AppliedInEvent[] } {
    const commands: AppliedInEvent[] = [];
    let text: string;
    try {
      text = readFileSync(join(this.threadDir(id), "events.jsonl"), "utf8");
    } catch {
      return { events: [], commands };
    }
    const out: NumberedEvent[] = [];
    const lines = text.split("\n").filter((l) => l.length > 0);
    for (const [i, line] of lines.entries()) {
      let parsed: NumberedEvent | undefined;
      try {
        const raw = JSON.parse(line) as { seq: unknown; event: unknown; cmd?: unknown };
        if (typeof raw.seq === "number" && raw.seq >= 1 && raw.seq <= out.length) continue;
        const event = threadEventSchema.parse(raw.event);
        if (raw.seq === out.length + 1) {
          parsed = { seq: out.length + 1, event };
          const cmd = appliedBySchema.safeParse(raw.cmd);
          if (cmd.success) commands.push({ ...cmd.data, at: event.at });
        }
      } catch {
        parsed = undefined;
      }
      if (!parsed) {
        this.log.warn("dropped an unreadable thread event", { thread: id, line: i + 1, of: lines.length });
        break;
      }
      out.push(parsed);
    }
    return { events: out, commands };
  }

  /** `by`: the phone's command this event applies (see {@link AppliedBy}). */
  append(id: string, numbered: NumberedEvent, by?: AppliedBy): void {
    const line = by ? { ...numbered, cmd: { id: by.id, from: by.from } } : numbered;
    this.writer.append(join(this.threadDir(id), "events.jsonl"), JSON.stringify(line) + "\n");
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

  savePublished(published: PublishedInput): void {
    this.writeJson(join(this.dir, "published.json"), published);
  }

  /** Recently applied command ids with the reply each got, oldest first (as on disk: for loading). */
  applied(): Applied {
    // applied.json is where hosts before applied.jsonl kept them.
    const out = this.readJson(join(this.dir, "applied.json"), appliedSchema) ?? [];
    let text = "";
    try {
      text = readFileSync(join(this.dir, "applied.jsonl"), "utf8");
    } catch {
      return out;
    }
    const lines = text.split("\n").filter((l) => l.length > 0);
    this.appliedLines = lines.length;
    for (const line of lines) {
      try {
        out.push(appliedEntrySchema.parse(JSON.parse(line)));
      } catch {
        // A torn last line: that command was not acknowledged, the relay sends it again.
        this.log.warn("dropped an unreadable applied command", { file: "applied.jsonl" });
      }
    }
    return out;
  }

  /**
   * Records an applied command. `kept` is every entry still remembered, this one included:
   * once the file holds twice as many lines, it is rewritten with only those.
   */
  recordApplied(entry: AppliedEntry, kept: Applied): void {
    const path = join(this.dir, "applied.jsonl");
    if (++this.appliedLines >= 2 * kept.length && kept.length > 1) {
      this.appliedLines = kept.length;
      this.writer.replace(path, kept.map((e) => JSON.stringify(e) + "\n").join(""));
    } else this.writer.append(path, JSON.stringify(entry) + "\n");
  }

  /** Removes a thread's folder: its events, meta and checkpoint. */
  remove(id: string): void {
    const dir = this.threadDir(id);
    this.writer.forget(dir + sep);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }

  private threadDir(id: string): string {
    if (!threadIdSchema.safeParse(id).success || id === "") throw new Error(`invalid thread id ${JSON.stringify(id)}`);
    return join(this.threadsDir, id);
  }

  private readJson<T>(path: string, schema: z.ZodType<T>): T | undefined {
    let text: string;
    try {
      text = this.writer.latest(path) ?? readFileSync(path, "utf8");
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
    this.writer.replace(path, JSON.stringify(value));
  }
}
