// The host's paired phones as its person sees them: who they are (from the host's own
// pairings), whether they are connected and when they were last seen (from the relay), and
// revoking one. A phone the relay no longer links to this host (it unpaired itself, perhaps
// while the host was away) is forgotten here too; either way the content key is rotated.

import { EventEmitter } from "node:events";
import { ErrorCode, TetherError, phoneLeftSchema, phonePresenceSchema, type PhoneStatus } from "#protocol";
import type { HostIdentity, PairedPhone } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";
import { KeyRotation } from "./keyRotation";

/** A paired phone with what the relay says about it; `lastSeen` is 0 until the relay said. */
export interface PhoneView extends PairedPhone {
  online: boolean;
  lastSeen: number;
}

export interface PhoneDirectoryEvents {
  /** The list, a phone's presence, or its last seen changed. */
  changed: [];
  /** A phone is no longer paired: revoked here (`host`) or unpaired on the phone (`phone`). */
  unpaired: [phone: PairedPhone, by: "host" | "phone"];
}

export class PhoneDirectory extends EventEmitter<PhoneDirectoryEvents> {
  private readonly status = new Map<string, Pick<PhoneStatus, "online" | "lastSeen">>();
  readonly keys: KeyRotation;

  constructor(
    private readonly link: RelayLink,
    private readonly identity: HostIdentity,
    private readonly log: Log,
  ) {
    super();
    this.keys = new KeyRotation(link, identity, log);
    link.socket.on("phone:presence", (payload) => {
      const parsed = phonePresenceSchema.safeParse(payload);
      if (!parsed.success) return;
      const { deviceId, online, lastSeen } = parsed.data;
      this.status.set(deviceId, { online, lastSeen });
      this.emit("changed");
    });
    link.socket.on("phone:left", (payload) => {
      const parsed = phoneLeftSchema.safeParse(payload);
      if (parsed.success) void this.forget(parsed.data.deviceId, "phone");
    });
    link.socket.on("disconnect", () => {
      // Without the relay nobody is known to be online; last seen stays as it was.
      for (const [id, s] of this.status) this.status.set(id, { ...s, online: false });
      this.emit("changed");
    });
    link.on("hello", () => void this.refresh());
  }

  /** The paired phones, most recently paired first. */
  list(): PhoneView[] {
    return this.identity
      .phones(this.link.relay)
      .map((p) => ({ ...p, online: false, lastSeen: 0, ...this.status.get(p.id) }))
      .sort((a, b) => b.pairedAt - a.pairedAt);
  }

  /**
   * Revokes a phone: the relay disconnects it and refuses its token, this host forgets it,
   * and the remaining phones get a new content key it never sees. Needs the relay.
   */
  async revoke(phoneId: string): Promise<void> {
    const phone = this.identity.phones(this.link.relay).find((p) => p.id === phoneId);
    if (!phone) throw new TetherError(ErrorCode.NotFound, "No phone with that id is paired with this computer.");
    // From this moment nothing the phone sends is opened, even while the relay is being told.
    const restore = this.identity.suspendCommandKey(this.link.relay, phoneId);
    const answer = await this.link.request("phone:revoke", { phoneId });
    // `not-found`: the relay had unlinked it already (it unpaired itself); forget it all the same.
    if (!answer.ok && answer.code !== ErrorCode.NotFound) {
      restore();
      const why = answer.code === ErrorCode.Timeout ? "the relay is not reachable; try again when it is" : answer.message;
      throw new TetherError(answer.code, `Could not revoke "${phone.name}": ${why}`);
    }
    await this.forget(phoneId, "host");
  }

  /** Asks the relay for presence and last seen; forgets phones it no longer links to this host. */
  async refresh(): Promise<void> {
    const asked = Date.now();
    const answer = await this.link.request("phones:list", {});
    if (!answer.ok) {
      this.log.warn("could not list the paired phones", { code: answer.code });
      // Still finish a rotation an earlier run left half way.
      await this.keys.sync();
      return;
    }
    const linked = new Set(answer.phones.map((p) => p.deviceId));
    for (const p of answer.phones) this.status.set(p.deviceId, { online: p.online, lastSeen: p.lastSeen });
    // A phone paired while the list was on its way is not in it: leave those alone.
    const gone = this.identity.phones(this.link.relay).filter((p) => !linked.has(p.id) && p.pairedAt < asked);
    for (const phone of gone) await this.forget(phone.id, "phone");
    this.emit("changed");
    await this.keys.sync();
  }

  private async forget(phoneId: string, by: "host" | "phone"): Promise<void> {
    const phone = await this.identity.revokePhone(this.link.relay, phoneId);
    this.status.delete(phoneId);
    if (!phone) return;
    this.log.info("phone unpaired", { phone: phoneId, by });
    this.emit("unpaired", phone, by);
    this.emit("changed");
    await this.keys.sync();
  }
}
