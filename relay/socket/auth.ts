// The handshake: protocol version first, then the bearer token. A socket without a token
// stays anonymous and may only register a host or join a pairing.

import { createHash } from "node:crypto";
import { ErrorCode, PROTOCOL_VERSION, handshakeSchema, type ConnectErrorData } from "#protocol";
import type { HandlerContext } from "./context";
import type { TetherSocket } from "./types";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function refuse(code: ErrorCode, message: string, revoked?: boolean): Error {
  const err = new Error(message) as Error & { data: ConnectErrorData };
  err.data = { code, message, relayVersion: PROTOCOL_VERSION, ...(revoked ? { revoked } : {}) };
  return err;
}

export function authMiddleware(ctx: HandlerContext) {
  return (socket: TetherSocket, next: (err?: Error) => void): void => {
    socket.data.ip = socket.handshake.address;
    socket.data.since = ctx.now();
    const parsed = handshakeSchema.safeParse(socket.handshake.auth);
    if (!parsed.success) {
      ctx.log.warn("handshake refused: malformed", { ip: socket.data.ip });
      next(refuse(ErrorCode.BadRequest, "The handshake must carry { v, token? }."));
      return;
    }
    const { v, token, batches, share } = parsed.data;
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
    if (token === undefined && share !== undefined) {
      void admitViewer(ctx, socket, share).then(next, (err: unknown) => {
        ctx.log.error("handshake failed: store unavailable", { ip: socket.data.ip, error: (err as Error).message });
        next(refuse(ErrorCode.Internal, "The relay cannot check this link right now; try again shortly."));
      });
      return;
    }
    if (token === undefined) {
      next();
      return;
    }
    void admit(ctx, socket, token, batches).then(next, (err: unknown) => {
      ctx.log.error("handshake failed: store unavailable", { ip: socket.data.ip, error: (err as Error).message });
      next(refuse(ErrorCode.Internal, "The relay cannot check this device right now; try again shortly."));
    });
  };
}

/**
 * Checks the address's sign-in pause, then looks the token up; resolves with the refusal to
 * pass on, or undefined when admitted. A failure is counted before the refusal goes out, so a
 * next try on any relay process already finds it.
 */
async function admit(ctx: HandlerContext, socket: TetherSocket, token: string, batches?: boolean): Promise<Error | undefined> {
  const { auth } = ctx.guards;
  const ip = socket.data.ip;
  const wait = await auth.waitFor(ip);
  if (wait > 0) {
    return refuse(ErrorCode.RateLimited, `Too many failed sign-ins from this address; try again in ${Math.ceil(wait / 1000)} s.`);
  }
  // The token is never compared itself: the store is searched for its SHA-256, so how long
  // a lookup takes depends on a digest the caller cannot steer byte by byte, not on how much
  // of a guessed token matches a real one.
  const device = await ctx.store.deviceByTokenHash(hashToken(token));
  if (!device || device.revokedAt !== null) await auth.failed(ip);
  else
    auth.succeeded(ip).catch((err: unknown) => ctx.log.warn("sign-in pause not cleared", { ip, error: (err as Error).message }));
  if (!device) {
    ctx.log.warn("handshake refused: unknown token", { ip: socket.data.ip });
    return refuse(ErrorCode.Unauthorized, "This device is not registered with the relay.");
  }
  if (device.revokedAt !== null) {
    ctx.log.warn("handshake refused: revoked device", { ip: socket.data.ip, device: device.id });
    return refuse(ErrorCode.Unauthorized, "This phone was unpaired from its computer.", true);
  }
  // The kind as a literal: the store's string would be a copy of its own for every socket.
  socket.data.device = { id: device.id, kind: device.kind === "host" ? "host" : "phone" };
  if (batches && device.kind === "phone") socket.data.batches = true;
  return undefined;
}

/**
 * A viewer of a shared thread: its token is looked up by SHA-256 like a device's, and failures
 * count toward the same pause, so share tokens cannot be guessed faster than device tokens.
 */
async function admitViewer(ctx: HandlerContext, socket: TetherSocket, token: string): Promise<Error | undefined> {
  const { auth } = ctx.guards;
  const ip = socket.data.ip;
  const wait = await auth.waitFor(ip);
  if (wait > 0) {
    return refuse(ErrorCode.RateLimited, `Too many failed sign-ins from this address; try again in ${Math.ceil(wait / 1000)} s.`);
  }
  const share = await ctx.store.shareByVerifier(hashToken(token));
  if (!share) {
    await auth.failed(ip);
    ctx.log.warn("handshake refused: unknown share", { ip });
    return refuse(ErrorCode.Unauthorized, "This shared link was revoked by its owner, or never existed.", true);
  }
  auth.succeeded(ip).catch((err: unknown) => ctx.log.warn("sign-in pause not cleared", { ip, error: (err as Error).message }));
  socket.data.viewer = { hostId: share.hostId, threadId: share.threadId, shareId: share.shareId, verifier: share.verifier };
  return undefined;
}
