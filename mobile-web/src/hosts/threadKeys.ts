// Each host's thread boxes opened with the right key: the host's own thread key for threads
// sealed since its switch (`protocol/threadKeys.ts`), the content key for what it sealed before.
// Kept in memory: the host's `thread-keys` record comes again with every catch-up.

import { ThreadBoxOpener } from "#protocol/threadKeys";
import type { HostRecord } from "../store/records";

const openers = new Map<string, { host: HostRecord; opener: ThreadBoxOpener }>();

/** The opener of this host's thread boxes, reading its keys from the newest record of it. */
export function threadBoxes(host: HostRecord): ThreadBoxOpener {
  const known = openers.get(host.hostId);
  if (known) {
    known.host = host;
    return known.opener;
  }
  const entry: { host: HostRecord; opener: ThreadBoxOpener } = {
    host,
    opener: new ThreadBoxOpener(host.hostId, (epoch: number): CryptoKey | undefined => {
      const h = entry.host;
      // Only the key of that very epoch: keyFor answers the current one for an unknown epoch.
      return epoch === h.epoch ? h.contentKey : h.olderKeys?.find((k) => k.epoch === epoch)?.key;
    }),
  };
  openers.set(host.hostId, entry);
  return entry.opener;
}

/** Forgets a host's opener (the host was removed from this phone). */
export function forgetThreadBoxes(hostId: string): void {
  openers.delete(hostId);
}
