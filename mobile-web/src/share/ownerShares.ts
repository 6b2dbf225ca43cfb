// The owner's side of sharing a thread, from the phone: list the thread's read-only links, make
// one, revoke one. Each is a sealed call to the computer, which keeps the links' secrets; the
// relay sees a call of some size, never the link.

import { ErrorCode, TetherError } from "#protocol";
import { shareReplySchema, type ShareCall, type SharesResult } from "#protocol/shareCalls";
import { commandKeyOf } from "../hosts/commandKey";
import type { Hosts } from "../hosts/hosts.svelte";
import { readyConnection, type ReadyLink } from "../link/connection";
import { failed } from "../link/request";
import { sealedCall } from "../link/rpc";

export type { ShareCall };

export async function callShares(
  link: ReadyLink,
  hosts: Pick<Hosts, "get">,
  hostId: string,
  call: ShareCall,
): Promise<SharesResult> {
  const { socket, deviceId } = await readyConnection(link);
  const host = hosts.get(hostId);
  if (!host) throw new TetherError(ErrorCode.NotFound, "This computer is not paired with this phone.");
  const parsed = shareReplySchema.safeParse(await sealedCall(socket, { hostId, deviceId, commandKey: commandKeyOf(host) }, call));
  if (!parsed.success)
    throw new TetherError(ErrorCode.BadRequest, "This computer does not share threads yet: update Tether on it.");
  if (!parsed.data.ok) throw failed(parsed.data);
  return parsed.data.result;
}
