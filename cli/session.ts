// A connected, paired command line: its hosts with their keys imported, and the few things
// every command asks of them (which host, which thread, what the relay stored, send a command).
// The sealing, opening and parsing are the phone's own code.

import {
  ErrorCode,
  TetherError,
  importContentKey,
  importKeyPair,
  type Command,
  type StoredRecord,
  type ThreadSummary,
} from "#protocol";
import { deriveCommandKey } from "../mobile-web/src/hosts/commandKey";
import { applyRekey, withKeys } from "../mobile-web/src/hosts/keys";
import { threadBoxes } from "../mobile-web/src/hosts/threadKeys";
import { openProfileRecord } from "../mobile-web/src/hosts/profile";
import { sendCommand, type CommandOutcome } from "../mobile-web/src/link/commands";
import { sealedCall } from "../mobile-web/src/link/rpc";
import { shareReplySchema, type ShareCall, type SharesResult } from "#protocol/shareCalls";
import { syncAnswerSchema } from "../mobile-web/src/link/inbound";
import { failed, request } from "../mobile-web/src/link/request";
import { openThreadEvent, openThreadSummary, type OpenedEvent } from "../mobile-web/src/threads/open";
import type { HostRecord } from "../mobile-web/src/store/records";
import { CliError } from "./errors";
import type { Identity } from "./identity";
import { connectRelay, type RelayConnection } from "./relay";

export const SYNC_TIMEOUT_MS = 20_000;

export interface Host {
  record: HostRecord;
  online: boolean;
  lastSeen: number | undefined;
}

export interface Session {
  identity: Identity;
  conn: RelayConnection;
  hosts: Host[];
  privateKey: CryptoKey;
  /** The host called `name` (its name or id); a CliError naming the hosts there are otherwise. */
  host(name: string | undefined): Host;
  /** Every thread summary the host published, newest first, and the host record brought up to date. */
  threads(host: Host): Promise<ThreadSummary[]>;
  /** The host holding `threadId`, and that thread's summary. */
  findThread(threadId: string): Promise<{ host: Host; summary: ThreadSummary }>;
  /** The thread's events after `after`, opened, in order. */
  eventsAfter(host: Host, threadId: string, after: number, others: Record<string, number>): Promise<OpenedEvent[]>;
  send(host: Host, command: Command): Promise<CommandOutcome>;
  /** A call about a thread's read-only links, answered by the host (it keeps their secrets). */
  shares(host: Host, call: ShareCall): Promise<SharesResult>;
  close(): void;
}

async function hostRecord(identity: Identity, index: number): Promise<HostRecord> {
  const entry = identity.hosts[index]!;
  const base: HostRecord = {
    hostId: entry.hostId,
    hostKey: entry.hostKey,
    epoch: entry.epoch,
    contentKey: await importContentKey(entry.key, false),
    profile: entry.profile,
    pairedAt: entry.pairedAt,
  };
  return withKeys(base, entry.older ?? []);
}

export async function openSession(identity: Identity): Promise<Session> {
  const { privateKey } = await importKeyPair(identity.privateKey as JsonWebKey, false);
  const records = await Promise.all(identity.hosts.map((_, i) => hostRecord(identity, i)));
  for (const record of records) record.commandKey = await deriveCommandKey(privateKey, record.hostKey);
  const conn = await connectRelay(identity.relay, identity.token);
  const presence = new Map((conn.hello?.hosts ?? []).map((p) => [p.hostId, p]));
  const hosts: Host[] = records.map((record) => ({
    record,
    online: presence.get(record.hostId)?.online ?? false,
    lastSeen: presence.get(record.hostId)?.lastSeen,
  }));
  conn.socket.on("presence", (p) => {
    const host = hosts.find((h) => h.record.hostId === p.hostId);
    if (host) host.online = p.online;
  });
  const target = (host: Host) => ({
    hostId: host.record.hostId,
    deviceId: identity.deviceId,
    commandKey: host.record.commandKey!,
  });

  async function syncPage(host: Host, cursors: Record<string, number>, limit?: number) {
    const page = await request(
      () =>
        conn.socket
          .timeout(SYNC_TIMEOUT_MS)
          .emitWithAck("sync", { hostId: host.record.hostId, cursors, ...(limit ? { limit } : {}) }),
      syncAnswerSchema,
    );
    if (!page.ok) throw failed(page);
    await applyRecords(host, page.records);
    return page;
  }

  /** Rekeys (after the host revoked another device) and the newest profile, kept for this run. */
  async function applyRecords(host: Host, stored: StoredRecord[]): Promise<void> {
    for (const record of stored) {
      const rekeyed = await applyRekey(host.record, record, { deviceId: identity.deviceId, privateKey });
      if (rekeyed) host.record = rekeyed;
    }
    for (const record of stored) {
      const profile = await openProfileRecord(host.record, record);
      if (profile) host.record = { ...host.record, profile };
      await threadBoxes(host.record).noteRecord(record);
    }
  }

  async function summariesOf(host: Host, stored: StoredRecord[]): Promise<ThreadSummary[]> {
    const out: ThreadSummary[] = [];
    for (const record of stored) {
      try {
        if (!record.key.startsWith("t-")) continue;
        const summary = await threadBoxes(host.record).open(record.box.e, record.key.slice(2), (key) =>
          openThreadSummary(key, record),
        );
        if (summary) out.push(summary);
      } catch {
        // A record this device cannot open (sealed under a key it was never given) is left out.
      }
    }
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  const session: Session = {
    identity,
    conn,
    hosts,
    privateKey,
    host(name) {
      if (!name) {
        if (hosts.length === 1) return hosts[0]!;
        throw new CliError(`Say which computer with --host (one of: ${hosts.map((h) => h.record.profile.name).join(", ")}).`);
      }
      const found = hosts.filter((h) => h.record.profile.name === name || h.record.hostId === name);
      if (found.length === 1) return found[0]!;
      const names = hosts.map((h) => h.record.profile.name).join(", ");
      if (found.length > 1) throw new CliError(`More than one computer is called ${name}: name it by its id (tether hosts).`);
      throw new CliError(`No paired computer is called ${name} (paired: ${names}).`);
    },
    async threads(host) {
      // One event is the least a sync answers; the records (summaries, profile) come whole.
      const page = await syncPage(host, {}, 1);
      return summariesOf(host, page.records);
    },
    async findThread(threadId) {
      for (const host of hosts) {
        const summary = (await session.threads(host)).find((s) => s.threadId === threadId);
        if (summary) return { host, summary };
      }
      throw new CliError(`No thread ${threadId} on any paired computer (see \`tether threads\`).`);
    },
    async eventsAfter(host, threadId, after, others) {
      const events: OpenedEvent[] = [];
      const cursors = { ...others, [threadId]: after };
      for (;;) {
        const page = await syncPage(host, cursors);
        for (const stored of page.events) {
          if (stored.threadId !== threadId) continue;
          const opened = await threadBoxes(host.record).open(stored.box.e, stored.threadId, (key) =>
            openThreadEvent(key, stored),
          );
          events.push(opened);
          cursors[threadId] = opened.seq;
        }
        if (!page.more) return events;
        // Events of threads not named in the cursors come first; skip past them next time.
        for (const stored of page.events) if (stored.threadId !== threadId) cursors[stored.threadId] = stored.seq;
      }
    },
    async send(host, command) {
      try {
        return await sendCommand(conn.socket, target(host), command);
      } catch (err) {
        if (err instanceof TetherError) {
          if (err.code === ErrorCode.Timeout) throw new CliError(`${host.record.profile.name} did not answer in time.`);
          throw new CliError(`${host.record.profile.name} refused: ${err.message}`);
        }
        throw err;
      }
    },
    async shares(host, call) {
      let answer: unknown;
      try {
        answer = await sealedCall(conn.socket, target(host), call);
      } catch (err) {
        if (err instanceof TetherError) throw new CliError(`${host.record.profile.name} did not share: ${err.message}`);
        throw err;
      }
      const reply = shareReplySchema.safeParse(answer);
      if (!reply.success) throw new CliError(`${host.record.profile.name} does not share threads: update Tether there.`);
      if (!reply.data.ok) throw new CliError(`${host.record.profile.name} refused: ${reply.data.message}`);
      return reply.data.result;
    },
    close: () => conn.close(),
  };
  return session;
}
