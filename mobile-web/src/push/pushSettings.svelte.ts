// Notifications for this phone: whether they can work here, the browser's permission, the
// push subscription (with an FCM token when the relay sends through FCM), and which hosts are
// muted. The relay is told on every change and again on every connection (it may have lost
// what it knew, or its key or transport may have changed).

import type { PushOffer } from "#protocol/push";
import type { Database } from "../store/db";
import { firebaseTokens } from "./fcm";
import { DEFAULT_PREFS, loadPrefs, savePrefs, withMuted, type PushPrefs } from "./prefs";
import type { PushRelay } from "./relay";
import { ensureSubscription, subscribeRequest, type PushManagerLike } from "./subscription";
import { availabilityText, pushAvailability, pushEnvironment, type PushAvailability, type PushEnvironment } from "./support";
import { fcmRequest, rememberedKey, sentPrefs, transportFor, type FcmTokens, type FcmTransport } from "./transport";

const WORKER_WAIT_MS = 10_000;

export interface PushSettingsDeps {
  /** The app's database, once it is open. */
  db(): Database | null;
  relay: PushRelay;
  /** The active service worker's push manager. */
  pushManager?: () => Promise<PushManagerLike>;
  /** FCM tokens; by default the Firebase web SDK, loaded only when the relay offers FCM. */
  fcm?: FcmTokens;
  environment?: PushEnvironment;
  permission?: () => NotificationPermission;
  requestPermission?: () => Promise<NotificationPermission>;
}

class Problem extends Error {}

export class PushSettings {
  readonly environment: PushEnvironment;
  permission = $state<NotificationPermission>("default");
  /** The relay's offer from its hello: undefined before the hello, null when it offers none. */
  offer = $state.raw<PushOffer | null | undefined>(undefined);
  /** The relay has this phone's subscription. */
  subscribed = $state(false);
  busy = $state(false);
  /** What went wrong with the person's last change, in their words. */
  error = $state<string | null>(null);
  #prefs = $state.raw<PushPrefs>(DEFAULT_PREFS);

  #queue: Promise<unknown> = Promise.resolve();
  readonly #fcm: FcmTokens;

  constructor(private readonly deps: PushSettingsDeps) {
    this.environment = deps.environment ?? pushEnvironment();
    this.permission = this.#readPermission();
    this.#fcm = deps.fcm ?? firebaseTokens(() => this.#registration(WORKER_WAIT_MS));
  }

  get availability(): PushAvailability {
    const { environment, permission, offer, subscribed } = this;
    return pushAvailability({ environment, permission, offer, subscribed });
  }

  /** The sentence that says where notifications stand. */
  get text(): string {
    return availabilityText(this.availability);
  }

  get muted(): readonly string[] {
    return this.#prefs.muted;
  }
  /** Reads what this phone remembers; call once the database is open. */
  async load(): Promise<void> {
    const db = this.deps.db();
    if (db) this.#prefs = await loadPrefs(db).catch(() => ({ ...DEFAULT_PREFS }));
    this.permission = this.#readPermission();
    this.#watchPermission();
    if (this.#prefs.enabled && this.permission === "granted" && this.availability !== "unsupported") {
      // Shown as on from the start; the next hello tells the relay again.
      this.subscribed =
        (await this.#manager(1_000)
          .then((m) => m.getSubscription())
          .catch(() => null)) !== null;
    }
  }

  /** The relay's hello: remember its offer, and re-subscribe if this phone has notifications on. */
  setOffer(offer: PushOffer | undefined): void {
    this.offer = offer ?? null;
    if (!offer || !this.#prefs.enabled || this.#readPermission() !== "granted") return;
    void this.#serial(() => this.#subscribe(offer)).catch((error: unknown) => {
      // Not the person's doing: keep quiet, the next connection tries again.
      console.warn("tether: could not renew notifications", error instanceof Error ? error.name : typeof error);
    });
  }

  isHostOn(hostId: string): boolean {
    return !this.#prefs.muted.includes(hostId);
  }

  /** Turns notifications on. Call from a click or tap: the browser asks only then. */
  enable(): Promise<void> {
    // Ask before anything is awaited, while the tap still counts as the person's gesture.
    const asked = this.#requestPermission();
    return this.#act(async () => {
      this.permission = await asked;
      if (this.permission !== "granted") return;
      const offer = this.offer;
      if (!offer) throw new Problem("Connect to the relay first, then try again.");
      await this.#subscribe(offer);
    });
  }

  /** Turns notifications off for this phone: the relay forgets it, the browser drops the subscription. */
  disable(): Promise<void> {
    return this.#act(async () => {
      const { fcmToken: _token, ...before } = this.#prefs;
      await this.#savePrefs({ ...before, enabled: false });
      this.subscribed = false;
      // Best effort on all sides: a subscription the relay still holds fails at the push
      // service once the browser dropped it, and the relay deletes it then.
      await this.deps.relay.unsubscribe().catch(() => undefined);
      const transport = this.offer ? transportFor(this.offer) : null;
      if (before.transport === "fcm" && transport?.kind === "fcm") {
        // FCM keeps a token until it is revoked or its subscription lapses: revoke it now.
        await this.#fcm.deleteToken(transport).catch(() => undefined);
      }
      const subscription = await this.#manager(WORKER_WAIT_MS)
        .then((m) => m.getSubscription())
        .catch(() => null);
      await subscription?.unsubscribe().catch(() => false);
    });
  }

  /** Mutes or unmutes one host; the relay is told at once when notifications are on. */
  setHostOn(hostId: string, on: boolean): Promise<void> {
    return this.#act(async () => {
      const before = this.#prefs;
      await this.#savePrefs({ ...before, muted: withMuted(before.muted, hostId, !on) });
      if (!this.subscribed || !this.offer) return;
      try {
        await this.#subscribe(this.offer);
      } catch (error) {
        await this.#savePrefs(before);
        throw error;
      }
    });
  }

  async #subscribe(offer: PushOffer): Promise<void> {
    let manager: PushManagerLike;
    try {
      manager = await this.#manager(WORKER_WAIT_MS);
    } catch {
      throw new Problem("Notifications need the app's background worker, which is not running. Reload the page and try again.");
    }
    const transport = transportFor(offer);
    let request;
    try {
      // For FCM too: the Firebase SDK takes whatever subscription there is, and FCM cannot send
      // to one made with another key (the relay's own, from when it offered only Web Push).
      const subscription = await ensureSubscription(manager, transport.vapidKey, rememberedKey(this.#prefs, transport));
      if (transport.kind === "webpush") request = subscribeRequest(subscription, this.#prefs.muted);
    } catch {
      throw new Problem("This browser could not set up notifications. Try again later.");
    }
    if (transport.kind === "fcm") request = fcmRequest(await this.#fcmToken(transport), this.#prefs.muted);
    if (!request) throw new Problem("This browser's notification service is not one the relay can use.");
    try {
      await this.deps.relay.subscribe(request);
    } catch {
      throw new Problem("The relay could not be told. Check the connection and try again.");
    }
    await this.#savePrefs(sentPrefs(this.#prefs, request, transport.vapidKey));
    this.subscribed = true;
  }

  async #fcmToken(transport: FcmTransport): Promise<string> {
    try {
      return await this.#fcm.getToken(transport);
    } catch {
      throw new Problem(
        "This phone could not get a notification token from Firebase, which this relay sends through. Check the connection and try again.",
      );
    }
  }

  /** Runs a change the person asked for: one at a time, with `busy` and `error` for the screen. */
  #act(work: () => Promise<void>): Promise<void> {
    this.error = null;
    this.busy = true;
    return this.#serial(work)
      .catch((error: unknown) => {
        this.error = error instanceof Problem ? error.message : "Something went wrong. Try again.";
      })
      .finally(() => {
        this.busy = false;
      });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #savePrefs(prefs: PushPrefs): Promise<void> {
    this.#prefs = prefs;
    const db = this.deps.db();
    if (db) await savePrefs(db, prefs);
  }

  #manager(waitMs: number): Promise<PushManagerLike> {
    if (this.deps.pushManager) return this.deps.pushManager();
    return this.#registration(waitMs).then((registration) => registration.pushManager as PushManagerLike);
  }

  #registration(waitMs: number): Promise<ServiceWorkerRegistration> {
    if (!this.environment.serviceWorker) return Promise.reject(new Error("no service worker"));
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      navigator.serviceWorker.ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no active service worker")), waitMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  #readPermission(): NotificationPermission {
    if (this.deps.permission) return this.deps.permission();
    return this.environment.notification ? Notification.permission : "default";
  }

  #requestPermission(): Promise<NotificationPermission> {
    if (this.deps.requestPermission) return this.deps.requestPermission();
    if (!this.environment.notification) return Promise.resolve("default");
    return Notification.requestPermission();
  }

  /** Follows a change made in the browser's site settings while the app is open. */
  #watchPermission(): void {
    if (this.deps.permission || !navigator.permissions?.query) return;
    void navigator.permissions
      .query({ name: "notifications" })
      .then((status) => {
        status.onchange = () => {
          this.permission = this.#readPermission();
        };
      })
      .catch(() => undefined);
  }
}
