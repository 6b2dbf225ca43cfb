// What this phone remembers about notifications, in the app's `settings` store under one
// key: whether the person turned them on, the hosts they muted, and how the relay was last
// told to reach it (transport, the key of the browser's subscription, the FCM token).

import { Database, Stores } from "../store/db";

export const PUSH_SETTINGS_KEY = "push";

export interface PushPrefs {
  enabled: boolean;
  muted: string[];
  /** Absent in what versions before FCM stored: those only knew Web Push. */
  transport?: "webpush" | "fcm";
  /** The key the browser's push subscription was made with: the relay's, or the Firebase project's. */
  vapidKey?: string;
  /** The FCM token the relay was told, with transport "fcm". */
  fcmToken?: string;
}

export const DEFAULT_PREFS: PushPrefs = { enabled: false, muted: [] };

/** Accepts what IndexedDB returns, whatever an older or newer app version stored. */
export function readPrefs(value: unknown): PushPrefs {
  if (typeof value !== "object" || value === null) return { ...DEFAULT_PREFS };
  const v = value as Record<string, unknown>;
  const muted = Array.isArray(v.muted) ? v.muted.filter((m): m is string => typeof m === "string") : [];
  const prefs: PushPrefs = { enabled: v.enabled === true, muted: [...new Set(muted)] };
  if (v.transport === "webpush" || v.transport === "fcm") prefs.transport = v.transport;
  if (typeof v.vapidKey === "string") prefs.vapidKey = v.vapidKey;
  if (typeof v.fcmToken === "string") prefs.fcmToken = v.fcmToken;
  return prefs;
}

export async function loadPrefs(db: Database): Promise<PushPrefs> {
  return readPrefs(await db.get(Stores.settings, PUSH_SETTINGS_KEY));
}

export function savePrefs(db: Database, prefs: PushPrefs): Promise<void> {
  return db.put(Stores.settings, { ...prefs, muted: [...prefs.muted] }, PUSH_SETTINGS_KEY);
}

/** The muted list with `hostId` muted or not. */
export function withMuted(muted: readonly string[], hostId: string, mute: boolean): string[] {
  const rest = muted.filter((id) => id !== hostId);
  return mute ? [...rest, hostId] : rest;
}
