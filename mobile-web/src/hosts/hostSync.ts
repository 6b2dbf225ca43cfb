// Keeps this phone's hosts in step with the relay: the relay's hello (presence, this phone's id,
// a catch-up per host), the hosts' records (profiles and rotated content keys, applied in order
// so what was sealed under a new key waits for it), presence, and unpairing from either side.
// Threads have their own service; this is what concerns the host itself.

import type { Hello, HostPresence } from "#protocol";
import { HOOKS_RECORD_KEY } from "#protocol/sealed";
import { leaveAnswerSchema, type InboundRecord } from "../link/inbound";
import { unpairedMessage, type LinkProblem } from "../link/connectError";
import { CALL_CONNECT_WAIT_MS } from "../link/connection";
import type { RelayLink } from "../link/relayLink.svelte";
import { request } from "../link/request";
import type { PushSettings } from "../push/pushSettings.svelte";
import type { Database } from "../store/db";
import { deleteHost, saveDevice, saveHost, type DeviceRecord, type HostRecord } from "../store/records";
import type { ThreadService } from "../threads/threadService";
import type { Threads } from "../threads/threads.svelte";
import { displayName, type Hosts } from "./hosts.svelte";
import { applyRekey, isRekeyRecord } from "./keys";
import { openProfileRecord } from "./profile";

export type Presence =
  | { kind: "known"; online: boolean; lastSeen: number }
  /** The relay said hello without this host: the pairing is gone on the relay's side. */
  | { kind: "unlisted" }
  /** No relay connection, or not yet its hello. */
  | { kind: "unknown" };

export interface HostSyncDeps {
  link: RelayLink;
  hosts: Hosts;
  push: Pick<PushSettings, "setOffer">;
  /** The open database; throws before start-up opened it. */
  db(): Database;
  /** This phone's identity; null before start-up loaded it. */
  device(): DeviceRecord | null;
  /** Shows a device record that is already saved. */
  setDevice(device: DeviceRecord): void;
  /** The thread cache and service; null until start-up loaded them. */
  threads(): Threads | null;
  service(): ThreadService | null;
  /** Drops the token and every host (`PairingSession.forgetPairingData`). */
  forgetPairingData(): Promise<void>;
}

export class HostSync {
  /**
   * New content keys being applied. What the relay sends after a key record waits for it, so
   * the first event sealed under a rotated key finds the key here.
   */
  #rekeys: Promise<void> = Promise.resolve();

  constructor(private readonly deps: HostSyncDeps) {}

  /** Runs `fn` once the key records received so far are applied. */
  afterRekeys(fn: () => Promise<unknown> | undefined): void {
    void this.#rekeys.then(fn).catch(() => undefined);
  }

  presenceOf(hostId: string): Presence {
    const { link, hosts } = this.deps;
    // Until this socket's hello, presence is whatever an older connection said.
    if (link.state !== "open" || link.deviceId === null) return { kind: "unknown" };
    const presence = hosts.presence[hostId];
    return presence ? { kind: "known", online: presence.online, lastSeen: presence.lastSeen } : { kind: "unlisted" };
  }

  onPresence(presence: HostPresence): void {
    this.deps.hosts.applyPresence(presence);
  }

  onHello({ deviceId, hosts: presence, push }: Hello): void {
    this.deps.hosts.resetPresence(presence);
    this.deps.push.setOffer(push);
    const device = this.deps.device();
    if (device && device.deviceId !== deviceId) {
      const updated: DeviceRecord = { ...device, deviceId };
      this.deps.setDevice(updated);
      void saveDevice(this.deps.db(), updated).catch(() => undefined);
    }
    if (!this.deps.link.socket) return;
    for (const { hostId } of presence) {
      if (this.deps.hosts.get(hostId)) void this.#syncHost(hostId);
    }
  }

  /** A host's record as the relay pushed it; a key record goes first of what follows it. */
  onRecord(record: InboundRecord): void {
    if (isRekeyRecord(record)) this.#rekeys = this.#rekeys.then(() => this.#applyRecord(record)).catch(() => undefined);
    else this.afterRekeys(() => this.#applyRecord(record));
  }

  /** The computer revoked this phone: say so on its screens rather than fail its calls. */
  async onUnpaired(hostId: string): Promise<void> {
    const host = this.deps.hosts.get(hostId);
    if (!host || host.unpairedAt !== undefined) return;
    const updated: HostRecord = { ...host, unpairedAt: Date.now() };
    this.deps.hosts.upsert(updated);
    await saveHost(this.deps.db(), updated);
  }

  /**
   * Forgets a host on this phone, and unpairs from it on the relay when connected (the
   * computer then forgets this phone and rotates its key). Offline, only this phone forgets;
   * the computer can revoke the phone from its list.
   */
  async forgetHost(hostId: string): Promise<void> {
    const { link, hosts } = this.deps;
    const socket = link.socket;
    let revoked = false;
    if (socket && link.ready && !hosts.get(hostId)?.unpairedAt) {
      const answer = await request(
        () => socket.timeout(CALL_CONNECT_WAIT_MS).emitWithAck("pair:leave", { hostId }),
        leaveAnswerSchema,
      ).catch(() => null);
      revoked = answer?.ok === true && answer.revoked;
    }
    await deleteHost(this.deps.db(), hostId);
    await this.deps.threads()?.forgetHost(hostId);
    hosts.remove(hostId);
    // That was this phone's last computer on the relay, which now refuses its token: the
    // token is worth nothing, so it goes too, and the phone is ready to pair afresh.
    const refused = link.problem?.kind === "unauthorized" && hosts.sorted.length === 0;
    if (revoked || refused) await this.deps.forgetPairingData();
  }

  /** What to tell the person about a connection problem, naming the computers that unpaired this phone. */
  describeProblem(problem: LinkProblem): LinkProblem {
    if (problem.kind !== "unauthorized" || !problem.revoked) return problem;
    return { ...problem, message: unpairedMessage(this.deps.hosts.sorted.map(displayName)) };
  }

  /** Catches up on the host's records and on thread events after this phone's cursors. */
  async #syncHost(hostId: string): Promise<void> {
    try {
      const service = this.deps.service();
      if (!service) throw new Error("threads are not loaded");
      await service.catchUp(hostId, async (records) => {
        for (const record of records) if (!record.key.startsWith("t-")) await this.#applyRecord(record);
      });
    } catch {
      // The next connection syncs again; what this phone saved serves meanwhile.
    }
  }

  async #applyRecord(record: InboundRecord): Promise<void> {
    if (isRekeyRecord(record)) return this.#applyRekey(record);
    if (await this.deps.service()?.onRecord(record)) return;
    // The project hooks' state: handled by code loaded when a computer first tells of its hooks.
    if (record.key === HOOKS_RECORD_KEY) return (await import("./projectHooks")).applyHooksRecord(this.deps, record);
    const { hosts } = this.deps;
    const host = hosts.get(record.hostId);
    if (!host || (host.profileAt !== undefined && record.at < host.profileAt)) return;
    const profile = await openProfileRecord(host, record);
    // The host may have been forgotten or updated while the record was being opened.
    const latest = hosts.get(record.hostId);
    if (!profile || !latest) return;
    const updated: HostRecord = { ...latest, profile, profileAt: record.at };
    hosts.upsert(updated);
    await saveHost(this.deps.db(), updated).catch(() => undefined);
  }

  /** The host rotated its content key (it revoked another phone): keep the new one. */
  async #applyRekey(record: InboundRecord): Promise<void> {
    const { hosts, link } = this.deps;
    const host = hosts.get(record.hostId);
    const device = this.deps.device();
    const deviceId = link.deviceId ?? device?.deviceId;
    if (!host || !device || !deviceId) return;
    const rekeyed = await applyRekey(host, record, { deviceId, privateKey: device.privateKey });
    const latest = hosts.get(record.hostId);
    if (!rekeyed || !latest) return;
    const updated: HostRecord = { ...latest, epoch: rekeyed.epoch, contentKey: rekeyed.contentKey, olderKeys: rekeyed.olderKeys };
    hosts.upsert(updated);
    await saveHost(this.deps.db(), updated);
    // Threads that stopped at an event this key opens go on now.
    if (link.socket) void this.#syncHost(record.hostId);
  }
}
