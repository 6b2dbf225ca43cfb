// One socket write per connection per event-loop turn. Socket.IO hands each packet to the
// WebSocket as its own frame, and each frame was its own write system call: a host's burst of
// events became one write per acknowledgement to the host and one per event to each phone.
// Corking the connection's TCP socket when the first packet of a turn goes out, and uncorking
// it once the turn is over, sends the same frames, in the same order, in one writev. Nothing
// on the wire changes: the frames and their bytes are exactly those that went out one by one.

import type { Server as EngineServer } from "engine.io";

interface RawSocket {
  cork(): void;
  uncork(): void;
  destroyed: boolean;
}

/** What the relay reads of an engine.io connection: its transport's TCP (or TLS) socket. */
interface EngineConnection {
  transport?: { name?: string; socket?: { _socket?: RawSocket } };
}

/** Sockets corked during this turn, uncorked together once it is over. */
const corked = new Set<RawSocket>();
let scheduled = false;

function uncorkAll(): void {
  scheduled = false;
  for (const raw of corked) raw.uncork();
  corked.clear();
}

/** Holds a connection's writes until the end of this turn (WebSocket connections only). */
function corkTurn(conn: EngineConnection): void {
  const transport = conn.transport;
  // Long polling answers one HTTP request with every queued packet already.
  if (transport?.name !== "websocket") return;
  const raw = transport.socket?._socket;
  if (!raw || raw.destroyed || corked.has(raw)) return;
  raw.cork();
  corked.add(raw);
  if (!scheduled) {
    scheduled = true;
    // After the I/O callbacks of this turn and the promises they settled: everything the
    // relay sends in answer to one read of the network goes out together.
    setImmediate(uncorkAll);
  }
}

/**
 * Corks each connection for the rest of the turn when engine.io flushes packets to it. One
 * listener on the server, so a connection costs nothing more.
 */
export function corkWrites(engine: EngineServer): void {
  engine.on("flush", corkTurn);
}
