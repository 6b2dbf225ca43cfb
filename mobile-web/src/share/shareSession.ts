// A viewer of a shared thread: no pairing, no device key, nothing it can send but `share:sync`.
// The link's secret gives the token the relay checks and the key of the share's record, which
// holds the thread's key of every epoch. Each box is opened with the key of its epoch and the
// context the relay says it belongs to; the relay's word is checked too (this host, this
// thread), so a relay that serves another thread's boxes shows nothing of them.

import {
  PROTOCOL_VERSION,
  THREAD_RECORD_PREFIX,
  importContentKey,
  open,
  storedEventSchema,
  storedRecordSchema,
  liveForwardSchema,
  type NumberedEvent,
  type StoredEvent,
  type StoredRecord,
  type ThreadSummary,
} from "#protocol";
import {
  SHARE_RECORD_PREFIX,
  shareKey,
  shareRecordContext,
  shareRecordKey,
  shareRecordSchema,
  shareToken,
  type ShareLink,
} from "#protocol/share";
import { EMPTY_LIVE, settleLive, withLive, type LiveState } from "#protocol/live";
import { mergeEvents } from "../threads/cache";
import { openLiveEvent, openThreadEvent, openThreadSummary } from "../threads/open";

export type ShareStatus = "connecting" | "live" | "offline" | "revoked" | "failed";

export interface ShareState {
  status: ShareStatus;
  /** Why it is `revoked` or `failed`, in words for the person. */
  message: string | null;
  /** The sharing computer's name, from the share's record. */
  host: string | null;
  summary: ThreadSummary | null;
  events: NumberedEvent[];
  live: LiveState;
  /** Events this link cannot open: sealed before the computer gave threads their own keys. */
  unreadable: number;
}

/** What the viewer needs of a socket.io-client socket (a stand-in in tests). */
export interface ViewerSocket {
  on(event: string, listener: (...args: never[]) => void): unknown;
  timeout(ms: number): { emitWithAck(event: "share:sync", req: { after: number }): Promise<unknown> };
  connect(): unknown;
  close(): unknown;
}

export type Connect = (
  origin: string,
  options: { auth: Record<string, unknown>; transports: string[]; forceNew: boolean },
) => ViewerSocket;

const SYNC_TIMEOUT_MS = 15_000;

export class ShareSession {
  private state: ShareState = {
    status: "connecting",
    message: null,
    host: null,
    summary: null,
    events: [],
    live: EMPTY_LIVE,
    unreadable: 0,
  };
  private socket: ViewerSocket | undefined;
  private keys = new Map<number, CryptoKey>();
  private syncing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly link: ShareLink,
    private readonly origin: string,
    private readonly connect: Connect,
    private readonly onChange: (state: ShareState) => void,
  ) {}

  get current(): ShareState {
    return this.state;
  }

  async start(): Promise<void> {
    const socket = this.connect(this.origin, {
      auth: { v: PROTOCOL_VERSION, share: await shareToken(this.link.secret) },
      transports: ["websocket", "polling"],
      forceNew: true,
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.set({ status: "live" });
      this.syncing = this.syncing.then(() => this.catchUp()).catch(() => undefined);
    });
    socket.on("connect_error", (err: Error & { data?: { code?: string; message?: string; revoked?: boolean } }) => {
      if (err.data?.code === "unauthorized") {
        this.set({ status: "revoked", message: "This link no longer opens the thread: its owner stopped sharing it." });
        socket.close();
      } else if (err.data?.message) this.set({ status: "failed", message: err.data.message });
      else this.set({ status: "offline" });
    });
    socket.on("disconnect", (reason: string) => {
      if (this.closed) return;
      this.set({ status: "offline" });
      // Cut off by the relay (a revocation, say): asked once more, it says why.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("event", (payload: unknown) => void this.onEvents([payload]));
    socket.on("live", (payload: unknown) => void this.onLive(payload));
    socket.on("record", (payload: unknown) => void this.onRecords([payload]));
    socket.on("thread:deleted", () => this.set({ status: "failed", message: "Its owner deleted this thread." }));
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  private set(patch: Partial<ShareState>): void {
    this.state = { ...this.state, ...patch };
    this.onChange(this.state);
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const after = this.state.events.at(-1)?.seq ?? 0;
      const answer = (await this.socket!.timeout(SYNC_TIMEOUT_MS).emitWithAck("share:sync", { after })) as {
        ok: boolean;
        records?: unknown[];
        events?: unknown[];
        more?: boolean;
        message?: string;
      };
      if (!answer.ok) {
        this.set({ status: "failed", message: answer.message ?? "The relay refused this link." });
        return;
      }
      await this.onRecords(answer.records ?? []);
      await this.onEvents(answer.events ?? []);
      if (!answer.more) return;
    }
  }

  /** The share's record first (it holds the keys), then the thread's summary. */
  private async onRecords(payloads: unknown[]): Promise<void> {
    const records = payloads.flatMap((p) => {
      const parsed = storedRecordSchema.safeParse(p);
      return parsed.success && parsed.data.hostId === this.link.hostId ? [parsed.data] : [];
    });
    const own = records.find((r) => r.key === shareRecordKey(this.link.shareId));
    if (own) await this.readShareRecord(own);
    const summary = records.find((r) => r.key === `${THREAD_RECORD_PREFIX}${this.link.threadId}`);
    const key = summary && this.keys.get(summary.box.e);
    if (summary && key) {
      const opened = await openThreadSummary(key, summary).catch(() => null);
      if (opened) this.set({ summary: opened });
    }
  }

  private async readShareRecord(record: StoredRecord): Promise<void> {
    if (!record.key.startsWith(SHARE_RECORD_PREFIX)) return;
    try {
      const plain = await open(
        await shareKey(this.link.secret),
        record.box,
        shareRecordContext(this.link.hostId, this.link.shareId),
      );
      const share = shareRecordSchema.parse(plain);
      if (share.threadId !== this.link.threadId) return;
      const keys = new Map(this.keys);
      for (const { e, k } of share.keys) if (!keys.has(e)) keys.set(e, await importContentKey(k, false));
      this.keys = keys;
      this.set({ host: share.host });
    } catch {
      // Not sealed for this link: nothing in it is believed.
    }
  }

  private async onEvents(payloads: unknown[]): Promise<void> {
    const stored: StoredEvent[] = payloads.flatMap((p) => {
      const parsed = storedEventSchema.safeParse(p);
      const ok = parsed.success && parsed.data.hostId === this.link.hostId && parsed.data.threadId === this.link.threadId;
      return ok ? [parsed.data] : [];
    });
    const opened: NumberedEvent[] = [];
    let unreadable = 0;
    for (const event of stored) {
      const key = this.keys.get(event.box.e);
      const got = key ? await openThreadEvent(key, event).catch(() => null) : null;
      if (got) opened.push({ seq: got.seq, event: got.event });
      else unreadable++;
    }
    if (opened.length === 0 && unreadable === 0) return;
    const events = mergeEvents(this.state.events, opened);
    this.set({ events, live: settleLive(this.state.live, opened), unreadable: this.state.unreadable + unreadable });
  }

  private async onLive(payload: unknown): Promise<void> {
    const parsed = liveForwardSchema.safeParse(payload);
    if (!parsed.success || parsed.data.hostId !== this.link.hostId || parsed.data.threadId !== this.link.threadId) return;
    const key = this.keys.get(parsed.data.box.e);
    if (!key) return;
    const event = await openLiveEvent(key, parsed.data).catch(() => null);
    if (event) this.set({ live: withLive(this.state.live, event) });
  }
}
