// The pairing link shown under the QR code: `https://RELAY/#pair=SLOT.HOSTKEY.SECRET`.
// Everything after `#` stays in the browser, so the relay never sees the host key or secret.

import { z } from "./zod";
import { idSchema, publicKeySchema } from "./schemas";

export interface PairLink {
  slotId: string;
  hostKey: string;
  secret: string;
}

const secretSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/));

export function formatPairLink(relayUrl: string, link: PairLink): string {
  const base = relayUrl.replace(/\/+$/, "");
  return `${base}/#pair=${link.slotId}.${link.hostKey}.${link.secret}`;
}

/** Reads a pairing link, or just its fragment. Returns null when it is not one. */
export function parsePairFragment(text: string): PairLink | null {
  const match = /#pair=([^.\s]+)\.([^.\s]+)\.([^.\s]+)\s*$/.exec(text.trim());
  if (!match) return null;
  const [, slotId, hostKey, secret] = match;
  if (!idSchema.safeParse(slotId).success) return null;
  if (!publicKeySchema.safeParse(hostKey).success) return null;
  if (!secretSchema.safeParse(secret).success) return null;
  return { slotId: slotId!, hostKey: hostKey!, secret: secret! };
}

/** The origin of an http(s) URL (`https://relay.example:8443`), or null for anything else. */
export function httpOrigin(text: string): string | null {
  try {
    const u = new URL(text);
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : null;
  } catch {
    return null;
  }
}
