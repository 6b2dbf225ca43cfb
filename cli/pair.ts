// `tether pair <link>`: pairs this command line exactly as a phone pairs, with the PWA's own
// pairing steps. It prints the short code; the person compares it with the one the computer
// shows and confirms there. The keys it is given go into the identity file.

import { hostname } from "node:os";
import {
  exportPrivateKey,
  exportPublicKey,
  generateDeviceKeyPair,
  importKeyPair,
  parsePairFragment,
  type PairResult,
} from "#protocol";
import { describePairFailure } from "../mobile-web/src/link/messages";
import { openGrant, PAIR_JOIN_TIMEOUT_MS, PAIR_RESULT_TIMEOUT_MS, preparePairing } from "../mobile-web/src/pairing/pairing";
import { pairJoinAnswerSchema, pairResultSchema } from "../mobile-web/src/link/inbound";
import { request } from "../mobile-web/src/link/request";
import { CliError } from "./errors";
import { readIdentity, writeIdentity, type HostEntry, type Identity, type IdentitySource } from "./identity";
import { connectRelay } from "./relay";

export function defaultDeviceName(): string {
  return `tether CLI on ${hostname()}`.slice(0, 80);
}

export async function pair(
  linkText: string,
  source: IdentitySource,
  options: { name?: string | undefined },
  say: (line: string) => void,
): Promise<Identity> {
  if (source.fromEnv) {
    throw new CliError("TETHER_IDENTITY is set: pairing writes an identity file. Unset it, or pass --identity FILE.");
  }
  const link = parsePairFragment(linkText);
  let relay: string;
  try {
    relay = new URL(linkText).origin;
  } catch {
    relay = "";
  }
  if (!link || !relay) throw new CliError("This is not a pairing link: copy the whole link the computer shows (…#pair=…).");

  const existing = readIdentity(source);
  if (existing && existing.relay !== relay) {
    throw new CliError(
      `${source.path} belongs to the relay at ${existing.relay}, not ${relay}: pass --identity FILE for another relay.`,
    );
  }
  const keys = existing ? await importKeyPair(existing.privateKey as JsonWebKey, true) : await generateDeviceKeyPair(true);
  const me = {
    privateKey: keys.privateKey,
    publicKeyB64: existing?.publicKey ?? (await exportPublicKey(keys.publicKey)),
    name: options.name ?? existing?.name ?? defaultDeviceName(),
  };
  const prepared = await preparePairing(link, me);

  // A command line paired before joins on its own socket and keeps its device id and token.
  const conn = await connectRelay(relay, existing?.token);
  try {
    const result = new Promise<PairResult>((resolve) => conn.socket.once("pair:result", resolve));
    const joined = await request(
      () => conn.socket.timeout(PAIR_JOIN_TIMEOUT_MS).emitWithAck("pair:join", prepared.join),
      pairJoinAnswerSchema,
    );
    if (!joined.ok) throw new CliError(describePairFailure(joined));
    say(`Pairing as "${me.name}". Check that your computer shows code ${prepared.code}, and confirm there.`);
    const outcome = await Promise.race([
      result,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new CliError("No answer from the computer: the pairing expired.")),
          PAIR_RESULT_TIMEOUT_MS,
        ).unref(),
      ),
    ]);
    const parsed = pairResultSchema.safeParse(outcome);
    if (!parsed.success) throw new CliError("The relay sent a pairing answer this command line doesn't understand.");
    if (!parsed.data.ok) throw new CliError(describePairFailure(parsed.data));
    const grant = await openGrant(prepared, me, parsed.data);
    const token = parsed.data.token ?? existing?.token;
    if (!token) throw new CliError("The relay paired this command line without giving it a token. Pair again.");
    const host: HostEntry = {
      hostId: grant.hostId,
      hostKey: link.hostKey,
      epoch: grant.epoch,
      key: grant.key,
      ...(grant.older ? { older: grant.older } : {}),
      profile: grant.profile,
      pairedAt: Date.now(),
    };
    const identity: Identity = {
      v: 1,
      relay,
      name: me.name,
      privateKey: { ...(await exportPrivateKey(keys.privateKey)) },
      publicKey: me.publicKeyB64,
      deviceId: parsed.data.deviceId,
      token,
      hosts: [...(existing?.hosts ?? []).filter((h) => h.hostId !== host.hostId), host],
    };
    writeIdentity(source.path, identity);
    say(`Paired with ${grant.profile.name} (${grant.profile.workspace}). Identity saved in ${source.path}.`);
    return identity;
  } finally {
    conn.close();
  }
}
