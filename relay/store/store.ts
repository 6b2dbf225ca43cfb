// The relay's durable state, behind one interface so SQLite (embedded default) and Redis
// (scale-out) can both serve it. It holds routing metadata and ciphertext only.

import type { Box, DeviceKind, StoredEvent, StoredPage, StoredRecord } from "#protocol";
import type { PushSubscribe } from "#protocol/push";

export interface DeviceRow {
  id: string;
  kind: DeviceKind;
  /** SHA-256 of the bearer token, hex. The token itself is never stored. */
  tokenHash: string;
  createdAt: number;
  lastSeen: number;
  revokedAt: number | null;
}

/** A phone linked to a host, as the host's list of phones shows it. */
export interface LinkedPhoneRow {
  deviceId: string;
  pairedAt: number;
  lastSeen: number;
}

export interface SlotRow {
  id: string;
  hostId: string;
  createdAt: number;
  expiresAt: number;
  /** Socket id of the phone that joined; set once, so a slot serves one phone. */
  joinedBy: string | null;
  /** Device id of an already paired phone that joined, to link rather than mint. */
  joinedDevice: string | null;
  /** Set when the host decided: the slot can never be used again. */
  closedAt: number | null;
}

/** A phone's command waiting in its host's inbox until the host acknowledges it. */
export interface InboxRow {
  hostId: string;
  id: string;
  from: string;
  box: Box;
  at: number;
}

/** Where a phone's notifications go: a Web Push subscription or an FCM registration token. */
export type PushTarget = PushSubscribe["target"];

/** A phone's push subscription; at most one per phone. */
export interface PushSubscriptionRow {
  deviceId: string;
  target: PushTarget;
  /** Hosts this phone does not want notifications from. */
  muted: string[];
  createdAt: number;
  updatedAt: number;
}

/** A read-only share of one thread: the relay knows its ids and the SHA-256 of its token. */
export interface ShareRow {
  hostId: string;
  shareId: string;
  threadId: string;
  verifier: string;
  createdAt: number;
}

export interface EventsPage {
  events: StoredEvent[];
  more: boolean;
}

/** History pages after a phone's cursors: per thread a chain, thread ids in order. */
export interface PagesAfter {
  pages: StoredPage[];
  /** Thread id → the last seq the pages reach, for the threads they cover. */
  reached: Record<string, number>;
  /** Events the pages bring that the phone lacks. */
  events: number;
  /** True when the limit stopped the walk: threads after the last page may have pages too. */
  more: boolean;
}

/**
 * "stored"; "duplicate" when that page is already stored (a retry); "conflict" when another
 * page of the thread overlaps it; "missing" when an event it covers is not (or no longer) stored.
 */
export type PageOutcome = "stored" | "duplicate" | "conflict" | "missing";

/**
 * Every method answers with a Promise, so a store across the network (Redis) fits as well as
 * the embedded one (SQLite, which answers at once). What has to be atomic is atomic inside one
 * call: callers never read, decide and write in separate calls where another relay process
 * could act in between (`joinSlot`, `closeSlot`, `enqueueCommand`, `unlinkPhone`, `initMeta`).
 */
export type EnqueueOutcome = "alone" | "stored" | "duplicate" | "unlinked";

export interface RelayStore {
  /** Fails when the id or the token hash is taken. */
  insertDevice(device: DeviceRow): Promise<void>;
  deviceByTokenHash(tokenHash: string): Promise<DeviceRow | undefined>;
  device(id: string): Promise<DeviceRow | undefined>;
  touchDevice(id: string, at: number): Promise<void>;

  linkPhone(phoneId: string, hostId: string, at: number): Promise<void>;
  /** The phone's hosts, oldest link first. */
  hostsOfPhone(phoneId: string): Promise<string[]>;
  isLinked(phoneId: string, hostId: string): Promise<boolean>;
  /**
   * Removes a phone's link to a host, with the commands it left in that host's inbox. A phone
   * left with no host is revoked (its token refused from now on) and its push subscription
   * dropped. `unlinked` is false when there was no such link (and nothing changed).
   */
  unlinkPhone(phoneId: string, hostId: string, at: number): Promise<{ unlinked: boolean; revoked: boolean }>;
  /** A host's phones that are not revoked, in pairing order. */
  phonesOfHost(hostId: string): Promise<LinkedPhoneRow[]>;

  insertSlot(slot: SlotRow): Promise<void>;
  slot(id: string): Promise<SlotRow | undefined>;
  /** Marks the slot joined by this socket if it is open, unexpired and unjoined. */
  joinSlot(id: string, socketId: string, deviceId: string | null, now: number): Promise<boolean>;
  /** Closes the slot; true only for the one call that closed it (a decision is taken once). */
  closeSlot(id: string, at: number): Promise<boolean>;
  /** Slots of a host created since `since`, for rate limiting. */
  countSlotsSince(hostId: string, since: number): Promise<number>;

  /**
   * Appends a thread event. Returns "stored", "duplicate" when the same seq was stored with
   * the same ciphertext (a retry), or "conflict" when that seq holds something else.
   */
  appendEvent(event: StoredEvent): Promise<"stored" | "duplicate" | "conflict">;
  /** Events after the cursors, thread by thread (thread ids in order), at most `limit`. */
  eventsAfter(hostId: string, cursors: Record<string, number>, limit: number): Promise<EventsPage>;

  /**
   * Stores a history page beside the events it covers (never instead of them). Pages of one
   * thread never overlap, so they take at most as much room as the events they repeat.
   */
  appendPage(page: StoredPage): Promise<PageOutcome>;
  /**
   * Per thread (ids in order), the chain of pages from the cursor on: the page holding
   * cursor + 1, then the one holding the seq after it, and so on. Stops once the pages bring
   * `limit` events or more (at least one page).
   */
  pagesAfter(hostId: string, cursors: Record<string, number>, limit: number): Promise<PagesAfter>;

  /**
   * Queues a command from a phone linked to the host: "alone" when it was stored and nothing
   * else waits for that host (every command before it was deleted), "stored" when it waits
   * behind others, "duplicate" when that id is already waiting, "unlinked" (nothing stored)
   * when the phone is not, or no longer, linked to it. Checked in the same step as the write,
   * so a command never lands after a revocation.
   */
  enqueueCommand(command: InboxRow): Promise<EnqueueOutcome>;
  /** A host's waiting commands, oldest first. */
  pendingCommands(hostId: string, limit: number): Promise<InboxRow[]>;
  /** Removes a command once its host acknowledged it. */
  deleteCommand(hostId: string, id: string): Promise<void>;
  inboxDepth(hostId: string): Promise<number>;

  putRecord(record: StoredRecord): Promise<void>;
  /** A host's records, by key. */
  records(hostId: string): Promise<StoredRecord[]>;
  /**
   * Retention: deletes the host's oldest events while they are older than `olderThan` or its
   * sealed bytes exceed `quotaBytes` (0: no cap), at most `max` in one call (`more` when it
   * stopped there). Remembers, per thread, the first seq that may still be kept. A page that
   * held a deleted event is deleted with it.
   */
  trimEvents(hostId: string, olderThan: number, quotaBytes: number, max: number): Promise<{ deleted: number; more: boolean }>;
  /** Hosts with stored events, for the retention sweep. */
  hostsWithEvents(): Promise<string[]>;
  /** Sealed bytes (iv and ciphertext) of the host's stored events. */
  storedBytes(hostId: string): Promise<number>;
  /** Thread id → the first seq kept, for the host's threads whose first events were trimmed. */
  trimmedThreads(hostId: string): Promise<Record<string, number>>;
  /** Events of one thread after `after`, at most `limit` (a viewer of a share reads no other). */
  threadEventsAfter(hostId: string, threadId: string, after: number, limit: number): Promise<EventsPage>;
  /** Stores a share; "conflict" when the host has a share of that id or the verifier is taken. */
  insertShare(share: ShareRow): Promise<"stored" | "conflict">;
  shareByVerifier(verifier: string): Promise<ShareRow | undefined>;
  /** Forgets a share and its record (`s-<shareId>`); undefined when the host has no such share. */
  deleteShare(hostId: string, shareId: string): Promise<ShareRow | undefined>;
  /** Forgets a thread: its events, its pages and its summary record (`t-<threadId>`). */
  deleteThread(hostId: string, threadId: string): Promise<void>;

  /** Sets the phone's push subscription, replacing the one it had. */
  putPushSubscription(deviceId: string, target: PushTarget, muted: string[], at: number): Promise<void>;
  pushSubscription(deviceId: string): Promise<PushSubscriptionRow | undefined>;
  /**
   * Removes a phone's subscription. With `target`, only while it still is that target: a
   * phone that subscribed again while a send to its old endpoint failed keeps the new one.
   */
  deletePushSubscription(deviceId: string, target?: PushTarget): Promise<boolean>;
  /** Subscriptions of the phones paired with a host that are not revoked and do not mute it. */
  pushSubscriptionsOfHost(hostId: string): Promise<PushSubscriptionRow[]>;

  /** The relay's own settings (its VAPID keys): one value per key. */
  meta(key: string): Promise<string | undefined>;
  /** Stores `value` unless the key holds one already; returns what is stored, so racing starts agree. */
  initMeta(key: string, value: string): Promise<string>;

  /** Idempotent. Calls made after it fail. */
  close(): Promise<void>;
}

export type { Box };
