// Changes to the workspace the host sends while the phone shows a folder or a file: opening
// them, and applying one to a listing in place (entries keep their order and identity, so the
// list does not jump).

import { mirrorDeltaSchema, open, sealContext, type DirEntry, type LiveForward, type MirrorDelta } from "#protocol";
import { sortEntries } from "./format";

export type DirChange = MirrorDelta["dirs"][number];
export type FileChange = MirrorDelta["files"][number];

export async function openMirrorDelta(key: CryptoKey, live: LiveForward): Promise<MirrorDelta> {
  return mirrorDeltaSchema.parse(await open(key, live.box, sealContext.mirror(live.hostId, live.n)));
}

interface ListingLike {
  path: string;
  entries: DirEntry[];
  hidden: number;
  truncated: boolean;
}

/** The listing with a change applied: entries replaced or added by name, removed ones dropped. */
export function applyDirChange<L extends ListingLike>(listing: L, change: DirChange): L {
  const removed = new Set(change.removed);
  const updated = new Map(change.entries.map((e) => [e.name, e]));
  const entries: DirEntry[] = [];
  for (const entry of listing.entries) {
    if (removed.has(entry.name)) continue;
    const next = updated.get(entry.name);
    updated.delete(entry.name);
    entries.push(next && !sameEntry(next, entry) ? next : entry);
  }
  // Only new names need sorting in; the rest keep their places.
  const added = [...updated.values()];
  return {
    ...listing,
    entries: added.length ? sortEntries([...entries, ...added]) : entries,
    hidden: change.hidden,
  };
}

function sameEntry(a: DirEntry, b: DirEntry): boolean {
  return a.kind === b.kind && a.size === b.size && a.mtime === b.mtime && a.git === b.git;
}
