// A Tether host: one workspace, one relay link, and the services phones talk to. The
// headless host and the VS Code extension both run this; neither the core nor its services
// import `vscode`.

import { EventEmitter } from "node:events";
import { basename } from "node:path";
import {
  HOOKS_RECORD_KEY,
  MIRROR_LIVE_ID,
  TETHER_VERSION,
  seal,
  sealContext,
  type HostProfile,
  type MirrorDelta,
  type ModelStatus,
} from "#protocol";
import { THREAD_KEYS_RECORD, threadKeysContext, type ThreadKeysRecord } from "#protocol/threadKeys";
import type { HostIdentity, PairedPhone } from "./identity";
import { DisposableStore } from "./disposable";
import { PhoneDirectory, type PhoneView } from "./devices/phoneDirectory";
import { RelayLink, type LinkState } from "./link/relayLink";
import type { Log } from "./log";
import type { Mirror } from "./mirror/mirror";
import { MirrorFeed } from "./mirror/mirrorFeed";
import { PairingService, type ConfirmPairing, type PairingOffer, type PairingPrompt } from "./pairing/pairingService";
import { RpcServer } from "./rpc/rpcServer";
import { CommandServer } from "./commands/commandServer";
import { Notifier } from "./notify/notifier";
import { ThreadPublisher } from "./threads/publisher";
import { ThreadShares } from "./shares/threadShares";
import type { ThreadManager } from "./threads/threadManager";
import type { ThreadStore } from "./threads/threadStore";
import type { GitService } from "./git/gitService";
import type { Hooks } from "./hooks/hooks";
import { hooksRecord } from "./hooks/hooksRecord";

export interface HostOptions {
  /** Relay origin, e.g. http://127.0.0.1:8787. */
  relay: string;
  /** What phones call this host. */
  name: string;
  identity: HostIdentity;
  mirror: Mirror;
  confirmPairing: ConfirmPairing;
  /** The agent's threads, when this host runs tasks (it can also just share the workspace). */
  threads?: { manager: ThreadManager; store: ThreadStore; git?: Pick<GitService, "call">; hooks?: Hooks | undefined };
  log: Log;
  platform?: string;
  /** Models a phone may choose from for a new task, the default first. */
  models?: readonly string[];
  /** Push notifications to the phones (approvals, questions, finished runs); on unless false. */
  notify?: boolean;
  /** The clock commands are judged fresh by (tests move it); `Date.now` unless given. */
  now?: () => number;
}

export interface HostEvents {
  state: [state: LinkState, detail: string | undefined];
  paired: [phone: PairedPhone];
  declined: [prompt: PairingPrompt];
  "pairing-failed": [message: string];
  /** A phone is no longer paired: revoked on this host, or unpaired on the phone. */
  unpaired: [phone: PairedPhone, by: "host" | "phone"];
  /** The paired phones, their presence or last seen changed. */
  phones: [];
  fatal: [error: Error];
}

export class Host extends EventEmitter<HostEvents> {
  readonly link: RelayLink;
  private pairing: PairingService | undefined;
  private directory: PhoneDirectory | undefined;
  private publicUrl: string | undefined;
  private feed: MirrorFeed | undefined;
  /** Read-only shares of threads, once started, on a host that runs tasks. */
  shares: ThreadShares | undefined;
  /** What close() undoes: the parts started, newest first, then the link and the listeners here. */
  private readonly disposables = new DisposableStore();
  /** What the model check found; phones show it on the new-task form. Unknown until checked. */
  private modelStatus: ModelStatus | undefined;
  /** Counts mirror deltas; part of each box's context. */
  private mirrorN = 0;
  /** Sealing is asynchronous; the chain keeps deltas in the order they were made. */
  private mirrorChain: Promise<void> = Promise.resolve();

  /** Folders some phone watches now (0 before the host started, and after it closed). */
  get watchedFolders(): number {
    return this.feed?.watchedFolders ?? 0;
  }

  constructor(private readonly options: HostOptions) {
    super();
    this.disposables.defer(() => this.removeAllListeners());
    this.link = new RelayLink(options.relay, options.identity, options.log);
    this.disposables.add(this.link);
    this.link.on("state", (state, detail) => this.emit("state", state, detail));
    this.link.on("fatal", (err) => this.emit("fatal", err));
    this.link.on("hello", (hello) => {
      this.publicUrl = hello.publicUrl;
      void this.publishThreadKeys();
      void this.publishProfile();
      void this.publishHooks();
    });
    // The project's hooks file appeared, changed or was trusted: phones show (or drop) their card.
    const hooks = options.threads?.hooks;
    if (hooks) {
      this.disposables.defer(hooks.onProjectChange(() => this.republishHooks()));
      this.disposables.defer(hooks.watchProject());
    }
    // A session taught the host an agent's modes and models, or that it needs a login: phones hear it.
    const agents = options.threads?.manager.agents;
    if (agents) this.disposables.defer(agents.onChange(() => this.republishProfile()));
    // Whether tasks may have worktrees is known once git was asked: phones hear it then.
    void options.threads?.manager.whenWorktreesChecked().then(() => this.republishProfile());
  }

  get profile(): HostProfile {
    return {
      name: this.options.name,
      workspace: basename(this.options.mirror.root),
      platform: this.options.platform ?? process.platform,
      version: TETHER_VERSION,
      ...(this.options.models && this.options.models.length > 1 ? { models: [...this.options.models] } : {}),
      // The most a task may ask for, so a phone offers no mode the host would refuse.
      ...(this.options.threads ? { maxMode: this.options.threads.manager.maxMode } : {}),
      ...(this.modelStatus ? { model: this.modelStatus } : {}),
      ...this.agentsProfile(),
      ...(this.options.threads?.manager.worktreesProfile ? { worktrees: this.options.threads.manager.worktreesProfile } : {}),
    };
  }

  /** The agents a task may choose, when the host runs outside agents too. */
  private agentsProfile(): Pick<HostProfile, "agents" | "defaultAgent"> {
    const agents = this.options.threads?.manager.agents;
    if (!agents) return {};
    return { agents: agents.list(), defaultAgent: agents.defaultAgent };
  }

  /** The model check's result, published to the phones now if the link is open (else on connect). */
  setModelStatus(status: ModelStatus): void {
    this.modelStatus = status;
    this.republishProfile();
  }

  private republishProfile(): void {
    if (this.link.state === "open" && !this.disposables.isDisposed) void this.publishProfile().catch(() => undefined);
  }

  get phones(): PairedPhone[] {
    return this.options.identity.phones(this.options.relay);
  }

  /** The paired phones with presence and last seen, most recently paired first. */
  phoneList(): PhoneView[] {
    return this.directory?.list() ?? this.phones.map((p) => ({ ...p, online: false, lastSeen: 0 }));
  }

  /**
   * Revokes a phone: disconnected and refused by the relay at once, forgotten here, and the
   * content key rotated for the phones that remain. Throws a TetherError a person can read.
   */
  async revokePhone(phoneId: string): Promise<void> {
    if (!this.directory) throw new Error("the host is not started");
    await this.directory.revoke(phoneId);
  }

  /** Registers if needed and connects; resolves once the services are listening. */
  async start(): Promise<void> {
    await this.link.start();
    if (this.disposables.isDisposed) return;
    const { identity, mirror, log, confirmPairing } = this.options;
    this.pairing = this.disposables.add(
      new PairingService(
        this.link,
        identity,
        confirmPairing,
        () => this.profile,
        log,
        () => this.publicUrl ?? this.options.relay,
      ),
    );
    this.pairing.on("paired", (phone) => {
      this.emit("paired", phone);
      this.emit("phones");
    });
    this.pairing.on("declined", (prompt) => this.emit("declined", prompt));
    this.pairing.on("failed", (message) => this.emit("pairing-failed", message));
    this.directory = new PhoneDirectory(this.link, identity, log);
    this.directory.on("unpaired", (phone, by) => this.emit("unpaired", phone, by));
    this.directory.on("changed", () => this.emit("phones"));
    const feed = (this.feed = new MirrorFeed({ mirror, publish: (delta) => this.publishMirror(delta) }));
    // git's first status of a big repository takes about a second: begun now, it has usually ended
    // by the time a phone opens the workspace, whose first listing then has the marks and does not
    // share the machine with it.
    void mirror.gitSettled();
    this.disposables.defer(() => feed.close());
    const manager = this.options.threads?.manager;
    if (manager) {
      const shares = (this.shares = new ThreadShares({
        link: this.link,
        identity,
        log,
        hostName: () => this.options.name,
        publicUrl: () => this.publicUrl ?? this.options.relay,
        hasThread: (threadId) => manager.get(threadId) !== undefined,
      }));
      this.directory.keys.beforeCommit = () => shares.republish();
      // Started after the first hello: its keys go out now.
      if (this.link.state === "open") void shares.republish().catch(() => undefined);
    }
    this.disposables.add(
      new RpcServer(this.link, identity, mirror, log, feed, manager?.agents, manager, this.options.threads?.git, this.shares),
    );
    const threads = this.options.threads;
    if (threads) {
      const publisher = new ThreadPublisher(this.link, identity, threads.store, threads.manager, log);
      this.disposables.defer(() => publisher.close());
      this.disposables.add(new CommandServer(this.link, identity, threads.manager, threads.store, log, this.options.now));
      if (this.options.notify !== false) {
        const notifier = new Notifier({
          link: this.link,
          identity,
          threads: threads.manager,
          workspace: this.profile.workspace,
          log,
        });
        this.disposables.defer(() => notifier.close());
      }
    }
  }

  /** Resolves when the link is open (now, or after the next connect). */
  whenOpen(): Promise<void> {
    if (this.link.state === "open") return Promise.resolve();
    return new Promise((resolve) => {
      const onState = (state: LinkState): void => {
        if (state !== "open") return;
        this.off("state", onState);
        resolve();
      };
      this.on("state", onState);
    });
  }

  /** Opens a pairing slot; the link is waited for if it is still connecting. */
  async openPairing(): Promise<PairingOffer> {
    await this.whenOpen();
    if (!this.pairing) throw new Error("the host is not started");
    return this.pairing.open();
  }

  /**
   * Says from which epoch threads are sealed with their own keys, so phones open each box with
   * its key at the first try. Sealed with the content key: only paired phones read it.
   */
  private async publishThreadKeys(): Promise<void> {
    const { identity, log } = this.options;
    const record: ThreadKeysRecord = { from: identity.threadKeysFrom };
    const box = await seal(identity.contentKey()!, identity.epoch, record, threadKeysContext(this.link.deviceId));
    const answer = await this.link.request("record:put", { key: THREAD_KEYS_RECORD, box });
    if (!answer.ok) log.warn("could not publish from which epoch threads have their own keys", { code: answer.code });
  }

  private async publishProfile(): Promise<void> {
    const { identity, log } = this.options;
    const hostId = this.link.deviceId;
    const box = await seal(identity.contentKey()!, identity.epoch, this.profile, sealContext.record(hostId, "profile"));
    const answer = await this.link.request("record:put", { key: "profile", box });
    if (!answer.ok) log.warn("could not publish the host profile", { code: answer.code });
  }

  private republishHooks(): void {
    if (this.link.state === "open" && !this.disposables.isDisposed) void this.publishHooks().catch(() => undefined);
  }

  /** The project hooks' state, for the phones' trust card; nothing when the host runs no hooks. */
  private async publishHooks(): Promise<void> {
    const hooks = this.options.threads?.hooks;
    if (!hooks) return;
    const { identity, log } = this.options;
    const hostId = this.link.deviceId;
    const record = hooksRecord(hooks.project());
    const box = await seal(identity.contentKey()!, identity.epoch, record, sealContext.record(hostId, HOOKS_RECORD_KEY));
    const answer = await this.link.request("record:put", { key: HOOKS_RECORD_KEY, box });
    if (!answer.ok) log.warn("could not publish the project hooks' state", { code: answer.code });
  }

  /** A mirror delta to the phones, as an ephemeral sealed live event: the relay sees its size only. */
  private publishMirror(delta: MirrorDelta): void {
    const { identity, log } = this.options;
    const hostId = this.link.deviceId;
    if (this.link.state !== "open" || !hostId || this.disposables.isDisposed) return; // for phones watching now
    const n = ++this.mirrorN;
    this.mirrorChain = this.mirrorChain
      .then(() => seal(identity.contentKey()!, identity.epoch, delta, sealContext.mirror(hostId, n)))
      .then((box) => this.link.request("live:publish", { threadId: MIRROR_LIVE_ID, n, box }))
      .then((answer) => {
        if (!answer.ok) log.warn("could not send a workspace change", { code: answer.code });
      })
      .catch(() => undefined);
  }

  /** Idempotent: stops the services, closes the link and drops every listener. */
  close(): void {
    this.disposables.dispose();
  }
}
