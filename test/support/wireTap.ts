// A recording TCP proxy in front of a relay, and a scanner for what it recorded. Clients are
// pointed at the tap instead of the relay; every connection is passed through untouched and
// every byte is kept, per connection and per direction. The scanner then reads the recording
// the way a client would (HTTP responses with their chunked and compressed bodies, WebSocket
// frames unmasked and fragmented messages joined) and searches the raw bytes and every decoded
// payload, so a string split across TCP segments, chunks or frames is still found.

import { createConnection, createServer, type Socket } from "node:net";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { until } from "./wait";

export interface TapConnection {
  id: number;
  /** What the relay sent back, in arrival order. */
  fromServer: Buffer[];
  /** What the client sent, in arrival order. */
  fromClient: Buffer[];
}

export interface WireTap {
  url: string;
  port: number;
  connections: TapConnection[];
  /** Resolves once no connection through the tap is open (both sides closed). */
  whenIdle(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWireTap(targetPort: number, targetHost = "127.0.0.1"): Promise<WireTap> {
  const open = new Set<Socket>();
  const connections: TapConnection[] = [];
  const track = (s: Socket): void => {
    open.add(s);
    s.once("close", () => open.delete(s));
  };
  const server = createServer((client) => {
    const conn: TapConnection = { id: connections.length + 1, fromServer: [], fromClient: [] };
    connections.push(conn);
    track(client);
    const upstream = createConnection({ host: targetHost, port: targetPort });
    track(upstream);
    client.on("data", (chunk: Buffer) => {
      conn.fromClient.push(Buffer.from(chunk));
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      conn.fromServer.push(Buffer.from(chunk));
      client.write(chunk);
    });
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    async whenIdle(ms = 10_000) {
      await until("every socket through the tap to close", () => open.size === 0, ms).catch((err: Error) => {
        throw new Error(`${err.message}; ${open.size} still open`);
      });
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- Reading a recording ----

export interface HttpMessage {
  /** Request or status line. */
  start: string;
  /** Header names lowercased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body as the peer meant it: de-chunked and decompressed. */
  body: Buffer;
}

export interface WsFrame {
  fin: boolean;
  /** RSV1: set on a frame compressed with permessage-deflate. */
  rsv1: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

export interface WsMessage {
  opcode: number;
  compressed: boolean;
  payload: Buffer;
}

export interface StreamReading {
  http: HttpMessage[];
  frames: WsFrame[];
  messages: WsMessage[];
  /** Bytes at the end that do not make a whole HTTP message or frame (a stream cut short). */
  leftover: number;
}

function headerBlock(buf: Buffer, at: number): { start: string; headers: Record<string, string>; next: number } | null {
  const end = buf.indexOf("\r\n\r\n", at, "latin1");
  if (end < 0) return null;
  const [start = "", ...lines] = buf.toString("latin1", at, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { start, headers, next: end + 4 };
}

function dechunk(buf: Buffer, at: number): { body: Buffer; next: number } | null {
  const parts: Buffer[] = [];
  let i = at;
  for (;;) {
    const eol = buf.indexOf("\r\n", i, "latin1");
    if (eol < 0) return null;
    const size = parseInt(buf.toString("latin1", i, eol).split(";")[0]!.trim(), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size at byte ${i}`);
    i = eol + 2;
    if (size === 0) {
      // Trailers, then an empty line.
      const end = buf.indexOf("\r\n\r\n", i - 2, "latin1");
      if (end < 0) return null;
      return { body: Buffer.concat(parts), next: end + 4 };
    }
    if (i + size + 2 > buf.length) return null;
    parts.push(buf.subarray(i, i + size));
    i += size + 2;
  }
}

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  const codings = (encoding ?? "")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== "identity");
  let out = body;
  for (const coding of codings.reverse()) {
    if (coding === "gzip" || coding === "x-gzip") out = gunzipSync(out);
    else if (coding === "deflate") out = inflateSync(out);
    else if (coding === "br") out = brotliDecompressSync(out);
    else throw new Error(`unknown content-encoding ${coding}: the scan cannot read it`);
  }
  return out;
}

function readFrame(buf: Buffer, at: number): { frame: WsFrame; next: number } | null {
  if (at + 2 > buf.length) return null;
  const b0 = buf[at]!;
  const b1 = buf[at + 1]!;
  let len = b1 & 0x7f;
  let i = at + 2;
  if (len === 126) {
    if (i + 2 > buf.length) return null;
    len = buf.readUInt16BE(i);
    i += 2;
  } else if (len === 127) {
    if (i + 8 > buf.length) return null;
    len = Number(buf.readBigUInt64BE(i));
    i += 8;
  }
  const masked = (b1 & 0x80) !== 0;
  let mask: Buffer | undefined;
  if (masked) {
    if (i + 4 > buf.length) return null;
    mask = buf.subarray(i, i + 4);
    i += 4;
  }
  if (i + len > buf.length) return null;
  const payload = Buffer.from(buf.subarray(i, i + len));
  if (mask) for (let k = 0; k < payload.length; k++) payload[k]! ^= mask[k % 4]!;
  return {
    frame: { fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, opcode: b0 & 0x0f, masked, payload },
    next: i + len,
  };
}

/**
 * Reads one direction of one connection: HTTP messages until a WebSocket upgrade (a 101 from
 * the server, an `Upgrade: websocket` request from the client), WebSocket frames after it.
 */
export function readStream(buf: Buffer, side: "server" | "client"): StreamReading {
  const reading: StreamReading = { http: [], frames: [], messages: [], leftover: 0 };
  let i = 0;
  let websocket = false;
  let partial: WsMessage | undefined;
  while (i < buf.length) {
    if (!websocket) {
      const head = headerBlock(buf, i);
      if (!head) break;
      let body: Buffer = Buffer.alloc(0);
      let next = head.next;
      const status = side === "server" ? Number(head.start.split(" ")[1]) : 0;
      const bodyless = side === "server" && ((status >= 100 && status < 200) || status === 204 || status === 304);
      if (!bodyless && /chunked/i.test(head.headers["transfer-encoding"] ?? "")) {
        const chunked = dechunk(buf, next);
        if (!chunked) break;
        body = chunked.body;
        next = chunked.next;
      } else if (!bodyless && head.headers["content-length"] !== undefined) {
        const length = Number(head.headers["content-length"]);
        if (next + length > buf.length) break;
        body = buf.subarray(next, next + length);
        next += length;
      } else if (!bodyless && side === "server") {
        // No length: the body runs to the end of the connection.
        body = buf.subarray(next);
        next = buf.length;
      }
      // A 304 names the coding of a body it does not carry: nothing to decode.
      const decoded = bodyless ? body : decodeBody(body, head.headers["content-encoding"]);
      reading.http.push({ start: head.start, headers: head.headers, body: decoded });
      i = next;
      const upgrade = /websocket/i.test(head.headers.upgrade ?? "");
      if (side === "server" ? status === 101 : upgrade) websocket = true;
      continue;
    }
    const read = readFrame(buf, i);
    if (!read) break;
    const { frame } = read;
    reading.frames.push(frame);
    i = read.next;
    if (frame.opcode >= 8) {
      reading.messages.push({ opcode: frame.opcode, compressed: frame.rsv1, payload: frame.payload });
    } else if (frame.opcode === 0 && partial) {
      partial.payload = Buffer.concat([partial.payload, frame.payload]);
    } else {
      partial = { opcode: frame.opcode, compressed: frame.rsv1, payload: frame.payload };
    }
    if (frame.opcode < 8 && frame.fin && partial) {
      reading.messages.push(partial);
      partial = undefined;
    }
  }
  if (partial) reading.messages.push(partial);
  reading.leftover = buf.length - i;
  return reading;
}

// ---- Scanning ----

export interface ScanHit {
  marker: string;
  form: string;
  connection: number;
  direction: "server" | "client";
  where: string;
}

export interface WireScan {
  connections: number;
  bytesFromServer: number;
  bytesFromClient: number;
  /** WebSocket frames and messages sent by the server. */
  framesFromServer: number;
  messagesFromServer: number;
  framesFromClient: number;
  httpResponses: number;
  /** WebSocket handshake responses, and those that agreed to permessage-deflate. */
  upgrades: number;
  deflateUpgrades: number;
  /** Client upgrade requests that offered permessage-deflate (the relay is free to refuse). */
  deflateOffers: number;
  /** Frames with RSV1 set (compressed): the text scan cannot see into them. */
  compressedFrames: number;
  leftoverBytes: number;
  hits: ScanHit[];
  /** Whether `needle` occurs in anything the server sent (raw or decoded). */
  serverSent(needle: string): boolean;
  /** The server's WebSocket messages, as UTF-8 text. */
  serverMessages: string[];
}

/** A string as it may be written on the wire: plain, and escaped inside a JSON string. */
export function wireForms(marker: string): string[] {
  const json = JSON.stringify(marker).slice(1, -1);
  const forms = [marker, json, json.replace(/\//g, "\\/")];
  // Every non-ASCII character as \uXXXX, as some JSON writers do.
  forms.push(json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  return [...new Set(forms)];
}

interface View {
  connection: number;
  direction: "server" | "client";
  where: string;
  bytes: Buffer;
}

/**
 * Reads every recorded connection and searches it for each marker in each of its wire forms:
 * the raw bytes both ways (client frames are masked, so theirs are searched decoded too), every
 * HTTP body and every WebSocket message.
 */
export function scanWire(connections: readonly TapConnection[], markers: readonly string[]): WireScan {
  const views: View[] = [];
  const scan: Omit<WireScan, "hits" | "serverSent" | "serverMessages"> = {
    connections: connections.length,
    bytesFromServer: 0,
    bytesFromClient: 0,
    framesFromServer: 0,
    messagesFromServer: 0,
    framesFromClient: 0,
    httpResponses: 0,
    upgrades: 0,
    deflateUpgrades: 0,
    deflateOffers: 0,
    compressedFrames: 0,
    leftoverBytes: 0,
  };
  const serverMessages: string[] = [];
  for (const conn of connections) {
    for (const direction of ["server", "client"] as const) {
      const raw = Buffer.concat(direction === "server" ? conn.fromServer : conn.fromClient);
      const reading = readStream(raw, direction);
      const base = { connection: conn.id, direction };
      views.push({ ...base, where: "raw bytes", bytes: raw });
      reading.http.forEach((m, n) => {
        views.push({
          ...base,
          where: `HTTP message ${n + 1} head`,
          bytes: Buffer.from(`${m.start}\n${JSON.stringify(m.headers)}`),
        });
        views.push({ ...base, where: `HTTP message ${n + 1} body`, bytes: m.body });
      });
      reading.messages.forEach((m, n) => views.push({ ...base, where: `WebSocket message ${n + 1}`, bytes: m.payload }));
      scan.compressedFrames += reading.frames.filter((f) => f.rsv1).length;
      scan.leftoverBytes += reading.leftover;
      if (direction === "server") {
        scan.bytesFromServer += raw.length;
        scan.framesFromServer += reading.frames.length;
        scan.messagesFromServer += reading.messages.length;
        scan.httpResponses += reading.http.length;
        for (const m of reading.http) {
          if (!m.start.includes(" 101 ")) continue;
          scan.upgrades++;
          if (/permessage-deflate/i.test(m.headers["sec-websocket-extensions"] ?? "")) scan.deflateUpgrades++;
        }
        for (const m of reading.messages) if (m.opcode === 1 || m.opcode === 2) serverMessages.push(m.payload.toString("utf8"));
      } else {
        scan.bytesFromClient += raw.length;
        scan.framesFromClient += reading.frames.length;
        for (const m of reading.http) {
          if (
            /websocket/i.test(m.headers.upgrade ?? "") &&
            /permessage-deflate/i.test(m.headers["sec-websocket-extensions"] ?? "")
          ) {
            scan.deflateOffers++;
          }
        }
      }
    }
  }
  const hits: ScanHit[] = [];
  for (const marker of markers) {
    for (const form of wireForms(marker)) {
      const needle = Buffer.from(form, "utf8");
      for (const view of views) {
        if (view.bytes.includes(needle))
          hits.push({ marker, form, connection: view.connection, direction: view.direction, where: view.where });
      }
    }
  }
  return {
    ...scan,
    hits,
    serverMessages,
    serverSent: (needle) => views.some((v) => v.direction === "server" && v.bytes.includes(Buffer.from(needle, "utf8"))),
  };
}
