// Answers the phones' sealed calls (list-dir, read-file, watch). Errors that may name a path are
// sealed with the reply; only "could not open" goes back in the clear.

import {
  ErrorCode,
  TetherError,
  failure,
  open,
  rpcCallSchema,
  rpcForwardSchema,
  seal,
  sealContext,
  type Ack,
  type Box,
  type RpcCall,
  type RpcForward,
  type RpcReply,
  type RpcResult,
} from "../../../protocol/index";
import type { HostIdentity } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";
import type { Mirror } from "../mirror/mirror";
import type { MirrorFeed } from "../mirror/mirrorFeed";

/**
 * How long a phone's listing waits for `git status` before it goes without the newest marks; a
 * watching phone gets them as a delta. A big repository's first status takes about a second.
 */
const LISTING_GIT_WAIT_MS = 50;

export class RpcServer {
  constructor(
    private readonly link: RelayLink,
    private readonly identity: HostIdentity,
    private readonly mirror: Mirror,
    private readonly log: Log,
    private readonly feed?: MirrorFeed,
  ) {
    link.socket.on("rpc", (payload, reply) => {
      if (typeof reply !== "function") return;
      const parsed = rpcForwardSchema.safeParse(payload);
      if (!parsed.success) {
        reply(failure(ErrorCode.BadRequest, "malformed call"));
        return;
      }
      void this.answer(parsed.data).then(reply);
    });
  }

  async answer(req: RpcForward): Promise<Ack<{ box: Box }>> {
    const hostId = this.link.deviceId;
    if (!this.identity.isPaired(this.link.relay, req.from)) {
      return failure(ErrorCode.Forbidden, "This phone is not paired with this host.");
    }
    const key = this.identity.contentKey(req.box.e);
    if (!key) return failure(ErrorCode.BadSeal, "sealed with a key this host does not have");
    let call: RpcCall;
    try {
      call = rpcCallSchema.parse(await open(key, req.box, sealContext.rpcCall(hostId, req.from, req.id)));
    } catch {
      this.log.warn("refused a call that did not open", { phone: req.from });
      return failure(ErrorCode.BadSeal, "the call could not be opened or read");
    }
    let reply: RpcReply;
    try {
      reply = { ok: true, result: await this.dispatch(call, req.from) };
    } catch (err) {
      if (err instanceof TetherError) reply = { ok: false, code: err.code, message: err.message };
      else {
        this.log.error("call failed", { type: call.type, error: (err as NodeJS.ErrnoException).code ?? "error" });
        reply = { ok: false, code: ErrorCode.Internal, message: `The host could not do that: ${(err as Error).message}` };
      }
    }
    const box = await seal(
      this.identity.contentKey()!,
      this.identity.epoch,
      reply,
      sealContext.rpcReply(hostId, req.from, req.id),
    );
    return { ok: true, box };
  }

  private async dispatch(call: RpcCall, phoneId: string): Promise<RpcResult> {
    switch (call.type) {
      case "list-dir":
        return this.mirror.listDir(call.path, { gitWaitMs: LISTING_GIT_WAIT_MS });
      case "read-file":
        return this.mirror.readFile(call.path, call.offset, call.length);
      case "watch":
        if (!this.feed) throw new TetherError(ErrorCode.BadRequest, "This computer does not send changes.");
        return { type: "watch", leaseMs: await this.feed.watch(phoneId, call.dirs, call.files) };
    }
  }
}
