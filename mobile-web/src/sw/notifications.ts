// What the service worker shows for a push, and when it shows nothing. Plain functions of
// their inputs, so the tests reach them without a browser.

import type { NotificationPayload } from "#protocol/push";
import { parseRoute, routeHash, threadRoute } from "../routing/routes";
import type { ShowOptions } from "./types";

export const APPROVE_ACTION = "approve";
export const DENY_ACTION = "deny";

const ICON = "/icons/icon-192.png";
/** Monochrome, for Android's status bar. */
const BADGE = "/icons/badge-96.png";
/** The tag of the generic notification when not even the push's own tag could be read. */
export const GENERIC_TAG = "tether-attention";

/** What a notification carries for its click handler. Routing metadata only, nothing secret. */
export interface NotificationData {
  hostId?: string;
  threadId?: string;
  tag: string;
  /** Set on approvals: what the Approve and Deny buttons decide. */
  approvalId?: string;
}

export interface ShownNotification {
  title: string;
  options: ShowOptions & { tag: string; data: NotificationData };
}

export type ShowablePayload = Exclude<NotificationPayload, { type: "settled" }>;

/**
 * The notification for an opened payload. `hostId` and `tag` were checked by the seal; the
 * thread comes from inside the box, not from the relay's routing fields.
 */
export function notificationFor(hostId: string, tag: string, payload: ShowablePayload, now: number): ShownNotification {
  const data: NotificationData = { hostId, threadId: payload.threadId, tag };
  const options: ShownNotification["options"] = {
    body: payload.body,
    tag,
    // Same tag, same notification: a repeat replaces it quietly instead of buzzing again.
    renotify: false,
    icon: ICON,
    badge: BADGE,
    timestamp: now,
    data,
  };
  if (payload.type === "approval") {
    data.approvalId = payload.approvalId;
    options.actions = [
      { action: APPROVE_ACTION, title: "Approve" },
      { action: DENY_ACTION, title: "Deny" },
    ];
  }
  // Someone is waiting on an answer: keep it on screen where the platform allows.
  if (payload.type === "approval" || payload.type === "question") options.requireInteraction = true;
  return { title: payload.title.trim() || "Tether", options };
}

/**
 * Shown when a push cannot be opened (an unknown host, a key from before a rotation, a
 * damaged payload). The browser insists on a notification for every push; this one says
 * nothing the relay could not already see.
 */
export function genericNotification(routing?: { hostId: string; threadId: string; tag: string }): ShownNotification {
  const data: NotificationData = routing ? { ...routing } : { tag: GENERIC_TAG };
  return {
    title: "Tether",
    options: { body: "Something needs your attention.", tag: data.tag, renotify: false, icon: ICON, badge: BADGE, data },
  };
}

/** Replaces a notification whose button press did not reach the computer. */
export function actionFailedNotification(data: NotificationData, reason: string | null): ShownNotification {
  const body = reason ? `${reason} Open Tether to see the thread.` : "Open Tether to decide there.";
  // No buttons: pressing them again would most likely fail the same way.
  const { approvalId: _approvalId, ...rest } = data;
  return {
    title: "Your decision didn't go through",
    options: { body, tag: data.tag, renotify: false, icon: ICON, badge: BADGE, data: rest },
  };
}

/** A window of the app, as `clients.matchAll` reports it. */
export interface ClientView {
  url: string;
  visibilityState: DocumentVisibilityState;
}

/** Whether a person is looking at this very thread right now: then a notification only interrupts. */
export function isThreadInView(clients: readonly ClientView[], hostId: string, threadId: string): boolean {
  return clients.some((client) => {
    // Visible is enough: a phone shows one app at a time, and on a desktop a window on screen
    // without the focus is still in front of the person.
    if (client.visibilityState !== "visible") return false;
    const route = parseRoute(hashOf(client.url));
    return route.name === "thread" && route.hostId === hostId && route.threadId === threadId;
  });
}

/** Where a click on a notification leads: the thread, or the app's home. */
export function targetUrl(data: Partial<NotificationData> | null | undefined): string {
  if (data?.hostId && data.threadId) return `/${routeHash(threadRoute(data.hostId, data.threadId))}`;
  if (data?.hostId) return `/${routeHash({ name: "threads", hostId: data.hostId })}`;
  return "/";
}

/** Reads what the worker stored on a notification, defensively: it comes back from the platform. */
export function notificationData(value: unknown): NotificationData | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.tag !== "string") return null;
  const text = (key: string): string | undefined => (typeof v[key] === "string" ? (v[key] as string) : undefined);
  return { tag: v.tag, hostId: text("hostId"), threadId: text("threadId"), approvalId: text("approvalId") };
}

function hashOf(url: string): string {
  try {
    return new URL(url).hash;
  } catch {
    return "";
  }
}
