// Pairing as the app sees it: at most one pairing flow at a time, shown over whatever screen is
// current, and what becomes of its outcome (the device's new id and token, the new host, a fresh
// connection). Also the way back when the relay refuses this phone's token: forget the pairing
// data and pair afresh. `pairingFlow.svelte.ts` is one attempt; this is what holds attempts.

import { parsePairFragment, type PairLink } from "#protocol";
import type { Hosts } from "../hosts/hosts.svelte";
import type { RelayLink } from "../link/relayLink.svelte";
import { threadsRoute } from "../routing/routes";
import type { Router } from "../routing/router.svelte";
import type { Database } from "../store/db";
import { deleteAllHosts, saveDevice, saveHost, type DeviceRecord } from "../store/records";
import type { PairingOutcome } from "./pairing";
import { PairingFlow } from "./pairingFlow.svelte";

export const BAD_PAIR_LINK_MESSAGE = "This pairing link is incomplete or damaged. Scan the QR code on your computer again.";

export interface PairingSessionDeps {
  link: RelayLink;
  hosts: Hosts;
  router: Router;
  /** The open database; throws before start-up opened it. */
  db(): Database;
  /** This phone's identity; null before start-up loaded it. */
  device(): DeviceRecord | null;
  /** Shows a device record that is already saved. */
  setDevice(device: DeviceRecord): void;
}

export class PairingSession {
  /** The pairing under way, shown over whatever route is current. */
  flow = $state.raw<PairingFlow | null>(null);
  /** A message for the home screen, such as a pairing link that could not be read. */
  notice = $state<string | null>(null);

  constructor(private readonly deps: PairingSessionDeps) {}

  /** Starts pairing from a link's text; answers false when the text is not a pairing link. */
  openLink(text: string): boolean {
    const link = parsePairFragment(text);
    if (!link) {
      this.notice = BAD_PAIR_LINK_MESSAGE;
      return false;
    }
    this.notice = null;
    this.start(link);
    return true;
  }

  start(pairLink: PairLink): void {
    this.flow?.cancel();
    const flow = new PairingFlow(pairLink, {
      link: this.deps.link,
      identity: () => {
        const device = this.#requireDevice();
        return { privateKey: device.privateKey, publicKeyB64: device.publicKeyB64, name: device.name };
      },
      finish: (outcome) => this.#finish(outcome),
    });
    this.flow = flow;
    void flow.run();
  }

  cancel(): void {
    const flow = this.flow;
    if (!flow) return;
    const joined = flow.step.name === "waiting";
    flow.cancel();
    this.flow = null;
    // There is no way to withdraw a join; a fresh connection at least leaves the relay no
    // socket to deliver a late acceptance to.
    if (joined) this.deps.link.connect(this.deps.device()?.token);
  }

  /** Closes a pairing that ended (failed) and goes back to where the person was. */
  dismiss(): void {
    this.flow?.cancel();
    this.flow = null;
  }

  /**
   * After the relay refused this phone's token: drops the token and every host paired
   * through it, keeps the key pair and name, and reconnects anonymously to pair again.
   */
  async forgetPairingData(): Promise<void> {
    const db = this.deps.db();
    const { deviceId: _id, token: _token, ...rest } = this.#requireDevice();
    const device: DeviceRecord = rest;
    await saveDevice(db, device);
    await deleteAllHosts(db);
    this.deps.setDevice(device);
    this.deps.hosts.replaceAll([]);
    this.deps.hosts.forgetPresence();
    this.deps.link.connect(undefined);
    if (this.flow?.step.name === "unauthorized") void this.flow.run();
    else this.deps.router.replace({ name: "home" });
  }

  async #finish(outcome: PairingOutcome): Promise<void> {
    const db = this.deps.db();
    const current = this.#requireDevice();
    const device: DeviceRecord = { ...current, deviceId: outcome.deviceId, token: outcome.token ?? current.token };
    await saveDevice(db, device);
    await saveHost(db, outcome.host);
    this.deps.setDevice(device);
    this.deps.hosts.upsert(outcome.host);
    this.flow = null;
    // Ask the browser not to evict the keys under storage pressure; it may say no.
    void navigator.storage?.persist?.().catch(() => false);
    this.deps.link.connect(device.token);
    this.deps.router.go(threadsRoute(outcome.host.hostId));
  }

  #requireDevice(): DeviceRecord {
    const device = this.deps.device();
    if (!device) throw new Error("the device identity is not loaded");
    return device;
  }
}
