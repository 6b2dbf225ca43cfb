// The host's relay link against a bare Socket.IO server that refuses its first handshakes, as a
// relay does when it is busy or its store is down: the link keeps trying until it is let in.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server } from "socket.io";
import { ErrorCode } from "#protocol";
import { HostIdentity } from "../../../extension/core/identity";
import { RelayLink } from "../../../extension/core/link/relayLink";
import { stateFile } from "../../../extension/node/stateFile";
import { quietLog } from "../../support/host";

describe("relay link", () => {
  let dir: string;
  let http: ReturnType<typeof createServer>;
  let io: Server;
  let link: RelayLink | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tether-link-"));
    http = createServer();
    io = new Server(http);
  });

  afterEach(async () => {
    link?.dispose();
    await io.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("tries again after the relay refused its handshake, until it is let in", async function () {
    this.timeout(15_000);
    let refusals = 0;
    io.use((_socket, next) => {
      if (refusals >= 2) return next();
      refusals++;
      next(
        Object.assign(new Error("The relay's store is not answering."), {
          data: { code: ErrorCode.Internal, message: "store down" },
        }),
      );
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const identity = await HostIdentity.loadOrCreate(stateFile(dir));
    await identity.setCredentials(url, { deviceId: "host1", token: "t".repeat(43) });

    link = new RelayLink(url, identity, quietLog);
    const states: string[] = [];
    const open = new Promise<void>((resolve) =>
      link!.on("state", (state: string) => {
        states.push(state);
        if (state === "open") resolve();
      }),
    );
    await link.start();
    await open;
    assert.equal(refusals, 2);
    assert.ok(states.indexOf("connecting") < states.indexOf("open"), states.join(", "));
  });
});
