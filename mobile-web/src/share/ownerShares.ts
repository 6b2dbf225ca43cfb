// The owner's side of sharing a thread, from the phone: list the thread's read-only links, make
// one, revoke one. Each is a sealed call to the computer, which keeps the links' secrets; the
// relay sees a call of some size, never the link.

import { ErrorCode, TetherError, type SharesResult } from "#protocol";
import { commandKeyOf } from "../hosts/commandKey";
import type { Hosts } from "../hosts/hosts.svelte";
import { readyConnection, type ReadyLink } from "../link/connection";
import { callHost } from "../link/rpc";

export type ShareCall =
  | { type: "share-list"; threadId: string }
  | { type: "share-create"; threadId: string }
  | { type: "share-revoke"; threadId: string; shareId: string };

export async function callShares(
  link: ReadyLink,
  hosts: Pick<Hosts, "get">,
  hostId: string,
  call: ShareCall,
): Promise<SharesResult> {
  const { socket, deviceId } = await readyConnection(link);
  const host = hosts.get(hostId);
  if (!host) throw new TetherError(ErrorCode.NotFound, "This computer is not paired with this phone.");
  return callHost(socket, { hostId, deviceId, commandKey: commandKeyOf(host) }, call);
}
