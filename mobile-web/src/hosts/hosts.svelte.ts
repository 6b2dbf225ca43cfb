import type { HostPresence } from "#protocol";
import type { HostRecord } from "../store/records";

/** The paired hosts as the screens show them: stored records plus what the relay says now. */
export class Hosts {
  /** Immutable records, replaced on change: they hold CryptoKeys, which must not be proxied. */
  list = $state.raw<HostRecord[]>([]);
  /** Live presence from the relay, by host id; empty until the relay said hello. */
  presence = $state.raw<Record<string, HostPresence>>({});

  readonly sorted: HostRecord[] = $derived(
    [...this.list].sort((a, b) => displayName(a).localeCompare(displayName(b)) || a.pairedAt - b.pairedAt),
  );

  get(hostId: string): HostRecord | undefined {
    return this.list.find((h) => h.hostId === hostId);
  }

  replaceAll(records: HostRecord[]): void {
    this.list = records;
  }

  upsert(record: HostRecord): void {
    this.list = [...this.list.filter((h) => h.hostId !== record.hostId), record];
  }

  remove(hostId: string): void {
    this.list = this.list.filter((h) => h.hostId !== hostId);
  }

  /** The relay's view on (re)connect replaces whatever we knew. */
  resetPresence(all: readonly HostPresence[]): void {
    this.presence = Object.fromEntries(all.map((p) => [p.hostId, p]));
  }

  applyPresence(presence: HostPresence): void {
    this.presence = { ...this.presence, [presence.hostId]: presence };
  }

  /** Without a relay connection the phone cannot know who is online. */
  forgetPresence(): void {
    this.presence = {};
  }
}

export function displayName(host: HostRecord): string {
  return host.profile.name.trim() || "Unnamed computer";
}

/** The last segment of the workspace path the host reports ("/home/ann/api" → "api"). */
export function workspaceName(host: HostRecord): string {
  const parts = host.profile.workspace.split(/[\\/]/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? host.profile.workspace;
}
