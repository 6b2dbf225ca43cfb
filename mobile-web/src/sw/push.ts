// Push in the service worker: open the sealed payload with the host's key, show it (or
// nothing, when the thread is on screen), close what was settled elsewhere, and act on the
// notification's buttons.

import { sealContext } from "#protocol/contexts";
import { open } from "#protocol/crypto";
import {
  FCM_DATA_KEY,
  notificationPayloadSchema,
  pushMessageSchema,
  type NotificationPayload,
  type PushMessage,
} from "#protocol/push";
import { keyFor } from "../hosts/keys";
import { decideCommand, postCommand } from "./actions";
import {
  actionFailedNotification,
  genericNotification,
  isThreadInView,
  notificationData,
  notificationFor,
  targetUrl,
  type ShownNotification,
} from "./notifications";
import { loadHost, loadSender } from "./records";
import { visibleViews } from "./view";
import type { PushMessageData, ServiceWorkerGlobal } from "./types";

/** Handles one push; resolves once whatever it shows is shown. */
export async function handlePush(sw: ServiceWorkerGlobal, data: PushMessageData | null): Promise<void> {
  const message = parseMessage(data);
  if (!message) return show(sw, genericNotification());
  const routing = { hostId: message.hostId, threadId: message.threadId, tag: message.tag };
  const payload = await openPayload(message);
  if (!payload) return show(sw, genericNotification(routing));

  if (payload.type === "settled") {
    const open = await sw.registration.getNotifications({ tag: payload.closeTag });
    for (const notification of open) notification.close();
    return;
  }
  const windows = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
  if (isThreadInView(await visibleViews(windows), message.hostId, payload.threadId)) return;
  return show(sw, notificationFor(message.hostId, message.tag, payload, Date.now()));
}

/**
 * A click on a notification or one of its buttons. Approve / Deny post the decision and
 * close the notification; anything else brings the app to the thread.
 */
export async function handleNotificationClick(
  sw: ServiceWorkerGlobal,
  notification: Notification,
  action: string,
): Promise<void> {
  const data = notificationData(notification.data);
  const command = decideCommand(data, action);
  if (!command || !data?.hostId) {
    notification.close();
    return focusOrOpen(sw, targetUrl(data));
  }
  const sender = await loadSender(data.hostId).catch(() => null);
  const outcome = sender
    ? await postCommand(
        {
          deviceId: sender.deviceId,
          token: sender.token,
          hostId: data.hostId,
          commandKey: sender.commandKey,
        },
        command,
        (input, init) => fetch(input, init),
        sw.location.origin,
      )
    : ({ ok: false, reason: null } as const);
  notification.close();
  if (!outcome.ok) await show(sw, actionFailedNotification(data, outcome.reason));
}

/**
 * The message in a push: bare, as Web Push brings it, or inside FCM's wrapper, whose `data`
 * holds it as a JSON string under `FCM_DATA_KEY`. Null for anything else.
 */
export function parseMessage(data: PushMessageData | null): PushMessage | null {
  if (!data) return null;
  const json = parseJson(data.text());
  const bare = pushMessageSchema.safeParse(json);
  if (bare.success) return bare.data;
  const fcmData = (json as { data?: unknown } | null)?.data;
  const inner = typeof fcmData === "object" && fcmData !== null ? (fcmData as Record<string, unknown>)[FCM_DATA_KEY] : undefined;
  if (typeof inner !== "string") return null;
  const wrapped = pushMessageSchema.safeParse(parseJson(inner));
  return wrapped.success ? wrapped.data : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function openPayload(message: PushMessage): Promise<NotificationPayload | null> {
  try {
    const host = await loadHost(message.hostId);
    if (!host) return null;
    const plain = await open(keyFor(host, message.box.e), message.box, sealContext.push(message.hostId, message.tag));
    const payload = notificationPayloadSchema.safeParse(plain);
    return payload.success ? payload.data : null;
  } catch {
    return null;
  }
}

function show(sw: ServiceWorkerGlobal, notification: ShownNotification): Promise<void> {
  return sw.registration.showNotification(notification.title, notification.options);
}

async function focusOrOpen(sw: ServiceWorkerGlobal, url: string): Promise<void> {
  const windows = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
  const client = windows.find((w) => w.focused) ?? windows.find((w) => w.visibilityState === "visible") ?? windows[0];
  if (client) {
    // Focus first: the click's permission to raise a window lasts only a moment.
    const focused = await client.focus().catch(() => client);
    const target = new URL(url, sw.location.origin).href;
    if (focused.url !== target) await focused.navigate(target).catch(() => null);
    return;
  }
  await sw.clients.openWindow(url);
}
