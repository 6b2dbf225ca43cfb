// A TCP proxy that fails over, as a load balancer in front of several relays does: each new
// connection goes to the first backend that accepts it, in the order given. A connection is
// passed through untouched (HTTP, WebSocket upgrades and all) and closed on both sides when
// either side closes, so a client of a relay that died sees its connection drop and reconnects
// through the proxy, to a relay that lives.

import { createConnection, createServer, type Socket } from "node:net";

export interface FailoverProxy {
  url: string;
  port: number;
  /** Connections passed on per backend port, counted from the start. */
  routed: Map<number, number>;
  close(): Promise<void>;
}

export async function startFailoverProxy(backends: readonly number[]): Promise<FailoverProxy> {
  const open = new Set<Socket>();
  const routed = new Map<number, number>();
  const track = (s: Socket): void => {
    open.add(s);
    s.once("close", () => open.delete(s));
  };
  const server = createServer((client) => {
    track(client);
    client.pause();
    client.on("error", () => client.destroy());
    const attempt = (i: number): void => {
      if (i >= backends.length || client.destroyed) {
        client.destroy();
        return;
      }
      const port = backends[i]!;
      const upstream = createConnection({ host: "127.0.0.1", port });
      track(upstream);
      let linked = false;
      upstream.on("error", () => {
        upstream.destroy();
        // Refused (the relay is down): the next one. Once linked, its close ends the client's.
        if (!linked) attempt(i + 1);
      });
      upstream.once("connect", () => {
        linked = true;
        routed.set(port, (routed.get(port) ?? 0) + 1);
        upstream.once("close", () => client.destroy());
        client.once("close", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    routed,
    close() {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
