// The wire scan used by the blind-relay end-to-end test must be able to fail: a string planted
// in a recording is found however it was framed, chunked, compressed or masked, and through a
// live tap in front of a Socket.IO server. A real relay does not agree to compressed frames.

import assert from "node:assert/strict";
import { createServer, type Server as HttpServer } from "node:http";
import { gzipSync } from "node:zlib";
import { Server } from "socket.io";
import { io } from "socket.io-client";
import { connect } from "../support/phone";
import { startRelay } from "../support/relay";
import { readStream, scanWire, startWireTap, type TapConnection } from "../support/wireTap";

const PLANTED = "numbat-planted-9041";

function frame(opcode: number, payload: Buffer, options: { fin?: boolean; mask?: Buffer; rsv1?: boolean } = {}): Buffer {
  const head = [((options.fin ?? true) ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | opcode];
  const maskBit = options.mask ? 0x80 : 0;
  if (payload.length < 126) head.push(maskBit | payload.length);
  else if (payload.length < 65536) head.push(maskBit | 126, payload.length >> 8, payload.length & 0xff);
  else throw new Error("not needed here");
  const body = Buffer.from(payload);
  if (options.mask) for (let i = 0; i < body.length; i++) body[i]! ^= options.mask[i % 4]!;
  return Buffer.concat([Buffer.from(head), options.mask ?? Buffer.alloc(0), body]);
}

const upgradeResponse = (extensions = ""): Buffer =>
  Buffer.from(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: x${extensions ? `\r\nSec-WebSocket-Extensions: ${extensions}` : ""}\r\n\r\n`,
  );
const upgradeRequest = Buffer.from(
  "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: k\r\nSec-WebSocket-Version: 13\r\n\r\n",
);

/** Splits a buffer into pieces of `size`, as TCP may deliver it. */
const pieces = (buf: Buffer, size: number): Buffer[] => {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
};

const conn = (fromServer: Buffer, fromClient: Buffer = Buffer.alloc(0)): TapConnection => ({
  id: 1,
  fromServer: pieces(fromServer, 7),
  fromClient: pieces(fromClient, 5),
});

describe("wire scan", () => {
  it("finds a string split across two WebSocket frames, which the raw bytes do not show", () => {
    const message = Buffer.from(`42["event",{"note":"${PLANTED}"}]`);
    const cut = message.indexOf(PLANTED) + 6;
    const server = Buffer.concat([
      upgradeResponse(),
      frame(1, message.subarray(0, cut), { fin: false }),
      frame(9, Buffer.from("ping")),
      frame(0, message.subarray(cut)),
    ]);
    const wire = scanWire([conn(server)], [PLANTED]);
    assert.ok(!server.includes(PLANTED), "the planted string is split on the wire");
    assert.deepEqual(
      wire.hits.map((h) => [h.direction, h.where]),
      [["server", "WebSocket message 2"]],
    );
    assert.equal(wire.framesFromServer, 3);
    assert.equal(wire.messagesFromServer, 2);
    assert.deepEqual(wire.serverMessages, [message.toString()]);
    assert.equal(wire.leftoverBytes, 0);
  });

  it("finds a JSON-escaped string in a chunked, gzipped HTTP response, and a plain one in the raw bytes", () => {
    const quoted = `say "${PLANTED}"`;
    const body = gzipSync(Buffer.from(JSON.stringify({ text: quoted })));
    const chunked = Buffer.concat([
      Buffer.from(`${(10).toString(16)}\r\n`),
      body.subarray(0, 10),
      Buffer.from(`\r\n${(body.length - 10).toString(16)}\r\n`),
      body.subarray(10),
      Buffer.from("\r\n0\r\n\r\n"),
    ]);
    const server = Buffer.concat([
      Buffer.from("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"),
      chunked,
      Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${PLANTED.length + 2}\r\n\r\n4${PLANTED}\n`),
    ]);
    const wire = scanWire([conn(server)], [quoted, PLANTED]);
    assert.equal(wire.httpResponses, 2);
    const where = (marker: string): string[] => wire.hits.filter((h) => h.marker === marker).map((h) => `${h.where} (${h.form})`);
    assert.deepEqual(where(quoted), [`HTTP message 1 body (say \\"${PLANTED}\\")`]);
    assert.deepEqual(where(PLANTED), [
      `raw bytes (${PLANTED})`,
      `HTTP message 1 body (${PLANTED})`,
      `HTTP message 2 body (${PLANTED})`,
    ]);
  });

  it("unmasks what a client sent, and counts frames it cannot read", () => {
    const client = Buffer.concat([
      upgradeRequest,
      frame(1, Buffer.from(`42["command","${PLANTED}"]`), { mask: Buffer.from([1, 2, 3, 4]) }),
    ]);
    const server = Buffer.concat([upgradeResponse("permessage-deflate"), frame(1, Buffer.from([0xf2, 0x00]), { rsv1: true })]);
    const wire = scanWire([conn(server, client)], [PLANTED]);
    assert.ok(!client.includes(PLANTED), "masked on the wire");
    assert.deepEqual(
      wire.hits.map((h) => [h.direction, h.where]),
      [["client", "WebSocket message 1"]],
    );
    assert.equal(wire.upgrades, 1);
    assert.equal(wire.deflateUpgrades, 1);
    assert.equal(wire.compressedFrames, 1);
  });

  it("finds nothing in a clean recording, and reads a stream cut short as leftover", () => {
    const server = Buffer.concat([upgradeResponse(), frame(1, Buffer.from('42["event",{"box":"AAAA"}]'))]);
    const wire = scanWire([conn(server.subarray(0, server.length - 3))], [PLANTED]);
    assert.deepEqual(wire.hits, []);
    assert.equal(wire.leftoverBytes, server.length - upgradeResponse().length - 3);
    assert.equal(readStream(server, "server").messages.length, 1);
  });
});

describe("wire tap", () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function socketIoServer(perMessageDeflate: boolean | { threshold: number }): Promise<number> {
    const http: HttpServer = createServer();
    const server = new Server(http, { perMessageDeflate });
    server.on("connection", (socket) => socket.emit("event", { note: `${PLANTED} ${"x".repeat(2000)}` }));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return (http.address() as { port: number }).port;
  }

  async function receiveThroughTap(port: number): Promise<ReturnType<typeof scanWire>> {
    const tap = await startWireTap(port);
    closers.push(() => tap.close());
    const client = io(tap.url, { transports: ["websocket"], reconnection: false, forceNew: true });
    await new Promise<void>((resolve) => client.once("event", () => resolve()));
    client.close();
    await tap.whenIdle();
    return scanWire(tap.connections, [PLANTED]);
  }

  it("records a live Socket.IO connection, and the scan finds what the server emitted", async () => {
    const wire = await receiveThroughTap(await socketIoServer(false));
    assert.equal(wire.connections, 1);
    assert.equal(wire.deflateOffers, 1, "the client offers compression");
    assert.equal(wire.deflateUpgrades, 0);
    assert.ok(wire.hits.some((h) => h.direction === "server" && h.where.startsWith("WebSocket message")));
    assert.ok(wire.serverMessages.some((m) => m.startsWith('42["event",')));
  });

  it("shows compression when a server agrees to it, where the text scan goes blind", async () => {
    const wire = await receiveThroughTap(await socketIoServer({ threshold: 0 }));
    assert.equal(wire.deflateUpgrades, 1);
    assert.ok(wire.compressedFrames > 0);
    assert.deepEqual(wire.hits, [], "compressed, the planted string is not visible: hence the check");
  });

  it("a real relay refuses permessage-deflate although the client offers it", async () => {
    const relay = await startRelay();
    closers.push(() => relay.stop());
    const tap = await startWireTap(relay.port);
    closers.push(() => tap.close());
    const socket = connect(tap.url);
    await new Promise<void>((resolve) => socket.once("connect_error", () => resolve()).once("connect", () => resolve()));
    socket.close();
    await tap.whenIdle();
    const wire = scanWire(tap.connections, []);
    assert.equal(wire.deflateOffers, 1);
    assert.equal(wire.upgrades, 1);
    assert.equal(wire.deflateUpgrades, 0);
  });
});
