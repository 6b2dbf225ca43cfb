// A crowd of idle connections in its own process, so holding thousands of sockets costs the
// measured processes nothing. Connects to the relay with Socket.IO's wire protocol over `ws`
// (bench/lib/eio.ts): to the relay these are authenticated phones like any other, at a
// fraction of socket.io-client's memory. To the floor they are bare WebSockets.
//
// Usage: worker.ts <tether|floor> <url> <tokens.json | count>
// Prints `connected N in T ms` once all are open, `failed …` on the first error, then waits for SIGTERM.

import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { connectWire } from "../lib/eio";

const [kind, url, what] = process.argv.slice(2);
const IN_FLIGHT = 64;
const sockets: { close(): void }[] = [];

function connectFloor(): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/?role=idle&group=crowd`, { perMessageDeflate: false });
    sockets.push({ close: () => ws.terminate() });
    ws.on("error", reject);
    ws.on("open", () => resolve());
  });
}

async function main(): Promise<void> {
  const jobs: (() => Promise<void>)[] =
    kind === "tether"
      ? (JSON.parse(readFileSync(what!, "utf8")) as string[]).map((token) => async () => {
          sockets.push(await connectWire(url!, token));
        })
      : Array.from({ length: Number(what) }, () => connectFloor);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
  process.stdout.write(`connected ${jobs.length} in ${Math.round(performance.now() - t0)} ms\n`);
}

main().catch((err: unknown) => {
  process.stdout.write(`failed ${(err as Error).message}\n`);
  process.exit(1);
});

process.on("SIGTERM", () => {
  for (const s of sockets) s.close();
  process.exit(0);
});
