// Host registration and QR pairing. The relay checks slots and mints tokens; whether a phone
// may pair is decided by the host, which alone can read the phone's hello and check its proof.

import { randomBytes } from "node:crypto";
import { ErrorCode, TetherError, emptySchema, pairDecideSchema, pairJoinSchema, randomId, type PairResult } from "#protocol";
import type { HitLimit, LimitCounters } from "../rateLimit";
import { hashToken } from "../socket/auth";
import type { HandlerContext } from "../socket/context";
import { presenceOf } from "../socket/devicePresence";
import { rooms, socketsIn } from "../socket/rooms";
import type { Router } from "../socket/router";
import type { TetherSocket } from "../socket/types";

export const SLOT_TTL_MS = 5 * 60 * 1000;
const SLOTS_PER_MINUTE = 10;

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export interface PairingLimits {
  registerPerIp: HitLimit;
  joinPerIp: HitLimit;
}

export function pairingLimits(counters: LimitCounters): PairingLimits {
  return {
    registerPerIp: counters.window("register", 20, 60 * 60 * 1000),
    joinPerIp: counters.window("join", 10, 60 * 1000),
  };
}

function mustHost(socket: TetherSocket): string {
  const device = socket.data.device;
  if (device?.kind !== "host") throw new TetherError(ErrorCode.Forbidden, "only a host may do this");
  return device.id;
}

export function registerPairingHandlers(ctx: HandlerContext, router: Router, limits: PairingLimits): void {
  const { store, io, log, now } = ctx;

  router.on("host:register", emptySchema, ["anonymous"], async (socket) => {
    if (!(await limits.registerPerIp.take(socket.data.ip))) {
      throw new TetherError(ErrorCode.RateLimited, "Too many registrations from this address; try again later.");
    }
    const deviceId = randomId();
    const token = newToken();
    const at = now();
    await store.insertDevice({
      id: deviceId,
      kind: "host",
      tokenHash: hashToken(token),
      createdAt: at,
      lastSeen: at,
      revokedAt: null,
    });
    log.info("host registered", { device: deviceId });
    return { ok: true, deviceId, token };
  });

  router.on("pair:open", emptySchema, ["host"], async (socket) => {
    const hostId = mustHost(socket);
    const at = now();
    // A soft limit: two requests at the same instant may both pass it, which costs nothing.
    if ((await store.countSlotsSince(hostId, at - 60_000)) >= SLOTS_PER_MINUTE) {
      throw new TetherError(ErrorCode.RateLimited, "Too many pairing codes in the last minute; wait a moment.");
    }
    const slotId = randomId();
    const expiresAt = at + SLOT_TTL_MS;
    await store.insertSlot({ id: slotId, hostId, createdAt: at, expiresAt, joinedBy: null, joinedDevice: null, closedAt: null });
    log.info("pairing slot opened", { host: hostId });
    return { ok: true, slotId, expiresAt };
  });

  router.on("pair:join", pairJoinSchema, ["anonymous", "phone"], async (socket, req) => {
    if (!(await limits.joinPerIp.take(socket.data.ip))) {
      throw new TetherError(ErrorCode.RateLimited, "Too many pairing attempts from this address; wait a minute.");
    }
    const slot = await store.slot(req.slotId);
    const at = now();
    if (!slot || slot.expiresAt <= at) {
      throw new TetherError(
        ErrorCode.SlotExpired,
        "This pairing code has expired or does not exist. Show a new QR code on your computer (each is valid for 5 minutes).",
      );
    }
    if (slot.joinedBy !== null || slot.closedAt !== null) {
      throw new TetherError(ErrorCode.SlotUsed, "This pairing code was already used. Show a new QR code on your computer.");
    }
    if ((await socketsIn(io, rooms.host(slot.hostId))) === 0) {
      throw new TetherError(ErrorCode.HostOffline, "The computer that showed this code is not connected to the relay.");
    }
    const phoneId = socket.data.device?.id ?? null;
    // The checks above read; this is the one step that takes the slot, for one phone only.
    if (!(await store.joinSlot(slot.id, socket.id, phoneId, at))) {
      throw new TetherError(ErrorCode.SlotUsed, "This pairing code was already used. Show a new QR code on your computer.");
    }
    io.to(rooms.host(slot.hostId)).emit("pair:request", {
      slotId: slot.id,
      phoneKey: req.phoneKey,
      hello: req.hello,
      proof: req.proof,
    });
    log.info("pairing requested", { host: slot.hostId, phone: phoneId ?? "new" });
    return { ok: true };
  });

  router.on("pair:decide", pairDecideSchema, ["host"], async (socket, req) => {
    const hostId = mustHost(socket);
    const slot = await store.slot(req.slotId);
    const at = now();
    if (!slot || slot.hostId !== hostId) throw new TetherError(ErrorCode.NotFound, "no such pairing slot");
    if (slot.closedAt !== null) throw new TetherError(ErrorCode.SlotUsed, "this pairing was already decided");
    if (slot.joinedBy === null) throw new TetherError(ErrorCode.NotFound, "no phone has joined this pairing slot");
    // Decided once: of two decisions racing (two sockets of the host, two relay processes),
    // only the one that closes the slot goes on, so one phone gets one token.
    if (!(await store.closeSlot(slot.id, at))) {
      throw new TetherError(ErrorCode.SlotUsed, "this pairing was already decided");
    }

    const joiner = slot.joinedBy;
    if ((await socketsIn(io, joiner)) === 0) {
      throw new TetherError(ErrorCode.NotFound, "The phone left before the pairing was confirmed.");
    }
    if (!req.accept) {
      const result: PairResult = {
        ok: false,
        code: ErrorCode.PairDeclined,
        message:
          req.reason === "bad-proof"
            ? "The computer could not verify this pairing link. Scan the QR code again."
            : "Pairing was declined on the computer.",
      };
      io.to(joiner).emit("pair:result", result);
      log.info("pairing declined", { host: hostId, reason: req.reason });
      return { ok: true };
    }
    if (slot.expiresAt <= at) {
      io.to(joiner).emit("pair:result", {
        ok: false,
        code: ErrorCode.SlotExpired,
        message: "The pairing code expired before it was confirmed. Show a new QR code on your computer.",
      });
      throw new TetherError(ErrorCode.SlotExpired, "the pairing slot expired before it was confirmed");
    }

    let deviceId = slot.joinedDevice;
    let token: string | undefined;
    if (deviceId === null) {
      deviceId = randomId();
      token = newToken();
      await store.insertDevice({
        id: deviceId,
        kind: "phone",
        tokenHash: hashToken(token),
        createdAt: at,
        lastSeen: at,
        revokedAt: null,
      });
    }
    await store.linkPhone(deviceId, hostId, at);
    const result: PairResult = token
      ? { ok: true, hostId, deviceId, token, grant: req.grant }
      : { ok: true, hostId, deviceId, grant: req.grant };
    io.to(joiner).emit("pair:result", result);
    if (slot.joinedDevice !== null) {
      // An already connected phone starts receiving this host's traffic on the same socket, one
      // `event` at a time (its socket may be on another relay process, whose handshake this one
      // cannot read): it reads those too, and batches once it connects again.
      io.in(joiner).socketsJoin(rooms.phonesOf(hostId));
      presenceOf(ctx, hostId).then(
        (p) => io.to(joiner).emit("presence", p),
        (err: unknown) => log.warn("presence not sent", { host: hostId, error: (err as Error).message }),
      );
    }
    log.info("phone paired", { host: hostId, phone: deviceId });
    return { ok: true, deviceId };
  });
}
