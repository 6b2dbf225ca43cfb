// The app shell: opens storage, loads this phone's identity, hosts, threads and outbox, and
// routes what the relay sends to the part it concerns. The parts live in their own modules:
// pairing (`pairing/pairingSession.svelte.ts`), keeping hosts in step with the relay
// (`hosts/hostSync.ts`), a host's workspace files (`files/workspaceFiles.ts`), and the one wait
// for the relay every call makes (`link/connection.ts`). What remains here are the flows that
// span them: start-up and stop, and sending tasks and commands through the outbox.

import { ErrorCode, MIRROR_LIVE_ID, TetherError, randomId, type Command, type Hello } from "#protocol";
import type { CommandOutcome } from "./link/commands";
import { sendOutboxItem } from "./link/outboxSend";
import { type TaskForm, ThreadService } from "./threads/threadService";
import { defaultDeviceName, type BrowserHints } from "./device/deviceName";
import { WorkspaceFiles } from "./files/workspaceFiles";
import { withCommandKeys } from "./hosts/commandKey";
import { HostSync } from "./hosts/hostSync";
import { Hosts, displayName } from "./hosts/hosts.svelte";
import { NotConnectedError, describeCallFailure, readyConnection } from "./link/connection";
import { RelayLink } from "./link/relayLink.svelte";
import { asFailure } from "./link/request";
import { PairingSession } from "./pairing/pairingSession.svelte";
import { LazyPush } from "./push/lazyPush.svelte";
import type { PushSettings } from "./push/pushSettings.svelte";
import { pushRelayOverSocket } from "./push/relay";
import { Router } from "./routing/router.svelte";
import { dirRoute, threadRoute } from "./routing/routes";
import { Database } from "./store/db";
import { loadHosts, loadOrCreateDevice, saveDevice, type DeviceRecord } from "./store/records";
import { Clock } from "./time/clock.svelte";
import { Outbox, waitingHosts, type OutboxItem } from "./threads/outbox";
import { outboxStorage } from "./store/outbox";
import { taskCommands } from "./threads/taskCommands";
import { Threads } from "./threads/threads.svelte";

/** What became of a command: `unsent` when it waits in the outbox for the relay. */
export type Delivery = CommandOutcome & { unsent: boolean };

export class TetherApp {
  phase = $state<"starting" | "ready" | "failed">("starting");
  /** Why the app could not start, for the person. */
  startupError = $state<string | null>(null);
  /** This phone's identity; replaced whole, since it holds CryptoKeys. */
  device = $state.raw<DeviceRecord | null>(null);
  /** The Files tab shows only what this thread changed, while set. */
  changedFilter = $state.raw<{ hostId: string; threadId: string; title: string; paths: string[] } | null>(null);
  /** Commands the relay has not taken yet, oldest first (`threads/outbox.ts`). */
  unsent = $state.raw<readonly OutboxItem[]>([]);

  readonly hosts = new Hosts();
  readonly router = new Router();
  readonly clock = new Clock();
  readonly link: RelayLink;
  /** Notifications for this phone: loaded as the app starts, apart from the first screen. */
  readonly #push = new LazyPush();
  /** The pairing under way (`pairing.flow`), and forgetting pairing data the relay refuses. */
  readonly pairing: PairingSession;
  /** Hosts in step with the relay: presence, profiles, keys, unpairing. */
  readonly hostSync: HostSync;
  /** Each host's workspace, for the file browser. */
  readonly files: WorkspaceFiles;

  #db: Database | null = null;
  #threads: Threads | null = null;
  #service: ThreadService | null = null;
  #outbox: Outbox | null = null;
  #stopRouter: (() => void) | null = null;

  constructor() {
    // Pairing and host sync change this phone's identity; the shell holds it for the screens.
    const stored = {
      db: () => this.#requireDb(),
      device: () => this.device,
      setDevice: (device: DeviceRecord) => (this.device = device),
    };
    this.link = new RelayLink({
      hello: (hello) => this.#onHello(hello),
      presence: (presence) => this.hostSync.onPresence(presence),
      record: (record) => this.hostSync.onRecord(record),
      event: (event) => this.hostSync.afterRekeys(() => this.#service?.onEvent(event)),
      live: (live) =>
        this.hostSync.afterRekeys(() =>
          live.threadId === MIRROR_LIVE_ID ? this.files.onMirrorDelta(live) : this.#service?.onLive(live),
        ),
      pairResult: (result) => this.pairing.flow?.receive(result),
      unpaired: ({ hostId, by }) => {
        if (by === "host") void this.hostSync.onUnpaired(hostId).catch(() => undefined);
      },
      threadDeleted: ({ hostId, threadId }) => void this.#threads?.forgetThread(hostId, threadId).catch(() => undefined),
    });
    this.pairing = new PairingSession({ link: this.link, hosts: this.hosts, router: this.router, ...stored });
    this.hostSync = new HostSync({
      link: this.link,
      hosts: this.hosts,
      push: this.#push,
      ...stored,
      threads: () => this.#threads,
      service: () => this.#service,
      forgetPairingData: () => this.pairing.forgetPairingData(),
    });
    this.files = new WorkspaceFiles(this.link, this.hosts);
  }

  /** Notifications for this phone (permission, subscription, muted hosts); null until they have loaded. */
  get push(): PushSettings | null {
    return this.#push.settings;
  }

  /** The thread cache; there once the app is ready. */
  get threads(): Threads {
    if (!this.#threads) throw new Error("threads are not loaded");
    return this.#threads;
  }

  /** Sending tasks and commands to hosts; there once the app is ready. */
  get threadService(): ThreadService {
    if (!this.#service) throw new Error("threads are not loaded");
    return this.#service;
  }

  /** `pairText` is the pairing link the page was opened with, already out of the address bar. */
  async start(pairText: string | null): Promise<void> {
    try {
      const db = await Database.open();
      this.#db = db;
      this.device = await loadOrCreateDevice(db, defaultDeviceName(browserHints()));
      this.hosts.replaceAll(await withCommandKeys(db, this.device, await loadHosts(db)));
      const threads = new Threads(db);
      await threads.load();
      this.#threads = threads;
      void this.#push
        .load({ db: () => this.#db, relay: pushRelayOverSocket(() => readyConnection(this.link).then(({ socket }) => socket)) })
        .catch((error: unknown) =>
          console.warn("tether: notifications could not load", error instanceof Error ? error.name : typeof error),
        );
      this.#service = new ThreadService({
        threads,
        host: (hostId) => this.hosts.get(hostId),
        connection: () => readyConnection(this.link),
        now: () => Date.now(),
      });
      const outbox = new Outbox({
        storage: outboxStorage(db),
        send: (item) =>
          sendOutboxItem(item, {
            host: (hostId) => this.hosts.get(hostId),
            offline: () => this.link.status === "offline",
            ready: () => this.link.ready,
            connection: () => readyConnection(this.link),
          }),
        now: () => Date.now(),
        changed: (items) => (this.unsent = items),
        sent: (item, outcome) => {
          const { command } = item;
          if (command.type !== "new-task") return;
          void threads.addSent(item.hostId, command.threadId, command.text, outcome.queued, item.madeAt).catch(() => undefined);
        },
      });
      await outbox.load();
      this.#outbox = outbox;
    } catch {
      this.startupError =
        "This browser won't let Tether store its keys, so it can't pair or stay paired. " +
        "Private browsing can cause this: open the page in a normal tab.";
      this.phase = "failed";
      return;
    }
    this.#stopRouter = this.router.start((text) => this.pairing.openLink(text));
    this.clock.start();
    this.link.connect(this.device.token);
    this.phase = "ready";
    if (pairText !== null) this.pairing.openLink(pairText);
  }

  /** Idempotent. */
  stop(): void {
    this.pairing.flow?.cancel();
    this.#stopRouter?.();
    this.#stopRouter = null;
    this.clock.stop();
    this.link.close();
    this.#db?.close();
    this.#db = null;
  }

  async renameDevice(name: string): Promise<void> {
    const device: DeviceRecord = { ...this.#requireDevice(), name };
    await saveDevice(this.#requireDb(), device);
    this.device = device;
  }

  // --- threads ------------------------------------------------------------------------

  /**
   * Starts a task and shows its thread; without the relay, the task waits in the outbox and its
   * thread is listed as not sent yet. Throws a TetherError with words for the person when it was
   * refused.
   */
  async startTask(hostId: string, form: TaskForm): Promise<void> {
    const threadId = randomId(12);
    const commands = taskCommands(threadId, form);
    const delivery = await this.#deliver(hostId, threadId, commands);
    await this.threads.addSent(hostId, threadId, form.text, delivery.queued, Date.now());
    this.router.go(threadRoute(hostId, threadId));
  }

  /** Withdraws a command that has not gone; a task takes what was to follow it along. */
  async cancelUnsent(id: string): Promise<void> {
    const item = await this.#requireOutbox().cancel(id);
    if (item?.command.type !== "new-task" || this.threads.get(item.hostId, item.threadId)?.summary) return;
    await this.threads.forgetThread(item.hostId, item.threadId);
  }

  /** Back to the workspace's own files, after a thread's. */
  clearChangedFilter(): void {
    this.changedFilter = null;
  }

  /** Opens the Files tab filtered to what a thread changed (read from its worktree, when it has one). */
  showChangedFiles(hostId: string, threadId: string, title: string, paths: string[]): void {
    this.changedFilter = { hostId, threadId, title, paths };
    this.router.go(dirRoute(hostId, ""));
  }

  /**
   * Sends a command to a host, or keeps it in the outbox while the relay cannot be reached
   * (`unsent`); the host's refusal comes back as a TetherError in plain words.
   */
  async command(hostId: string, command: Command): Promise<Delivery> {
    // Git commands go straight to an online host instead (`git/gitLink.ts`); a thread's name it.
    if (!("threadId" in command) || command.threadId === undefined)
      throw new TetherError(ErrorCode.BadRequest, "This command is not about a task.");
    return this.#deliver(hostId, command.threadId, [command]);
  }

  async #deliver(hostId: string, threadId: string, commands: readonly Command[]): Promise<Delivery> {
    const ids = commands.map(() => randomId());
    const result = await this.#requireOutbox().submit(hostId, threadId, ids, commands);
    if (result.kind === "refused") throw this.#inHostWords(hostId, result.error);
    const id = ids[ids.length - 1]!;
    if (result.kind === "unsent") return { id, queued: false, unsent: true };
    return { ...result.outcome, unsent: false };
  }

  #inHostWords(hostId: string, error: unknown): TetherError {
    const code = error instanceof NotConnectedError ? ErrorCode.HostOffline : asFailure(error).code;
    const host = this.hosts.get(hostId);
    return new TetherError(code, describeCallFailure(error, host ? displayName(host) : "This computer"));
  }

  #onHello(hello: Hello): void {
    this.hostSync.onHello(hello);
    if (!this.link.socket) return;
    // The relay is back: what was made while it was away goes now, in order.
    const outbox = this.#outbox;
    for (const hostId of waitingHosts(this.unsent))
      if (outbox && this.hosts.get(hostId)) void outbox.flush(hostId).catch(() => undefined);
  }

  #requireOutbox(): Outbox {
    if (!this.#outbox) throw new Error("the outbox is not loaded");
    return this.#outbox;
  }

  #requireDb(): Database {
    if (!this.#db) throw new Error("storage is not open");
    return this.#db;
  }

  #requireDevice(): DeviceRecord {
    if (!this.device) throw new Error("the device identity is not loaded");
    return this.device;
  }
}

function browserHints(): BrowserHints {
  const nav = navigator as Navigator & { userAgentData?: { brands?: { brand: string }[] } };
  return {
    userAgent: nav.userAgent,
    brands: nav.userAgentData?.brands?.map((b) => b.brand) ?? [],
    maxTouchPoints: nav.maxTouchPoints,
  };
}
