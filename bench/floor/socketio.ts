// A bare Socket.IO server with the relay's options and nothing else: no auth, no handlers, no
// rooms. Between the floor (bare `ws`) and the relay, it shows what Socket.IO itself costs.
// Bundled and run by plain `node`, as the relay is (bench/lib/floor.ts). Prints `socket.io listening on http://…` when ready.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { MAX_BOX_CHARS } from "#protocol";

const http = createServer();
const io = new Server(http, {
  maxHttpBufferSize: MAX_BOX_CHARS + 64 * 1024,
  serveClient: false,
  pingInterval: 20_000,
  pingTimeout: 20_000,
});
io.on("connection", () => undefined);

http.listen(0, "127.0.0.1", () => {
  process.stdout.write(`socket.io listening on http://127.0.0.1:${(http.address() as AddressInfo).port}\n`);
});

const stop = (): void => {
  void io.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
