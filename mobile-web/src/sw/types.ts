// The service worker's side of the platform, declared here rather than through TypeScript's
// "webworker" lib: that lib clashes with "DOM", which the rest of the app (and the tests that
// import these modules) compile against. Only what the worker uses is declared.

/** An event whose handler may keep the worker alive until `work` settles. */
export interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}

export interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

export interface PushMessageData {
  text(): string;
}

export interface PushEvent extends ExtendableEvent {
  readonly data: PushMessageData | null;
}

export interface NotificationEvent extends ExtendableEvent {
  /** The button pressed, or "" for the notification itself. */
  readonly action: string;
  readonly notification: Notification;
}

export interface WindowClient {
  readonly url: string;
  readonly focused: boolean;
  readonly visibilityState: DocumentVisibilityState;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
  postMessage?(message: unknown, transfer: Transferable[]): void;
}

export interface Clients {
  matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<readonly WindowClient[]>;
  openWindow(url: string): Promise<WindowClient | null>;
  claim(): Promise<void>;
}

/** A notification button (not in TypeScript's DOM lib). */
export interface NotificationAction {
  action: string;
  title: string;
}

/** `showNotification` options, with the fields TypeScript's DOM lib leaves out. */
export interface ShowOptions extends NotificationOptions {
  actions?: NotificationAction[];
  renotify?: boolean;
  timestamp?: number;
}

/** The parts of `ServiceWorkerGlobalScope` the worker uses. */
export interface ServiceWorkerGlobal {
  readonly registration: ServiceWorkerRegistration;
  readonly clients: Clients;
  readonly location: { readonly origin: string };
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
  addEventListener(type: "push", listener: (event: PushEvent) => void): void;
  addEventListener(type: "notificationclick", listener: (event: NotificationEvent) => void): void;
}

/**
 * Keeps the worker alive until `work` settles. A script-made event (what the end-to-end test
 * dispatches, since no tool can press a notification's button) cannot be extended: the work
 * then just runs.
 */
export function keepAlive(event: ExtendableEvent, work: Promise<unknown>): void {
  if (event.isTrusted) event.waitUntil(work);
}
