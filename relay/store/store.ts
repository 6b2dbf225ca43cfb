// The relay's durable state, behind one interface so SQLite (embedded default) and Redis
// (scale-out) can both serve it. It holds routing metadata and ciphertext only.

import type { Box, DeviceKind, StoredEvent, StoredRecord } from "../../protocol/index";
import type { PushSubscribe } from "../../protocol/push";

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

export interface EventsPage {
  events: StoredEvent[];
  more: boolean;
}

export interface RelayStore {
  insertDevice(device: DeviceRow): void;
  deviceByTokenHash(tokenHash: string): DeviceRow | undefined;
  device(id: string): DeviceRow | undefined;
  touchDevice(id: string, at: number): void;

  linkPhone(phoneId: string, hostId: string, at: number): void;
  hostsOfPhone(phoneId: string): string[];
  isLinked(phoneId: string, hostId: string): boolean;
  /**
   * Removes a phone's link to a host, with the commands it left in that host's inbox. A phone
   * left with no host is revoked (its token refused from now on) and its push subscription
   * dropped. `unlinked` is false when there was no such link (and nothing changed).
   */
  unlinkPhone(phoneId: string, hostId: string, at: number): { unlinked: boolean; revoked: boolean };
  /** A host's phones that are not revoked, in pairing order. */
  phonesOfHost(hostId: string): LinkedPhoneRow[];

  insertSlot(slot: SlotRow): void;
  slot(id: string): SlotRow | undefined;
  /** Marks the slot joined by this socket if it is open, unexpired and unjoined. */
  joinSlot(id: string, socketId: string, deviceId: string | null, now: number): boolean;
  closeSlot(id: string, at: number): void;
  /** Open slots of a host created since `since`, for rate limiting. */
  countSlotsSince(hostId: string, since: number): number;

  /**
   * Appends a thread event. Returns "stored", "duplicate" when the same seq was stored with
   * the same ciphertext (a retry), or "conflict" when that seq holds something else.
   */
  appendEvent(event: StoredEvent): "stored" | "duplicate" | "conflict";
  eventsAfter(hostId: string, cursors: Record<string, number>, limit: number): EventsPage;

  /** Queues a command; "duplicate" when that id is already waiting. */
  enqueueCommand(command: InboxRow): "stored" | "duplicate";
  /** A host's waiting commands, oldest first. */
  pendingCommands(hostId: string, limit: number): InboxRow[];
  /** Removes a command once its host acknowledged it. */
  deleteCommand(hostId: string, id: string): void;
  inboxDepth(hostId: string): number;

  putRecord(record: StoredRecord): void;
  records(hostId: string): StoredRecord[];

  /** Sets the phone's push subscription, replacing the one it had. */
  putPushSubscription(deviceId: string, target: PushTarget, muted: string[], at: number): void;
  pushSubscription(deviceId: string): PushSubscriptionRow | undefined;
  /**
   * Removes a phone's subscription. With `target`, only while it still is that target: a
   * phone that subscribed again while a send to its old endpoint failed keeps the new one.
   */
  deletePushSubscription(deviceId: string, target?: PushTarget): boolean;
  /** Subscriptions of the phones paired with a host that are not revoked and do not mute it. */
  pushSubscriptionsOfHost(hostId: string): PushSubscriptionRow[];

  /** The relay's own settings (its VAPID keys): one value per key. */
  meta(key: string): string | undefined;
  /** Stores `value` unless the key holds one already; returns what is stored, so racing starts agree. */
  initMeta(key: string, value: string): string;

  close(): void;
}

export type { Box };
