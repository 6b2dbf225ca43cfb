// The floor: the same message patterns as the relay over a bare `ws` server with no auth, no
// storage and no crypto, so the benchmarks can show what Tether adds. Run as its own process,
// like the relay; prints `floor listening on ws://…` when ready.
//
// Clients connect to `/?role=host|phone|idle&group=G` and send JSON text frames:
// - a phone's message goes to its group's host, stamped with `from` (the phone's connection);
//   `{ t: "sync", after, limit }` is answered here from what the group's host published;
// - a host's message goes to the connection named by `to`, else to every phone of its group;
//   `t: "pub"` is also kept in memory for `sync`, and `ack: true` is answered `{ t: "ack", id }`.

import { WebSocketServer, type WebSocket } from "ws";

interface Group {
  host: WebSocket | undefined;
  phones: Set<WebSocket>;
  /** Published messages, as sent, for `sync`. Memory only: the floor has no storage. */
  log: string[];
}

interface Message {
  t: string;
  id?: number;
  to?: number;
  from?: number;
  ack?: boolean;
  after?: number;
  limit?: number;
}

const groups = new Map<string, Group>();
const byId = new Map<number, WebSocket>();
let nextId = 1;

const groupOf = (name: string): Group => {
  let group = groups.get(name);
  if (!group) groups.set(name, (group = { host: undefined, phones: new Set(), log: [] }));
  return group;
};

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });

wss.on("connection", (ws, req) => {
  const query = new URL(req.url ?? "/", "http://floor").searchParams;
  const role = query.get("role") ?? "idle";
  const group = groupOf(query.get("group") ?? "");
  const id = nextId++;
  byId.set(id, ws);
  if (role === "host") group.host = ws;
  if (role === "phone") group.phones.add(ws);
  ws.on("close", () => {
    byId.delete(id);
    group.phones.delete(ws);
    if (group.host === ws) group.host = undefined;
  });
  ws.on("error", () => undefined);
  if (role === "idle") return;

  ws.on("message", (data) => {
    const text = data.toString();
    const message = JSON.parse(text) as Message;
    if (role === "phone") {
      if (message.t === "sync") {
        const after = message.after ?? 0;
        const page = group.log.slice(after, after + (message.limit ?? 1000));
        const more = after + page.length < group.log.length;
        ws.send(`{"t":"page","id":${message.id ?? 0},"more":${more},"events":[${page.join(",")}]}`);
        return;
      }
      message.from = id;
      group.host?.send(JSON.stringify(message));
      return;
    }
    if (message.t === "pub") group.log.push(text);
    if (message.to !== undefined) byId.get(message.to)?.send(text);
    else for (const phone of group.phones) phone.send(text);
    if (message.ack) ws.send(`{"t":"ack","id":${message.id ?? 0}}`);
  });
});

wss.on("listening", () => {
  const address = wss.address();
  if (!address || typeof address === "string") throw new Error("floor: unexpected address");
  process.stdout.write(`floor listening on ws://127.0.0.1:${address.port}\n`);
});

const stop = (): void => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
