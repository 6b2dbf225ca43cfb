// The phone's answer to a host's untrusted project hooks: trust exactly the file content it was
// shown. Sent only while the computer is online, like git commands: trust given from a queue
// hours later would be trust in a file the person no longer sees.

import { ErrorCode, TetherError } from "#protocol";
import { sendCommand } from "../link/commands";
import { readyConnection, type ReadyLink } from "../link/connection";
import type { HostRecord } from "../store/records";
import { commandKeyOf } from "./commandKey";

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
