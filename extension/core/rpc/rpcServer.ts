// Answers the phones' sealed calls (list-dir, read-file, watch, search). Errors that may name a path are
// sealed with the reply; only "could not open" goes back in the clear. A call opens only with
// the command key of the phone named in `from`, and its reply is sealed with that key (see
// `commands/phoneSeal.ts`). Calls carry no time: a replayed call reads again what the phone
// read before, into a reply only that phone can open, and changes nothing.

import {
  ErrorCode,
  PAIRWISE_EPOCH,
  TetherError,
  failure,
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
import { openFromPhone, refusal } from "../commands/phoneSeal";
import { searchForPhone } from "./phoneSearch";

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
    const context = sealContext.rpcCall(hostId, req.from, req.id);
    const opened = await openFromPhone(this.identity, this.link.relay, req.from, req.box, context, "call");
    const parsed = opened.ok ? rpcCallSchema.safeParse(opened.value) : undefined;
    if (!opened.ok || !parsed?.success) {
      const refused = opened.ok ? refusal("malformed", "call") : opened;
      this.log.warn("refused a call", { phone: req.from, call: req.id, reason: refused.reason });
      return refused.answer;
    }
    const call = parsed.data;
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
    const box = await seal(opened.key, PAIRWISE_EPOCH, reply, sealContext.rpcReply(hostId, req.from, req.id));
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
      case "search":
        return searchForPhone(this.mirror, call.query);
    }
  }
}
