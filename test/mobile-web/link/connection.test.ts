import assert from "node:assert/strict";
import { ErrorCode, TetherError } from "#protocol";
import {
  NOT_CONNECTED_MESSAGE,
  NotConnectedError,
  describeCallFailure,
  readyConnection,
  type ReadyLink,
} from "../../../mobile-web/src/link/connection";
import type { TetherSocket } from "../../../mobile-web/src/link/request";

const socket = { id: "s1" } as unknown as TetherSocket;

/** A link that comes up when `up` is called, and honours the caller's abort like `RelayLink.whenReady`. */
function linkComingUp(authenticated: boolean): ReadyLink & { up(deviceId: string | null): void; asked: number } {
  let resolveUp: (() => void) | null = null;
  const link = {
    authenticated,
    deviceId: null as string | null,
    asked: 0,
    up(deviceId: string | null) {
      link.deviceId = deviceId;
      resolveUp?.();
    },
    whenReady(signal?: AbortSignal): Promise<TetherSocket> {
      link.asked++;
      return new Promise((resolve, reject) => {
        resolveUp = () => resolve(socket);
        signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")), { once: true });
      });
    },
  };
  return link;
}

describe("waiting for the relay before a call", () => {
  it("hands over the socket and this phone's id once the link is up and greeted", async () => {
    const link = linkComingUp(true);
    const pending = readyConnection(link, 5_000);
    link.up("d1");
    assert.deepEqual(await pending, { socket, deviceId: "d1" });
  });

  it("says not connected at once on a socket without a token, without waiting for it", async () => {
    const link = linkComingUp(false);
    await assert.rejects(readyConnection(link, 5_000), NotConnectedError);
    assert.equal(link.asked, 0);
  });

  it("gives up after the wait when the link does not come up", async () => {
    const started = Date.now();
    await assert.rejects(readyConnection(linkComingUp(true), 50), NotConnectedError);
    assert.ok(Date.now() - started < 2_000, "it waited far longer than asked");
  });

  it("says not connected when the link came up without the relay's hello", async () => {
    const link = linkComingUp(true);
    const pending = readyConnection(link, 5_000);
    link.up(null);
    await assert.rejects(pending, NotConnectedError);
  });

  it("words a failed call the same for every caller", () => {
    assert.equal(describeCallFailure(new NotConnectedError(), "Desk"), NOT_CONNECTED_MESSAGE);
    assert.equal(
      describeCallFailure(new TetherError(ErrorCode.HostOffline, "offline"), "Desk"),
      "Desk is offline. Files can be browsed when it's back.",
    );
  });
});
