// `tether-relay` as a process, stopped the way systemd and Docker stop it: SIGTERM. It must
// exit 0 within seconds, leave its database whole, and leave its clients reconnecting, so a
// restarted relay has them back without anyone touching a host or a phone.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { PROTOCOL_VERSION } from "#protocol";
import { startHost, type TestHost } from "../support/host";
import { pairPhone, type PairedPhone } from "../support/phone";
import { start, type Proc } from "../support/processes";
import { makeWorkspace } from "../support/workspace";
import { until } from "../support/wait";

const ROOT = join(__dirname, "..", "..");

function startRelayProcess(dataDir: string, port = 0): Proc {
  return start(
    process.execPath,
    ["--import", "tsx", join(ROOT, "relay", "main.ts"), "--port", String(port), "--data-dir", dataDir, "--log-format", "json"],
    { cwd: ROOT },
  );
}

function exited(proc: Proc, ms: number): Promise<number | null> {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${proc.output()}`)), ms);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe("relay: graceful shutdown on SIGTERM", () => {
  let tmp: string;
  let workspace: string;
  let relay: Proc | undefined;
  let host: TestHost | undefined;
  let phone: PairedPhone | undefined;
  let app: Socket | undefined;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "tether-shutdown-"));
    workspace = makeWorkspace({ "README.md": "hello\n" });
  });

  afterEach(async () => {
    app?.close();
    phone?.close();
    await host?.stop();
    await relay?.stop();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("exits 0 with its store closed, and its clients reconnect to the restarted relay", async () => {
    const dataDir = join(tmp, "relay");
    relay = startRelayProcess(dataDir);
    const url = (await relay.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    const port = Number(new URL(url).port);

    // A real host core, and the phone app's socket as the PWA opens it (reconnecting on its own).
    host = await startHost(url, workspace);
    phone = await pairPhone((await host.host.openPairing()).url);
    phone.close();
    app = io(url, { auth: { v: PROTOCOL_VERSION, token: phone.token }, transports: ["websocket"], reconnectionDelay: 200 });
    let hellos = 0;
    app.on("hello", () => (hellos += 1));
    const reasons: string[] = [];
    app.on("disconnect", (reason) => reasons.push(reason));
    await until("the first hello", () => hellos === 1);
    const hostStates: string[] = [];
    host.host.on("state", (state) => hostStates.push(state));

    const stoppedAt = Date.now();
    relay.child.kill("SIGTERM");
    assert.equal(await exited(relay, 5000), 0);
    assert.ok(Date.now() - stoppedAt < 5000);
    assert.match(relay.output(), /"msg":"shutting down","signal":"SIGTERM"/);
    assert.match(relay.output(), /"msg":"relay stopped"/);
    // Closing folded the write-ahead log into the database file.
    const wal = join(dataDir, "relay.sqlite-wal");
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, "the WAL was checkpointed");

    // Clients saw their transport close (which they retry), not a server-side disconnect (which they would not).
    await until("the phone's disconnect", () => reasons.length === 1);
    assert.deepEqual(reasons, ["transport close"]);
    await until("the host's link to change state", () => hostStates.length > 0);
    assert.equal(hostStates[0], "connecting");

    relay = startRelayProcess(dataDir, port);
    await relay.waitFor(/listening on/);
    await until("the host's link open again", () => host!.host.link.state === "open", 15_000);
    await until("the second hello", () => hellos === 2, 15_000);
    assert.ok(app.connected);
  });
});
