// The phone's half of pairing, as plain steps: what it sends to join a pairing slot, and
// what it makes of the host's grant. Keys never leave WebCrypto.

import {
  KeyPurpose,
  PAIRWISE_EPOCH,
  TetherError,
  ErrorCode,
  deriveSharedKey,
  importContentKey,
  importPublicKey,
  open,
  pairGrantSchema,
  pairingCode,
  pairingProof,
  seal,
  sealContext,
  type PairGrant,
  type PairJoin,
  type PairLink,
} from "#protocol";
import { withKeys } from "../hosts/keys";
import type { HostRecord } from "../store/records";

/** How long to wait for the person at the computer; the slot itself lives five minutes. */
export const PAIR_JOIN_TIMEOUT_MS = 10_000;
export const PAIR_RESULT_TIMEOUT_MS = 6 * 60_000;

export interface PairingIdentity {
  privateKey: CryptoKey;
  publicKeyB64: string;
  name: string;
}

export interface PreparedPairing {
  link: PairLink;
  hostPublicKey: CryptoKey;
  /** "481-293": the person compares it with the one on the computer. */
  code: string;
  join: PairJoin;
}

export interface AcceptedPairResult {
  hostId: string;
  deviceId: string;
  token?: string | undefined;
  grant: PairJoin["hello"];
}

export interface PairingOutcome {
  deviceId: string;
  /** Only when the relay registered this phone now; an already paired phone keeps its token. */
  token?: string | undefined;
  host: HostRecord;
}

export async function preparePairing(link: PairLink, me: PairingIdentity): Promise<PreparedPairing> {
  const hostPublicKey = await importPublicKey(link.hostKey);
  const helloKey = await deriveSharedKey(me.privateKey, hostPublicKey, KeyPurpose.PairHello);
  const hello = await seal(helloKey, PAIRWISE_EPOCH, { name: me.name }, sealContext.pairHello(link.slotId));
  const proof = await pairingProof(link.secret, link.hostKey, me.publicKeyB64);
  const code = await pairingCode(link.hostKey, me.publicKeyB64);
  return {
    link,
    hostPublicKey,
    code,
    join: { slotId: link.slotId, phoneKey: me.publicKeyB64, hello, proof },
  };
}

/**
 * Opens the host's grant and checks it against the relay's word. The command line keeps the
 * grant's raw keys in its identity file; the phone imports them at once (`acceptGrant`).
 */
export async function openGrant(prepared: PreparedPairing, me: PairingIdentity, result: AcceptedPairResult): Promise<PairGrant> {
  const grantKey = await deriveSharedKey(me.privateKey, prepared.hostPublicKey, KeyPurpose.PairGrant);
  const parsed = pairGrantSchema.safeParse(await open(grantKey, result.grant, sealContext.pairGrant(prepared.link.slotId)));
  if (!parsed.success) throw new TetherError(ErrorCode.BadRequest, "The computer's answer is not a valid pairing grant.");
  // The relay names the host; the grant, sealed by the host, must agree.
  if (parsed.data.hostId !== result.hostId) {
    throw new TetherError(ErrorCode.BadSeal, "The relay and the computer disagree about who the computer is.");
  }
  return parsed.data;
}

/** Opens the host's grant and turns it into the host record this phone keeps. */
export async function acceptGrant(
  prepared: PreparedPairing,
  me: PairingIdentity,
  result: AcceptedPairResult,
  now = Date.now(),
): Promise<PairingOutcome> {
  const { link } = prepared;
  const grant = await openGrant(prepared, me, result);
  let contentKey: CryptoKey;
  try {
    contentKey = await importContentKey(grant.key, false);
  } catch {
    throw new TetherError(ErrorCode.BadRequest, "The computer sent a content key this phone cannot use.");
  }
  const host: HostRecord = {
    hostId: grant.hostId,
    hostKey: link.hostKey,
    epoch: grant.epoch,
    contentKey,
    // What this phone sends the host is sealed with a key only the two of them can derive.
    commandKey: await deriveSharedKey(me.privateKey, prepared.hostPublicKey, KeyPurpose.Command),
    profile: grant.profile,
    pairedAt: now,
  };
  // Keys of earlier epochs open the history the host sealed before its last rotation.
  const older = (grant.older ?? []).filter((k) => k.epoch < grant.epoch);
  return { deviceId: result.deviceId, token: result.token, host: await withKeys(host, older) };
}
