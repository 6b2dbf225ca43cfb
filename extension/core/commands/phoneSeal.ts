// Opens what a phone sealed for this host (a command or a call) with that phone's own command
// key, and nothing else. A content key never opens a command: every paired phone holds it, and
// so may a relay that kept a revoked phone's copy. So a box labelled as phone B but sealed by
// phone A fails to open, and a revoked phone's key is gone before its next command arrives.
//
// When a box does not open, the host works out why, for its log and the sender's message: a
// box that opens with a content key was sealed the way apps before command keys did (or by
// someone holding that shared key), under the current epoch or an older one. That check only
// explains a refusal; nothing it opens is ever applied.

import { ErrorCode, failure, open, type Box, type Failure, type SealContext } from "#protocol";
import type { HostIdentity, PairedPhone } from "../identity";

/** Why the host refused what a phone sent; logged with the phone's id. */
export type Refusal =
  /** No phone of that id is paired with this host, nor was one lately. */
  | "unknown-phone"
  /** The phone was revoked (or unpaired itself): its command key is gone. */
  | "revoked"
  /** It does not open with the named phone's key: another device sealed it, or it was altered. */
  | "wrong-key"
  /** Sealed with the current content key: an app from before command keys, or a forger holding it. */
  | "content-key"
  /** Sealed with the content key of an epoch a rotation has since replaced. */
  | "old-epoch"
  /** It opened but is not a payload this host reads. */
  | "malformed"
  /** Made longer ago than the host accepts (see `commandServer.ts`). */
  | "stale"
  /** Made further in the future than clock skew explains. */
  | "clock-ahead";

export type Opened =
  { ok: true; value: unknown; key: CryptoKey; phone: PairedPhone } | { ok: false; reason: Refusal; answer: Failure };

/** What the sender is told, by what it sent: "command" or "call". */
export function refusal(reason: Refusal, noun: "command" | "call"): { ok: false; reason: Refusal; answer: Failure } {
  const again = "Reload the app and send it again.";
  const answer = ((): Failure => {
    switch (reason) {
      case "unknown-phone":
      case "revoked":
        return failure(ErrorCode.Forbidden, "This phone is not paired with this host.");
      case "wrong-key":
        return failure(ErrorCode.BadSeal, `The ${noun} could not be opened: it was not sealed by this phone.`);
      case "content-key":
        return failure(ErrorCode.BadSeal, `The ${noun} was sealed the way older versions of the app did. ${again}`);
      case "old-epoch":
        return failure(ErrorCode.BadSeal, `The ${noun} was sealed with a key this computer has replaced. ${again}`);
      case "malformed":
        return failure(ErrorCode.BadRequest, `The ${noun} could not be read.`);
      case "stale":
        return failure(
          ErrorCode.Forbidden,
          `The ${noun} is too old to apply (it waited for this computer too long); send it again.`,
        );
      case "clock-ahead":
        return failure(ErrorCode.Forbidden, `The ${noun} is dated in the future: check the phone's clock, then send it again.`);
    }
  })();
  return { ok: false, reason, answer };
}

/** Opens a box from phone `from` with that phone's command key. */
export async function openFromPhone(
  identity: HostIdentity,
  relay: string,
  from: string,
  box: Box,
  context: SealContext,
  noun: "command" | "call",
): Promise<Opened> {
  const find = (): [PairedPhone | undefined, CryptoKey | undefined] => {
    const found = identity.phones(relay).find((p) => p.id === from);
    return [found, found && identity.commandKey(relay, from)];
  };
  let [phone, key] = find();
  // A phone paired a moment ago may speak before its pairing's last step ran here.
  if ((!phone || !key) && (await identity.settledJoins())) [phone, key] = find();
  if (!phone || !key) return refusal(identity.wasRevoked(relay, from) ? "revoked" : "unknown-phone", noun);
  try {
    return { ok: true, value: await open(key, box, context), key, phone };
  } catch {
    return refusal(await sealedWithContentKey(identity, box, context), noun);
  }
}

async function sealedWithContentKey(identity: HostIdentity, box: Box, context: SealContext): Promise<Refusal> {
  const contentKey = identity.contentKey(box.e);
  if (!contentKey) return "wrong-key";
  try {
    await open(contentKey, box, context);
  } catch {
    return "wrong-key";
  }
  return box.e < identity.epoch ? "old-epoch" : "content-key";
}
