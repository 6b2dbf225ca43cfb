// The relay's VAPID key pair: made on its first start and kept in the store, because every
// browser subscription is bound to the public key it was made with; new keys would silently
// orphan all of them.

import webPush from "web-push";
import { z } from "zod";
import type { RelayStore } from "../store/store";

export interface VapidKeys {
  /** Raw uncompressed P-256 point, base64url: what `pushManager.subscribe` takes. */
  publicKey: string;
  /** The private scalar, base64url. Stays in the store; never logged or sent. */
  privateKey: string;
}

const VAPID_META_KEY = "vapid";
const storedSchema = z.object({ publicKey: z.string().min(80), privateKey: z.string().min(40) });

export async function loadOrCreateVapidKeys(store: RelayStore): Promise<VapidKeys> {
  const stored = await store.meta(VAPID_META_KEY);
  if (stored !== undefined) return storedSchema.parse(JSON.parse(stored));
  const fresh = webPush.generateVAPIDKeys();
  // Several relay processes starting at once on one Redis: the first key pair stored wins.
  const kept = await store.initMeta(VAPID_META_KEY, JSON.stringify({ publicKey: fresh.publicKey, privateKey: fresh.privateKey }));
  return storedSchema.parse(JSON.parse(kept));
}
