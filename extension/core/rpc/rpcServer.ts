// Answers the phones' sealed calls (list-dir, read-file, watch, search, agent-sessions). Errors that may name a path are
// sealed with the reply; only "could not open" goes back in the clear. A call opens only with
// the command key of the phone named in `from`, and its reply is sealed with that key (see
// `commands/phoneSeal.ts`). Calls carry no time: a replayed call reads again what the phone
// read before, into a reply only that phone can open, and changes nothing.

import {
  ErrorCode,
  TetherError,
  rpcCallSchema,
  rpcForwardSchema,
  sealContext,
  z,
  type RpcCall,
  type RpcForward,
  type RpcReply,
  type RpcResult,
} from "#protocol";
import { DisposableStore, listen, type Disposable } from "../disposable";
import type { HostAgents } from "../agents/hostAgents";
import type { HostIdentity } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";
import type { Mirror } from "../mirror/mirror";
import type { MirrorFeed } from "../mirror/mirrorFeed";
import { answerForward, openRequest, type Answer, type RequestKind, type RequestSite } from "../commands/phoneRequest";
import { searchForPhone } from "./phoneSearch";
import type { GitService } from "../git/gitService";
import type { ThreadShares } from "../shares/threadShares";
import { shareCallSchema, type ShareCall, type SharesResult } from "#protocol/shareCalls";

/**
 * How long a listing of a folder no feed watches (a thread's own worktree) waits for `git status`
 * before it goes without the newest marks. The workspace's listings do not wait at all: the phone
 * watches what it shows, and the feed sends the marks as a delta once git has answered (a big
 * repository's first status takes about a second; the listing is wanted now).
 */
const UNWATCHED_LISTING_GIT_WAIT_MS = 50;

/** A phone's call: the workspace's and git's, or about a thread's read-only shares. */
const callRequest: RequestKind<RpcCall | ShareCall> = {
  noun: "call",
  payload: z.union([rpcCallSchema, shareCallSchema]),
  context: sealContext.rpcCall,
  replyContext: sealContext.rpcReply,
};

/** A thread's own worktree as a phone browses it: undefined for a thread in the workspace; NotFound for none. */
export interface ThreadMirrors {
  mirrorOf(threadId: string): Promise<Mirror | undefined>;
}

export class RpcServer implements Disposable {
  private readonly site: RequestSite;
  private readonly disposables = new DisposableStore();

  constructor(
    link: RelayLink,
    identity: HostIdentity,
    private readonly mirror: Mirror,
    private readonly log: Log,
    private readonly feed?: MirrorFeed,
    private readonly agents?: HostAgents,
    /** The threads whose worktrees a call with `threadId` reads. */
    private readonly threads?: ThreadMirrors,
    /** Answers `git-state`, `git-changes`, `git-diff` and `git-draft`; without it they are refused. */
    private readonly git?: Pick<GitService, "call">,
    /** Lists, makes and ends read-only shares of a thread; without it they are refused. */
    private readonly shares?: Pick<ThreadShares, "list" | "create" | "revoke">,
  ) {
    this.site = { link, identity, log };
    // zod compiles a schema's checks on its first parse, milliseconds on a busy host: done now,
    // not while a phone waits for its first call (the workspace's first listing).
    rpcForwardSchema.safeParse({ from: "warm-up", id: "warm-up", box: { e: 1, iv: "A".repeat(16), ct: "A".repeat(22) } });
    rpcCallSchema.safeParse({ type: "list-dir", path: "" });
    this.disposables.add(
      listen(link.socket, "rpc", (payload: unknown, reply: unknown) =>
        answerForward(payload, reply, rpcForwardSchema, "call", (req) => this.answer(req)),
      ),
    );
  }

  /** Idempotent: takes no more calls. */
  dispose(): void {
    this.disposables.dispose();
  }

  async answer(req: RpcForward): Promise<Answer> {
    const opened = await openRequest(this.site, callRequest, req);
    if (!opened.ok) return opened;
    const call = opened.value;
    let reply: RpcReply | { ok: true; result: RpcResult | SharesResult };
    try {
      reply = { ok: true, result: await this.dispatch(call, req.from) };
    } catch (err) {
      if (err instanceof TetherError) reply = { ok: false, code: err.code, message: err.message };
      else {
        this.log.error("call failed", { type: call.type, error: (err as NodeJS.ErrnoException).code ?? "error" });
        reply = { ok: false, code: ErrorCode.Internal, message: `The host could not do that: ${(err as Error).message}` };
      }
    }
    return { ok: true, box: await opened.sealReply(reply) };
  }

  /** The thread's worktree when it has an open one, else the workspace; the watch stays on the workspace. */
  private async mirrorFor(threadId: string | undefined): Promise<Mirror> {
    if (threadId === undefined) return this.mirror;
    if (!this.threads) throw new TetherError(ErrorCode.NotFound, "There is no such thread on this host.");
    return (await this.threads.mirrorOf(threadId)) ?? this.mirror;
  }

  private async dispatch(call: RpcCall | ShareCall, phoneId: string): Promise<RpcResult | SharesResult> {
    switch (call.type) {
      case "list-dir": {
        const mirror = await this.mirrorFor(call.threadId);
        const watched = this.feed !== undefined && mirror === this.mirror;
        return mirror.listDir(call.path, { gitWaitMs: watched ? 0 : UNWATCHED_LISTING_GIT_WAIT_MS });
      }
      case "read-file":
        return (await this.mirrorFor(call.threadId)).readFile(call.path, call.offset, call.length);
      case "watch":
        if (!this.feed) throw new TetherError(ErrorCode.BadRequest, "This computer does not send changes.");
        return { type: "watch", leaseMs: await this.feed.watch(phoneId, call.dirs, call.files) };
      case "search":
        return searchForPhone(await this.mirrorFor(call.threadId), call.query);
      case "agent-sessions":
        if (!this.agents) throw new TetherError(ErrorCode.BadRequest, "This computer runs no outside agents.");
        return this.agents.listSessions(call.agent, this.mirror.root);
      case "git-state":
      case "git-changes":
      case "git-diff":
      case "git-draft":
        if (!this.git) throw new TetherError(ErrorCode.BadRequest, "This computer does not answer git calls.");
        return this.git.call(call);
      case "share-list":
      case "share-create":
      case "share-revoke":
        return this.shareCall(call);
    }
  }

  private async shareCall(call: ShareCall): Promise<SharesResult> {
    const shares = this.shares;
    if (!shares) throw new TetherError(ErrorCode.BadRequest, "This computer does not share threads.");
    let created: string | undefined;
    if (call.type === "share-create") created = (await shares.create(call.threadId)).shareId;
    if (call.type === "share-revoke") {
      if (!shares.list(call.threadId).some((s) => s.shareId === call.shareId)) {
        throw new TetherError(ErrorCode.NotFound, "That thread has no such share.");
      }
      await shares.revoke(call.shareId);
    }
    const list = shares.list(call.threadId).map(({ shareId, link, createdAt }) => ({ shareId, link, createdAt }));
    return { type: "shares", threadId: call.threadId, shares: list, ...(created ? { created } : {}) };
  }
}
