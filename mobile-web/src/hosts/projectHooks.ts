// A host's project hooks as its `hooks` record tells them (hosts before hooks publish none), and
// the phone's answer: trust exactly the file content it was shown. Sent only while the computer
// is online, like git commands: trust given from a queue hours later would be trust in a file
// the person no longer sees.

import {
  ErrorCode,
  HOOKS_RECORD_KEY,
  TetherError,
  open,
  projectHooksRecordSchema,
  sealContext,
  type ProjectHooksRecord,
} from "#protocol";
import type { InboundRecord } from "../link/inbound";
import { sendCommand } from "../link/commands";
import { readyConnection, type ReadyLink } from "../link/connection";
import type { HostRecord } from "../store/records";
import { commandKeyOf } from "./commandKey";
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

/** Asks the host to trust its project's hooks file if it still has the content `hash` is of. */
export async function trustProjectHooks(link: ReadyLink, host: HostRecord, hash: string, online: boolean): Promise<void> {
  if (!online) {
    throw new TetherError(
      ErrorCode.HostOffline,
      "The computer is offline: trust its hooks when it is connected, so it checks the file you saw.",
    );
  }
  const { socket, deviceId } = await readyConnection(link);
  const outcome = await sendCommand(
    socket,
    { hostId: host.hostId, deviceId, commandKey: commandKeyOf(host) },
    { type: "hooks-trust", hash },
  );
  if (outcome.queued)
    throw new TetherError(ErrorCode.HostOffline, "The computer went offline as this was sent; nothing was trusted yet.");
}
