// The host's side of QR pairing: open a slot, show the link, and for each phone that joins
// check its proof, read its sealed name, ask the person at the host, and grant the key.

import { EventEmitter } from "node:events";
import {
  KeyPurpose,
  PAIRWISE_EPOCH,
  TetherError,
  deriveSharedKey,
  formatPairLink,
  importPublicKey,
  open,
  pairHelloSchema,
  pairRequestSchema,
  pairingCode,
  randomId,
  seal,
  sealContext,
  verifyPairingProof,
  type HostProfile,
  type PairGrant,
  type PairRequest,
} from "#protocol";
import { DisposableStore, listen, type Disposable } from "../disposable";
import type { HostIdentity, PairedPhone } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";

export interface PairingOffer {
  /** The link the QR code encodes. */
  url: string;
  slotId: string;
  expiresAt: number;
}

export interface PairingPrompt {
  phoneName: string;
  /** The short code the phone shows too, e.g. "481-293". */
  code: string;
}

/** Asks the person at the host whether to pair; resolves true to accept. */
export type ConfirmPairing = (prompt: PairingPrompt) => Promise<boolean>;

export interface PairingEvents {
  paired: [phone: PairedPhone];
  declined: [prompt: PairingPrompt];
  failed: [message: string];
}

export class PairingService extends EventEmitter<PairingEvents> implements Disposable {
  private readonly disposables = new DisposableStore();
  private readonly secrets = new Map<string, { secret: string; expiresAt: number }>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly link: RelayLink,
    private readonly identity: HostIdentity,
    private readonly confirm: ConfirmPairing,
    private readonly profile: () => HostProfile,
    private readonly log: Log,
    /** The URL phones open; defaults to the relay's. */
    private readonly publicUrl: () => string,
  ) {
    super();
    this.disposables.add(listen(link.socket, "pair:request", (payload: unknown) => this.onPayload(payload)));
  }

  /** Idempotent: takes no more pairing requests. */
  dispose(): void {
    this.disposables.dispose();
  }

  /** A pairing request the relay forwards; one prompt at a time. */
  private onPayload(payload: unknown): void {
    const parsed = pairRequestSchema.safeParse(payload);
    if (!parsed.success) {
      this.log.warn("ignored a malformed pairing request from the relay");
      return;
    }
    const req = parsed.data;
    // One prompt at a time: a second phone waits until the first is answered.
    this.queue = this.queue
      .then(() => this.onRequest(req))
      .catch((err: unknown) => {
        this.log.error("pairing failed", { error: (err as Error).message });
        this.emit("failed", (err as Error).message);
      });
  }

  /** Opens a single-use pairing slot (valid five minutes) and returns its link. */
  async open(): Promise<PairingOffer> {
    const answer = await this.link.request("pair:open", {});
    if (!answer.ok) throw new TetherError(answer.code, `Could not open a pairing slot: ${answer.message}`);
    const secret = randomId(16);
    this.secrets.set(answer.slotId, { secret, expiresAt: answer.expiresAt });
    const url = formatPairLink(this.publicUrl(), { slotId: answer.slotId, hostKey: this.identity.publicKey, secret });
    return { url, slotId: answer.slotId, expiresAt: answer.expiresAt };
  }

  private async onRequest(req: PairRequest): Promise<void> {
    const slot = this.secrets.get(req.slotId);
    this.secrets.delete(req.slotId);
    const proofOk =
      slot !== undefined && (await verifyPairingProof(slot.secret, this.identity.publicKey, req.phoneKey, req.proof));
    if (!proofOk) {
      this.log.warn("pairing refused: the phone's proof did not match the QR code", { slot: req.slotId });
      await this.link.request("pair:decide", { slotId: req.slotId, accept: false, reason: "bad-proof" });
      return;
    }
    const phonePublicKey = await importPublicKey(req.phoneKey);
    const helloKey = await deriveSharedKey(this.identity.keyPair.privateKey, phonePublicKey, KeyPurpose.PairHello);
    const hello = pairHelloSchema.safeParse(await open(helloKey, req.hello, sealContext.pairHello(req.slotId)).catch(() => null));
    if (!hello.success) {
      await this.link.request("pair:decide", { slotId: req.slotId, accept: false, reason: "bad-proof" });
      return;
    }
    const prompt: PairingPrompt = { phoneName: hello.data.name, code: await pairingCode(this.identity.publicKey, req.phoneKey) };
    if (!(await this.confirm(prompt))) {
      await this.link.request("pair:decide", { slotId: req.slotId, accept: false, reason: "declined" });
      this.emit("declined", prompt);
      return;
    }
    const grantKey = await deriveSharedKey(this.identity.keyPair.privateKey, phonePublicKey, KeyPurpose.PairGrant);
    const epoch = this.identity.epoch;
    const older = this.identity.contentKeysRaw().filter((k) => k.epoch !== epoch);
    const grant: PairGrant = {
      hostId: this.link.deviceId,
      key: this.identity.currentKeyRaw(),
      epoch,
      profile: this.profile(),
      ...(older.length > 0 ? { older } : {}),
    };
    const box = await seal(grantKey, PAIRWISE_EPOCH, grant, sealContext.pairGrant(req.slotId));
    const commandKey = await this.identity.commandKeyFor(req.phoneKey);
    // The relay hands the phone its grant as it answers here, and the phone may send a command at
    // once: its answer and that command can arrive together, the command's handler first. So the
    // identity knows a phone is joining, and a command from a phone it does not know yet waits.
    const joining = this.identity.joining(async (): Promise<{ failed: string } | { phone: PairedPhone }> => {
      const answer = await this.link.request("pair:decide", { slotId: req.slotId, accept: true, grant: box });
      if (!answer.ok || !answer.deviceId) return { failed: answer.ok ? "the relay did not name the phone" : answer.message };
      const joined: PairedPhone = {
        id: answer.deviceId,
        name: prompt.phoneName,
        publicKey: req.phoneKey,
        relay: this.link.relay,
        pairedAt: Date.now(),
        epoch,
      };
      await this.identity.addPhone(joined, commandKey);
      return { phone: joined };
    });
    const outcome = await joining;
    if ("failed" in outcome) {
      this.log.warn("pairing did not complete", { reason: outcome.failed });
      this.emit("failed", outcome.failed);
      return;
    }
    const { phone } = outcome;
    this.log.info("phone paired", { phone: phone.id });
    this.emit("paired", phone);
  }
}
