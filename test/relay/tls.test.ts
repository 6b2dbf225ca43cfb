import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io } from "socket.io-client";
import { PROTOCOL_VERSION } from "#protocol";
import { memoryLogger } from "../../relay/log";
import { createRelay } from "../../relay/server";
import { start, type Proc } from "../support/processes";
import { startRelay, type TestRelay } from "../support/relay";
import { selfSignedCert } from "../support/tls";

const ROOT = join(__dirname, "..", "..");

function exitCode(proc: Proc): Promise<number | null> {
  const { child } = proc;
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", resolve));
}

function get(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith("https:") ? httpsRequest(url, { ca }) : httpRequest(url);
    request
      .on("response", (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject)
      .end();
  });
}

describe("relay: HTTPS with --tls-cert and --tls-key", () => {
  let dir: string;
  let tls: { key: string; cert: string };
  let relay: TestRelay | undefined;

  const files = (cert: string, key: string) => {
    writeFileSync(join(dir, "cert.pem"), cert);
    writeFileSync(join(dir, "key.pem"), key, { mode: 0o600 });
    return { certFile: join(dir, "cert.pem"), keyFile: join(dir, "key.pem") };
  };
  const startWith = (tlsFiles: { certFile: string; keyFile: string }) =>
    createRelay(
      {
        host: "127.0.0.1",
        port: 0,
        dataDir: join(dir, "data"),
        webDir: null,
        publicUrl: undefined,
        logFormat: "json",
        tls: tlsFiles,
      },
      { log: memoryLogger() },
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tether-tls-"));
    tls = selfSignedCert(["127.0.0.1", "localhost"], "tether test relay");
  });

  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves health and sockets over https, and nothing over plain http", async () => {
    relay = await startRelay({ config: { tls: files(tls.cert, tls.key) } });
    assert.match(relay.url, /^https:\/\/127\.0\.0\.1:\d+$/);

    const health = await get(relay.url + "/healthz", tls.cert);
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(health.body).ok, true);
    // Without trusting the certificate, a client refuses it, as it should a stranger's.
    await assert.rejects(get(relay.url + "/healthz"), /self-signed|unable to verify/i);
    await assert.rejects(get(relay.url.replace("https:", "http:") + "/healthz"));

    const socket = io(relay.url, {
      auth: { v: PROTOCOL_VERSION },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      ca: tls.cert,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      });
      const registered = await socket.timeout(5000).emitWithAck("host:register", {});
      assert.equal(registered.ok, true);
    } finally {
      socket.close();
    }
  });

  it("refuses to start with a file it cannot read or a key that is not the certificate's", async () => {
    const good = files(tls.cert, tls.key);
    await assert.rejects(startWith({ ...good, certFile: join(dir, "missing.pem") }), (err: Error) => {
      assert.equal(err.message, `--tls-cert ${join(dir, "missing.pem")}: cannot read it (no such file)`);
      return true;
    });
    await assert.rejects(startWith({ ...good, keyFile: dir }), /^Error: --tls-key .*: cannot read it/);

    const other = selfSignedCert(["127.0.0.1"]);
    await assert.rejects(
      startWith(files(tls.cert, other.key)),
      /--tls-cert .* and --tls-key .* are not a PEM certificate and its private key/,
    );
    await assert.rejects(startWith(files("not a certificate\n", tls.key)), /not a PEM certificate/);
  });

  it("says so and exits when started from the command line with only one of the two", async () => {
    const relayMain = join(ROOT, "relay", "main.ts");
    const only = start(process.execPath, ["--import", "tsx", relayMain, "--port", "0", "--tls-cert", join(dir, "c.pem")], {
      cwd: ROOT,
      env: { TETHER_DATA_DIR: join(dir, "data") },
    });
    await only.waitFor(/HTTPS needs both --tls-cert and --tls-key \(--tls-key is missing\)/);
    const code = await exitCode(only);
    assert.equal(code, 2);

    const unreadable = start(
      process.execPath,
      ["--import", "tsx", relayMain, "--port", "0", "--tls-cert", join(dir, "c.pem"), "--tls-key", join(dir, "k.pem")],
      { cwd: ROOT, env: { TETHER_DATA_DIR: join(dir, "data") } },
    );
    await unreadable.waitFor(/tether-relay: --tls-cert \S+c\.pem: cannot read it \(no such file\)/);
    assert.equal(await exitCode(unreadable), 1);
  });
});
