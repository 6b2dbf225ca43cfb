// A host's project hooks as its `hooks` record tells them (hosts before hooks publish none),
// loaded when the first such record arrives. The phone's answer is in trustHooks.ts, loaded with
// the dashboard that offers it.

import { HOOKS_RECORD_KEY, open, sealContext } from "#protocol";
import { projectHooksRecordSchema, type ProjectHooksRecord } from "#protocol/hooks";
import type { InboundRecord } from "../link/inbound";
import type { Database } from "../store/db";
import { saveHost, type HostRecord } from "../store/records";
import type { Hosts } from "./hosts.svelte";
import { keyFor } from "./keys";

/** The project hooks' state from the host's sealed `hooks` record, or null when it is not one or cannot be opened. */
export async function openHooksRecord(host: HostRecord, record: InboundRecord): Promise<ProjectHooksRecord | null> {
  if (record.key !== HOOKS_RECORD_KEY || record.hostId !== host.hostId) return null;
  try {
    const plain = await open(keyFor(host, record.box.e), record.box, sealContext.record(host.hostId, HOOKS_RECORD_KEY));
    const parsed = projectHooksRecordSchema.safeParse(plain);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Keeps the project hooks' state a `hooks` record tells, unless an earlier record came later. */
export async function applyHooksRecord(deps: { hosts: Hosts; db(): Database }, record: InboundRecord): Promise<void> {
  const { hosts } = deps;
  const host = hosts.get(record.hostId);
  if (!host || (host.hooksAt !== undefined && record.at < host.hooksAt)) return;
  const hooks = await openHooksRecord(host, record);
  // The host may have been forgotten or updated while the record was being opened.
  const latest = hosts.get(record.hostId);
  if (!hooks || !latest) return;
  const updated: HostRecord = { ...latest, hooks, hooksAt: record.at };
  hosts.upsert(updated);
  await saveHost(deps.db(), updated).catch(() => undefined);
}
