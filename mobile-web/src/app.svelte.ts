// The app's state and the flows that span its parts: start-up, the relay connection,
// pairing, syncing host profiles, and the file calls. Screens read from here and call in.

import { ErrorCode, MIRROR_LIVE_ID, TetherError, parsePairFragment, randomId } from "../../protocol/index";
import type { Command, Hello, MirrorDelta, PairLink, RpcCall } from "../../protocol/index";
import type { CommandOutcome } from "./link/commands";
import { sendOutboxItem } from "./link/outboxSend";
import type { TaskForm } from "./threads/threadService";
import { defaultDeviceName } from "./device/deviceName";
import type { BrowserHints } from "./device/deviceName";
import type { WorkspaceSource } from "./files/fileBrowser.svelte";
import { Hosts, displayName } from "./hosts/hosts.svelte";
import { applyRekey, isRekeyRecord, keyFor } from "./hosts/keys";
import { commandKeyOf } from "./hosts/commandKey";
import { openMirrorDelta } from "./files/mirrorDelta";
import type { InboundLive } from "./link/inbound";
import { openProfileRecord } from "./hosts/profile";
import type { InboundRecord } from "./link/inbound";
import { leaveAnswerSchema } from "./link/inbound";
import { unpairedMessage, type LinkProblem } from "./link/connectError";
import { describeHostFailure } from "./link/messages";
import { RelayLink } from "./link/relayLink.svelte";
import { asFailure, request } from "./link/request";
import type { TetherSocket } from "./link/request";
import { callHost } from "./link/rpc";
import { PairingFlow } from "./pairing/pairingFlow.svelte";
import type { PairingOutcome } from "./pairing/pairing";
import { PushSettings } from "./push/pushSettings.svelte";
import { pushRelayOverSocket } from "./push/relay";
import { Router } from "./routing/router.svelte";
import { dirRoute, threadsRoute } from "./routing/routes";
import { Database } from "./store/db";
import {
  deleteAllHosts,
  deleteHost,
  loadHosts,
  loadOrCreateDevice,
  saveDevice,
  saveHost,
  withCommandKeys,
} from "./store/records";
import type { DeviceRecord, HostRecord } from "./store/records";
import { Clock } from "./time/clock.svelte";
import { ThreadService } from "./threads/threadService";
import { Outbox, waitingHosts, type OutboxItem } from "./threads/outbox";
import { outboxStorage } from "./store/outbox";
import { taskCommands } from "./threads/taskCommands";
import { Threads } from "./threads/threads.svelte";
import { threadRoute } from "./routing/routes";

const CALL_CONNECT_WAIT_MS = 10_000;

export const NOT_CONNECTED_MESSAGE = "Not connected to the relay. This retries when the connection is back.";
export const BAD_PAIR_LINK_MESSAGE = "This pairing link is incomplete or damaged. Scan the QR code on your computer again.";

export type Presence =
  | { kind: "known"; online: boolean; lastSeen: number }
  /** The relay said hello without this host: the pairing is gone on the relay's side. */
  | { kind: "unlisted" }
  /** No relay connection, or not yet its hello. */
  | { kind: "unknown" };

/** Thrown by calls made while the relay connection is down. */
class NotConnectedError extends Error {}

/** What became of a command: `unsent` when it waits in the outbox for the relay. */
export type Delivery = CommandOutcome & { unsent: boolean };

export class TetherApp {
  phase = $state<"starting" | "ready" | "failed">("starting");
  /** Why the app could not start, for the person. */
  startupError = $state<string | null>(null);
  /** A message for the home screen, such as a pairing link that could not be read. */
  notice = $state<string | null>(null);
  /** This phone's identity; replaced whole, since it holds CryptoKeys. */
  device = $state.raw<DeviceRecord | null>(null);
  /** The pairing under way, shown over whatever route is current. */
  pairing = $state.raw<PairingFlow | null>(null);
  /** The Files tab shows only what this thread changed, while set. */
  changedFilter = $state.raw<{ hostId: string; threadId: string; title: string; paths: string[] } | null>(null);
  /** Commands the relay has not taken yet, oldest first (`threads/outbox.ts`). */
  unsent = $state.raw<readonly OutboxItem[]>([]);

  readonly hosts = new Hosts();
  readonly router = new Router();
  readonly clock = new Clock();
  readonly link: RelayLink;
  /** Notifications for this phone: permission, subscription, muted hosts. */
  readonly push: PushSettings;

  #db: Database | null = null;
  #threads: Threads | null = null;
  #service: ThreadService | null = null;
  #outbox: Outbox | null = null;
  #stopRouter: (() => void) | null = null;
  /**
   * New content keys being applied. What the relay sends after a key record waits for it, so
   * the first event sealed under a rotated key finds the key here.
   */
  #rekeys: Promise<void> = Promise.resolve();
  /** File browsers showing a host's workspace, told of each change the host sends. */
  #mirrorListeners: { hostId: string; listener: (delta: MirrorDelta) => void }[] = [];

  constructor() {
    const afterRekeys = (fn: () => Promise<unknown> | undefined): void => {
      void this.#rekeys.then(fn).catch(() => undefined);
    };
    this.link = new RelayLink({
      hello: (hello) => this.#onHello(hello),
      presence: (presence) => this.hosts.applyPresence(presence),
      record: (record) => {
        if (isRekeyRecord(record)) this.#rekeys = this.#rekeys.then(() => this.#applyRecord(record)).catch(() => undefined);
        else afterRekeys(() => this.#applyRecord(record));
      },
      event: (event) => afterRekeys(() => this.#service?.onEvent(event)),
      live: (live) =>
        afterRekeys(() => (live.threadId === MIRROR_LIVE_ID ? this.#onMirrorDelta(live) : this.#service?.onLive(live))),
      pairResult: (result) => this.pairing?.receive(result),
      unpaired: ({ hostId, by }) => {
        if (by === "host") void this.#markUnpaired(hostId).catch(() => undefined);
      },
      threadDeleted: ({ hostId, threadId }) => void this.#threads?.forgetThread(hostId, threadId).catch(() => undefined),
    });
    this.push = new PushSettings({
      db: () => this.#db,
      relay: pushRelayOverSocket(() => this.#connection().then(({ socket }) => socket)),
    });
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
      await this.push.load();
      this.#service = new ThreadService({
        threads,
        host: (hostId) => this.hosts.get(hostId),
        connection: () => this.#connection(),
        now: () => Date.now(),
      });
      const outbox = new Outbox({
        storage: outboxStorage(db),
        send: (item) =>
          sendOutboxItem(item, {
            host: (hostId) => this.hosts.get(hostId),
            offline: () => this.link.status === "offline",
            ready: () => this.link.ready,
            connection: () => this.#connection(),
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
    this.#stopRouter = this.router.start((text) => this.openPairLink(text));
    this.clock.start();
    this.link.connect(this.device.token);
    this.phase = "ready";
    if (pairText !== null) this.openPairLink(pairText);
  }

  /** Idempotent. */
  stop(): void {
    this.pairing?.cancel();
    this.#stopRouter?.();
    this.#stopRouter = null;
    this.clock.stop();
    this.link.close();
    this.#db?.close();
    this.#db = null;
  }

  presenceOf(hostId: string): Presence {
    // Until this socket's hello, presence is whatever an older connection said.
    if (this.link.state !== "open" || this.link.deviceId === null) return { kind: "unknown" };
    const presence = this.hosts.presence[hostId];
    return presence ? { kind: "known", online: presence.online, lastSeen: presence.lastSeen } : { kind: "unlisted" };
  }

  // --- pairing ------------------------------------------------------------------------

  /** Starts pairing from a link's text; answers false when the text is not a pairing link. */
  openPairLink(text: string): boolean {
    const link = parsePairFragment(text);
    if (!link) {
      this.notice = BAD_PAIR_LINK_MESSAGE;
      return false;
    }
    this.notice = null;
    this.startPairing(link);
    return true;
  }

  startPairing(pairLink: PairLink): void {
    this.pairing?.cancel();
    const flow = new PairingFlow(pairLink, {
      link: this.link,
      identity: () => {
        const device = this.#requireDevice();
        return { privateKey: device.privateKey, publicKeyB64: device.publicKeyB64, name: device.name };
      },
      finish: (outcome) => this.#finishPairing(outcome),
    });
    this.pairing = flow;
    void flow.run();
  }

  cancelPairing(): void {
    const flow = this.pairing;
    if (!flow) return;
    const joined = flow.step.name === "waiting";
    flow.cancel();
    this.pairing = null;
    // There is no way to withdraw a join; a fresh connection at least leaves the relay no
    // socket to deliver a late acceptance to.
    if (joined) this.link.connect(this.device?.token);
  }

  /** Closes a pairing that ended (failed) and goes back to where the person was. */
  dismissPairing(): void {
    this.pairing?.cancel();
    this.pairing = null;
  }

  async #finishPairing(outcome: PairingOutcome): Promise<void> {
    const db = this.#requireDb();
    const current = this.#requireDevice();
    const device: DeviceRecord = { ...current, deviceId: outcome.deviceId, token: outcome.token ?? current.token };
    await saveDevice(db, device);
    await saveHost(db, outcome.host);
    this.device = device;
    this.hosts.upsert(outcome.host);
    this.pairing = null;
    // Ask the browser not to evict the keys under storage pressure; it may say no.
    void navigator.storage?.persist?.().catch(() => false);
    this.link.connect(device.token);
    this.router.go(threadsRoute(outcome.host.hostId));
  }

  /**
   * After the relay refused this phone's token: drops the token and every host paired
   * through it, keeps the key pair and name, and reconnects anonymously to pair again.
   */
  async forgetPairingData(): Promise<void> {
    const db = this.#requireDb();
    const { deviceId: _id, token: _token, ...rest } = this.#requireDevice();
    const device: DeviceRecord = rest;
    await saveDevice(db, device);
    await deleteAllHosts(db);
    this.device = device;
    this.hosts.replaceAll([]);
    this.hosts.forgetPresence();
    this.link.connect(undefined);
    if (this.pairing?.step.name === "unauthorized") void this.pairing.run();
    else this.router.replace({ name: "home" });
  }

  // --- hosts and device ---------------------------------------------------------------

  /**
   * Forgets a host on this phone, and unpairs from it on the relay when connected (the
   * computer then forgets this phone and rotates its key). Offline, only this phone forgets;
   * the computer can revoke the phone from its list.
   */
  async forgetHost(hostId: string): Promise<void> {
    const socket = this.link.socket;
    let revoked = false;
    if (socket && this.link.ready && !this.hosts.get(hostId)?.unpairedAt) {
      const answer = await request(
        () => socket.timeout(CALL_CONNECT_WAIT_MS).emitWithAck("pair:leave", { hostId }),
        leaveAnswerSchema,
      ).catch(() => null);
      revoked = answer?.ok === true && answer.revoked;
    }
    await deleteHost(this.#requireDb(), hostId);
    await this.#threads?.forgetHost(hostId);
    this.hosts.remove(hostId);
    // That was this phone's last computer on the relay, which now refuses its token: the
    // token is worth nothing, so it goes too, and the phone is ready to pair afresh.
    const refused = this.link.problem?.kind === "unauthorized" && this.hosts.sorted.length === 0;
    if (revoked || refused) await this.forgetPairingData();
  }

  /** What to tell the person about a connection problem, naming the computers that unpaired this phone. */
  describeProblem(problem: LinkProblem): LinkProblem {
    if (problem.kind !== "unauthorized" || !problem.revoked) return problem;
    return { ...problem, message: unpairedMessage(this.hosts.sorted.map(displayName)) };
  }

  /** The computer revoked this phone: say so on its screens rather than fail its calls. */
  async #markUnpaired(hostId: string): Promise<void> {
    const host = this.hosts.get(hostId);
    if (!host || host.unpairedAt !== undefined) return;
    const updated: HostRecord = { ...host, unpairedAt: Date.now() };
    this.hosts.upsert(updated);
    await saveHost(this.#requireDb(), updated);
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

  /** Opens the Files tab filtered to what a thread changed. */
  showChangedFiles(hostId: string, threadId: string, title: string, paths: string[]): void {
    this.changedFilter = { hostId, threadId, title, paths };
    this.router.go(dirRoute(hostId, ""));
  }

  /**
   * Sends a command to a host, or keeps it in the outbox while the relay cannot be reached
   * (`unsent`); the host's refusal comes back as a TetherError in plain words.
   */
  async command(hostId: string, command: Command): Promise<Delivery> {
    return this.#deliver(hostId, command.threadId, [command]);
  }

  async #deliver(hostId: string, threadId: string, commands: readonly Command[]): Promise<Delivery> {
    const ids = commands.map(() => randomId());
    const result = await this.#requireOutbox().submit(hostId, threadId, ids, commands);
    if (result.kind === "refused") return this.#withHostWords(hostId, () => Promise.reject(result.error));
    const id = ids[ids.length - 1]!;
    if (result.kind === "unsent") return { id, queued: false, unsent: true };
    return { ...result.outcome, unsent: false };
  }

  #requireOutbox(): Outbox {
    if (!this.#outbox) throw new Error("the outbox is not loaded");
    return this.#outbox;
  }

  async #withHostWords<T>(hostId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof NotConnectedError) throw new TetherError(ErrorCode.HostOffline, NOT_CONNECTED_MESSAGE);
      const host = this.hosts.get(hostId);
      const failure = asFailure(error);
      throw new TetherError(failure.code, describeHostFailure(failure, host ? displayName(host) : "This computer"));
    }
  }

  async #connection(): Promise<{ socket: TetherSocket; deviceId: string }> {
    if (!this.link.authenticated) throw new NotConnectedError();
    let socket: TetherSocket;
    try {
      socket = await this.link.whenReady(AbortSignal.timeout(CALL_CONNECT_WAIT_MS));
    } catch {
      throw new NotConnectedError();
    }
    const deviceId = this.link.deviceId;
    if (!deviceId) throw new NotConnectedError();
    return { socket, deviceId };
  }

  async renameDevice(name: string): Promise<void> {
    const device: DeviceRecord = { ...this.#requireDevice(), name };
    await saveDevice(this.#requireDb(), device);
    this.device = device;
  }

  // --- the relay's news ---------------------------------------------------------------

  #onHello({ deviceId, hosts: presence, push }: Hello): void {
    this.hosts.resetPresence(presence);
    this.push.setOffer(push);
    const device = this.device;
    if (device && device.deviceId !== deviceId) {
      const updated: DeviceRecord = { ...device, deviceId };
      this.device = updated;
      void saveDevice(this.#requireDb(), updated).catch(() => undefined);
    }
    const socket = this.link.socket;
    if (!socket) return;
    for (const { hostId } of presence) {
      if (this.hosts.get(hostId)) void this.#syncHost(socket, hostId);
    }
    // The relay is back: what was made while it was away goes now, in order.
    const outbox = this.#outbox;
    for (const hostId of waitingHosts(this.unsent))
      if (outbox && this.hosts.get(hostId)) void outbox.flush(hostId).catch(() => undefined);
  }

  /** Catches up on the host's records and on thread events after this phone's cursors. */
  async #syncHost(_socket: TetherSocket, hostId: string): Promise<void> {
    try {
      await this.threadService.catchUp(hostId, async (records) => {
        for (const record of records) if (!record.key.startsWith("t-")) await this.#applyRecord(record);
      });
    } catch {
      // The next connection syncs again; what this phone saved serves meanwhile.
    }
  }

  async #applyRecord(record: InboundRecord): Promise<void> {
    if (isRekeyRecord(record)) return this.#applyRekey(record);
    if (await this.#service?.onRecord(record)) return;
    const host = this.hosts.get(record.hostId);
    if (!host || (host.profileAt !== undefined && record.at < host.profileAt)) return;
    const profile = await openProfileRecord(host, record);
    // The host may have been forgotten or updated while the record was being opened.
    const latest = this.hosts.get(record.hostId);
    if (!profile || !latest) return;
    const updated: HostRecord = { ...latest, profile, profileAt: record.at };
    this.hosts.upsert(updated);
    await saveHost(this.#requireDb(), updated).catch(() => undefined);
  }

  /** The host rotated its content key (it revoked another phone): keep the new one. */
  async #applyRekey(record: InboundRecord): Promise<void> {
    const host = this.hosts.get(record.hostId);
    const device = this.device;
    const deviceId = this.link.deviceId ?? device?.deviceId;
    if (!host || !device || !deviceId) return;
    const rekeyed = await applyRekey(host, record, { deviceId, privateKey: device.privateKey });
    const latest = this.hosts.get(record.hostId);
    if (!rekeyed || !latest) return;
    const updated: HostRecord = { ...latest, epoch: rekeyed.epoch, contentKey: rekeyed.contentKey, olderKeys: rekeyed.olderKeys };
    this.hosts.upsert(updated);
    await saveHost(this.#requireDb(), updated);
    // Threads that stopped at an event this key opens go on now.
    const socket = this.link.socket;
    if (socket) void this.#syncHost(socket, record.hostId);
  }

  // --- files ----------------------------------------------------------------------------

  workspace(hostId: string): WorkspaceSource {
    return {
      listDir: (path) => this.#call(hostId, { type: "list-dir", path }),
      search: (query) => this.#call(hostId, { type: "search", query }),
      watch: async (dirs, files) => (await this.#call(hostId, { type: "watch", dirs, files })).leaseMs,
      onChange: (listener) => {
        const entry = { hostId, listener };
        this.#mirrorListeners = [...this.#mirrorListeners, entry];
        return () => (this.#mirrorListeners = this.#mirrorListeners.filter((e) => e !== entry));
      },
      readFile: (path, offset) =>
        this.#call(hostId, offset === undefined ? { type: "read-file", path } : { type: "read-file", path, offset }),
      describe: (error) => {
        if (error instanceof NotConnectedError) return NOT_CONNECTED_MESSAGE;
        const host = this.hosts.get(hostId);
        return describeHostFailure(asFailure(error), host ? displayName(host) : "This computer");
      },
    };
  }

  /** A workspace change from a host; one that does not open (an unknown key) is dropped. */
  async #onMirrorDelta(live: InboundLive): Promise<void> {
    const listeners = this.#mirrorListeners.filter((e) => e.hostId === live.hostId);
    const host = this.hosts.get(live.hostId);
    if (!host || listeners.length === 0) return;
    const delta = await openMirrorDelta(keyFor(host, live.box.e), live);
    for (const { listener } of listeners) listener(delta);
  }

  async #call<C extends RpcCall>(hostId: string, call: C) {
    if (!this.link.authenticated) throw new NotConnectedError();
    let socket: TetherSocket;
    try {
      // Right after start-up or pairing the link is still connecting: wait a little for it
      // rather than flash an error.
      socket = await this.link.whenReady(AbortSignal.timeout(CALL_CONNECT_WAIT_MS));
    } catch {
      throw new NotConnectedError();
    }
    const host = this.hosts.get(hostId);
    const deviceId = this.link.deviceId;
    if (!host) throw new TetherError(ErrorCode.NotFound, "This computer is not paired with this phone.");
    if (!deviceId) throw new NotConnectedError();
    return callHost(socket, { hostId, deviceId, commandKey: commandKeyOf(host) }, call);
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
