// The relay's Socket.IO server and socket, typed by the protocol's event maps, and who a
// socket is.

import type { Server, Socket } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "#protocol";

export type TetherServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type TetherSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export type Role = "anonymous" | "host" | "phone" | "viewer";

export function roleOf(socket: TetherSocket): Role {
  return socket.data.device?.kind ?? (socket.data.viewer ? "viewer" : "anonymous");
}
