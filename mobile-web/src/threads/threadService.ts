// The flows between the relay and the phone's thread cache: opening what the relay pushes,
// catching up after a reconnect, and sending commands (tasks, steering, decisions) to a host.

import {
  ErrorCode,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS,
  TetherError,
  randomId,
  toBase64Url,
  type Command,
  type PolicyMode,
  type StoredEvent,
  type StoredRecord,
} from "../../../protocol/index";
import { sendCommand, type CommandOutcome } from "../link/commands";
import type { InboundLive } from "../link/inbound";
import { syncAnswerSchema } from "../link/inbound";
import { request, type TetherSocket } from "../link/request";
import type { HostRecord } from "../store/records";
import type { CachedEvent } from "./cache";
import { openLiveEvent, openThreadEvent, openThreadSummary } from "./open";
import type { Threads } from "./threads.svelte";

const SYNC_TIMEOUT_MS = 15_000;
const SYNC_PAGE = 1000;

export interface TaskForm {
  text: string;
  mode: PolicyMode;
  model?: string;
  attachments: readonly { name: string; type: string; bytes: Uint8Array }[];
}

export interface ThreadServiceDeps {
  threads: Threads;
  host(hostId: string): HostRecord | undefined;
  /** The open socket and this phone's device id, waiting briefly for a connection. */
  connection(): Promise<{ socket: TetherSocket; deviceId: string }>;
  now(): number;
}

export class ThreadService {
  readonly #syncing = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();

  constructor(private readonly deps: ThreadServiceDeps) {}

  async onEvent(stored: StoredEvent): Promise<void> {
    const host = this.deps.host(stored.hostId);
    if (!host) return;
    const { threads } = this.deps;
    const opened = await openThreadEvent(host.contentKey, stored);
    const gap = threads.hasGap(stored.hostId, stored.threadId, stored.seq);
    await threads.applyEvents(stored.hostId, [{ hostId: stored.hostId, ...opened }]);
    if (gap) void this.catchUp(stored.hostId);
  }

  async onLive(live: InboundLive): Promise<void> {
    const host = this.deps.host(live.hostId);
    if (!host) return;
    this.deps.threads.applyLive(live.hostId, live.threadId, await openLiveEvent(host.contentKey, live));
  }

  /** True when the record was a thread summary (handled here). */
  async onRecord(record: StoredRecord): Promise<boolean> {
    if (!record.key.startsWith("t-")) return false;
    const host = this.deps.host(record.hostId);
    if (!host) return true;
    const summary = await openThreadSummary(host.contentKey, record);
    if (summary) await this.deps.threads.applySummary(record.hostId, summary);
    return true;
  }

  /**
   * Asks the relay for everything of a host after this phone's cursors, page by page.
   * Records (profile, summaries) come first and go to `onRecords`. One catch-up per host at a
   * time; a request during one runs again after it.
   */
  catchUp(hostId: string, onRecords?: (records: StoredRecord[]) => Promise<void>): Promise<void> {
    const running = this.#syncing.get(hostId);
    if (running) {
      this.#again.add(hostId);
      return running;
    }
    const run = this.#catchUp(hostId, onRecords).finally(() => {
      this.#syncing.delete(hostId);
      if (this.#again.delete(hostId)) void this.catchUp(hostId);
    });
    this.#syncing.set(hostId, run);
    return run;
  }

  async #catchUp(hostId: string, onRecords?: (records: StoredRecord[]) => Promise<void>): Promise<void> {
    const host = this.deps.host(hostId);
    if (!host) return;
    const { socket } = await this.deps.connection();
    const { threads } = this.deps;
    const cursors = threads.cursors(hostId);
    for (let first = true; ; first = false) {
      const page = await request(
        () => socket.timeout(SYNC_TIMEOUT_MS).emitWithAck("sync", { hostId, cursors, limit: SYNC_PAGE }),
        syncAnswerSchema,
      );
      if (!page.ok) throw new TetherError(page.code, page.message);
      if (first) {
        for (const record of page.records) await this.onRecord(record);
        await onRecords?.(page.records);
      }
      const opened: CachedEvent[] = [];
      for (const stored of page.events) {
        try {
          opened.push({ hostId, ...(await openThreadEvent(host.contentKey, stored)) });
        } catch {
          // A box that does not open is skipped, never shown; the cursor still moves past it.
        }
        cursors[stored.threadId] = Math.max(cursors[stored.threadId] ?? 0, stored.seq);
      }
      await threads.applyEvents(hostId, opened);
      if (!page.more) return;
    }
  }

  async send(hostId: string, command: Command): Promise<CommandOutcome> {
    const host = this.deps.host(hostId);
    if (!host) throw new TetherError(ErrorCode.NotFound, "This computer is not paired with this phone.");
    const { socket, deviceId } = await this.deps.connection();
    return sendCommand(socket, { hostId, deviceId, epoch: host.epoch, contentKey: host.contentKey }, command);
  }

  /** Sends the attachments, then the task; answers the new thread's id. */
  async startTask(hostId: string, form: TaskForm): Promise<{ threadId: string; queued: boolean }> {
    if (form.attachments.length > MAX_ATTACHMENTS) {
      throw new TetherError(ErrorCode.TooLarge, `At most ${MAX_ATTACHMENTS} attachments go with one task.`);
    }
    for (const file of form.attachments) {
      if (file.bytes.length > MAX_ATTACHMENT_BYTES) {
        throw new TetherError(ErrorCode.TooLarge, `${file.name} is too large to attach (the limit is 1 MB).`);
      }
    }
    const threadId = randomId(12);
    for (const file of form.attachments) {
      await this.send(hostId, { type: "attach", threadId, name: file.name, mime: file.type, data: toBase64Url(file.bytes) });
    }
    const outcome = await this.send(hostId, {
      type: "new-task",
      threadId,
      text: form.text,
      mode: form.mode,
      ...(form.model ? { model: form.model } : {}),
      ...(form.attachments.length ? { attachments: form.attachments.map((a) => a.name) } : {}),
    });
    await this.deps.threads.addSent(hostId, threadId, form.text, outcome.queued, this.deps.now());
    return { threadId, queued: outcome.queued };
  }
}
