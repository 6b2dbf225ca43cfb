import { hostProfileSchema, open, sealContext, type HostProfile } from "#protocol";
import type { InboundRecord } from "../link/inbound";
import type { HostRecord } from "../store/records";
import { keyFor } from "./keys";

export const PROFILE_RECORD_KEY = "profile";

/**
 * The host's profile from its sealed `profile` record, or null when the record cannot be
 * opened or parsed (sealed under a newer key epoch, say): the stored profile stays.
 */
export async function openProfileRecord(host: HostRecord, record: InboundRecord): Promise<HostProfile | null> {
  if (record.key !== PROFILE_RECORD_KEY || record.hostId !== host.hostId) return null;
  try {
    const plain = await open(keyFor(host, record.box.e), record.box, sealContext.record(host.hostId, PROFILE_RECORD_KEY));
    const parsed = hostProfileSchema.safeParse(plain);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
