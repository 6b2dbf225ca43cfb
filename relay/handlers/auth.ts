// The handshake: protocol version first, then the bearer token. A socket without a token
// stays anonymous and may only register a host or join a pairing.

import { createHash } from "node:crypto";
import { ErrorCode, PROTOCOL_VERSION, handshakeSchema, type ConnectErrorData } from "../../protocol/index";
import type { HandlerContext, TetherSocket } from "./context";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function refuse(code: ErrorCode, message: string): Error {
  const err = new Error(message) as Error & { data: ConnectErrorData };
  err.data = { code, message, relayVersion: PROTOCOL_VERSION };
  return err;
}

export function authMiddleware(ctx: HandlerContext) {
  return (socket: TetherSocket, next: (err?: Error) => void): void => {
    socket.data.ip = socket.handshake.address;
    const parsed = handshakeSchema.safeParse(socket.handshake.auth);
    if (!parsed.success) {
      ctx.log.warn("handshake refused: malformed", { ip: socket.data.ip });
      next(refuse(ErrorCode.BadRequest, "The handshake must carry { v, token? }."));
      return;
    }
    const { v, token } = parsed.data;
    if (v !== PROTOCOL_VERSION) {
      ctx.log.warn("handshake refused: protocol mismatch", { ip: socket.data.ip, client: v });
      next(
        refuse(
          ErrorCode.ProtocolMismatch,
          `This client speaks Tether protocol ${v} and the relay speaks ${PROTOCOL_VERSION}: please update ` +
            (v < PROTOCOL_VERSION ? "the client." : "the relay."),
        ),
      );
      return;
    }
    if (token === undefined) {
      next();
      return;
    }
    // Lookup by the token's SHA-256: timing reveals nothing about the token itself.
    const device = ctx.store.deviceByTokenHash(hashToken(token));
    if (!device || device.revokedAt !== null) {
      ctx.log.warn("handshake refused: unknown or revoked token", { ip: socket.data.ip });
      next(refuse(ErrorCode.Unauthorized, "This device is not registered with the relay, or was revoked."));
      return;
    }
    socket.data.device = { id: device.id, kind: device.kind };
    next();
  };
}
