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

/**
 * Changes that come for a folder while a listing of it is on its way. The host sends git's marks
 * as a change once `git status` answers, which can overtake the listing they belong to; applied
 * when the listing lands, they are not lost under it. A change older than the listing only
 * repeats what the host then sends again, so the folder still ends as the host has it.
 */
export class HeldChanges {
  readonly #loads = new Set<{ path: string; changes: DirChange[] }>();

  /** A listing of `path` has been asked for; returns what `settle` needs when it lands. */
  begin(path: string): { path: string; changes: DirChange[] } {
    const load = { path, changes: [] };
    this.#loads.add(load);
    return load;
  }

  /** Keeps a change for every listing of its folder on its way. */
  hold(change: DirChange): void {
    for (const load of this.#loads) if (load.path === change.path) load.changes.push(change);
  }

  /** The listing that landed with the changes held for it applied, in the order they came. */
  settle<L extends ListingLike>(load: { path: string; changes: DirChange[] }, listing: L): L {
    this.#loads.delete(load);
    return load.changes.reduce((next, change) => applyDirChange(next, change), listing);
  }

  /** Stops holding for a listing that failed or was settled; idempotent. */
  end(load: { path: string; changes: DirChange[] }): void {
    this.#loads.delete(load);
  }
}
