// The one-time card after the first pairing on this phone that invites the person to turn on
// notifications, since approvals reach them there. Whether it is owed is remembered in
// localStorage: "pending" from the first pairing until "Not now" or notifications turned on,
// then "done" for good. Plain functions, so the tests reach every case without a browser.

import type { PushAvailability } from "./support";

export const INVITE_KEY = "tether.notifications-invite";

export type InviteMemory = "pending" | "done" | null;

/** The part of `Storage` used here. */
export interface InviteStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The browser's localStorage, or null where it is unavailable (some private modes). */
export function browserInviteStorage(): InviteStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function readInvite(storage: InviteStorage | null): InviteMemory {
  try {
    const value = storage?.getItem(INVITE_KEY);
    return value === "pending" || value === "done" ? value : null;
  } catch {
    return null;
  }
}

function writeInvite(storage: InviteStorage | null, value: "pending" | "done"): void {
  try {
    storage?.setItem(INVITE_KEY, value);
  } catch {
    // A storage that cannot be written: the card is not owed, or shows again; never an error.
  }
}

/** A pairing succeeded: the first one on this phone makes the card owed. */
export function rememberPairing(storage: InviteStorage | null): void {
  if (readInvite(storage) === null) writeInvite(storage, "pending");
}

/** "Not now", or notifications are on: the card is not shown again. */
export function settleInvite(storage: InviteStorage | null): void {
  writeInvite(storage, "done");
}

export type InviteCard =
  /** The invitation with its button. */
  | { kind: "enable"; text: string }
  /** iOS Safari in a tab: notifications only work from the Home Screen app. */
  | { kind: "install-first"; text: string }
  /** After the button: notifications are on. */
  | { kind: "enabled"; text: string }
  /** After the button: the person (or the browser) said no. */
  | { kind: "blocked"; text: string };

export interface InviteInput {
  memory: InviteMemory;
  availability: PushAvailability;
  /** The person pressed the card's button while it was on screen. */
  pressed: boolean;
  /** The computer the phone was just paired with, as the person knows it. */
  computer: string;
}

export function inviteText(computer: string): string {
  return `Turn on notifications: approvals and questions from ${computer} arrive there, and you can approve from the notification.`;
}

export const INSTALL_FIRST_TEXT =
  "On iPhone, add Tether to your Home Screen first (Share → Add to Home Screen), then turn on notifications from there.";

export const ENABLED_TEXT = "Notifications are on for this phone.";

export const BLOCKED_TEXT =
  "Notifications are blocked in this browser's settings for this site. Allow them there to get approvals on this phone.";

/**
 * Which card to show, or null for none. Once pressed, the card stays to tell how it went;
 * otherwise it shows only while owed and only when notifications could be turned on now
 * (or, on iOS, once the app is on the Home Screen). Anything else says nothing.
 */
export function inviteCard({ memory, availability, pressed, computer }: InviteInput): InviteCard | null {
  if (pressed) {
    if (availability === "on") return { kind: "enabled", text: ENABLED_TEXT };
    if (availability === "blocked") return { kind: "blocked", text: BLOCKED_TEXT };
    return { kind: "enable", text: inviteText(computer) };
  }
  if (memory !== "pending") return null;
  if (availability === "off") return { kind: "enable", text: inviteText(computer) };
  if (availability === "install-first") return { kind: "install-first", text: INSTALL_FIRST_TEXT };
  return null;
}

/** Notifications are on (from here or from Settings): the card is owed no more. */
export function inviteSettled(availability: PushAvailability): boolean {
  return availability === "on";
}
