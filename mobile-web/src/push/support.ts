// Whether this browser can receive Tether's notifications, and what to tell the person in
// each case. Plain functions, so the tests reach every case without a browser.

import type { PushOffer } from "#protocol/push";

export interface PushEnvironment {
  secure: boolean;
  serviceWorker: boolean;
  pushManager: boolean;
  notification: boolean;
  /** iPhone and iPad: push only works for the app added to the Home Screen. */
  iosBrowserTab: boolean;
}

export function pushEnvironment(g: typeof globalThis = globalThis): PushEnvironment {
  const nav = g.navigator as (Navigator & { standalone?: boolean }) | undefined;
  return {
    secure: g.isSecureContext === true,
    serviceWorker: nav !== undefined && "serviceWorker" in nav,
    pushManager: "PushManager" in g,
    notification: "Notification" in g,
    // Only Safari on iOS has `navigator.standalone`; it is false in a browser tab.
    iosBrowserTab: nav?.standalone === false,
  };
}

export type PushAvailability =
  | "insecure"
  | "unsupported"
  /** iOS Safari in a tab: installable, and push works once installed. */
  | "install-first"
  /** No hello from the relay yet. */
  | "connecting"
  /** The relay sends no notifications (configured without push). */
  | "no-relay-push"
  /** The person (or the browser) said no in the site's settings. */
  | "blocked"
  | "off"
  | "on";

export interface AvailabilityInput {
  environment: PushEnvironment;
  permission: NotificationPermission;
  /** undefined before the relay's hello; null when the relay offers no push. */
  offer: PushOffer | null | undefined;
  /** This phone has a subscription the relay was told about. */
  subscribed: boolean;
}

export function pushAvailability({ environment: env, permission, offer, subscribed }: AvailabilityInput): PushAvailability {
  if (!env.secure) return "insecure";
  if (!env.serviceWorker || !env.pushManager || !env.notification) return env.iosBrowserTab ? "install-first" : "unsupported";
  if (permission === "denied") return "blocked";
  if (subscribed && permission === "granted") return "on";
  if (offer === undefined) return "connecting";
  if (offer === null) return "no-relay-push";
  return "off";
}

/** The sentence under the heading, one per case. */
export function availabilityText(availability: PushAvailability): string {
  switch (availability) {
    case "insecure":
      return "Notifications are not supported here: they need a secure connection. Open Tether over HTTPS.";
    case "unsupported":
      return "Notifications are not supported in this browser.";
    case "install-first":
      return "To get notifications on iPhone or iPad, add Tether to the Home Screen (Share, then Add to Home Screen) and open it from there.";
    case "connecting":
      return "Connecting to the relay…";
    case "no-relay-push":
      return "This relay does not send notifications.";
    case "blocked":
      return "Notifications are blocked in this browser's settings for this site. Allow them there, then come back.";
    case "off":
      return "Notifications are off. Turn them on to hear about approvals, questions and finished tasks.";
    case "on":
      return "Notifications are on for this phone.";
  }
}
