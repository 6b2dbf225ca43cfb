// Read-only shares of one thread. A share is a random secret in a link's fragment: the relay
// learns the share's id and the SHA-256 of a token derived from the secret, bound to the thread;
// the viewer reads the thread's keys from the share's record (`s-<shareId>`), sealed with a key
// derived from the secret. The host keeps the secret, so after a rotation (a phone revoked) it
// re-issues the record with the new epoch's thread key, and a share keeps working. Revoking a
// share makes the relay refuse its token and cut its viewers off; its keys are re-issued no more.

import { ErrorCode, TetherError, exportSecretKey, randomId, seal } from "#protocol";
import {
  SHARE_RECORD_EPOCH,
  formatShareLink,
  newShareSecret,
  shareKey,
  shareRecordContext,
  shareRecordKey,
  shareVerifier,
  type ShareRecord,
} from "#protocol/share";
import type { HostIdentity, ThreadShare } from "../identity";
import type { RelayLink } from "../link/relayLink";
import type { Log } from "../log";

/** A share as its owner sees it: the link to give, and when it was made. */
export interface ShareView {
  shareId: string;
  threadId: string;
  link: string;
  createdAt: number;
}

export interface ThreadSharesDeps {
  link: RelayLink;
  identity: HostIdentity;
  log: Log;
  /** The host's name, for the viewer's banner. */
  hostName: () => string;
  /** The relay's address as phones and viewers reach it. */
  publicUrl: () => string;
  /** Whether this host has the thread (a share of a thread it never had is refused). */
  hasThread: (threadId: string) => boolean;
}

export class ThreadShares {
  constructor(private readonly deps: ThreadSharesDeps) {
    deps.link.on("hello", () => void this.republish().catch(() => undefined));
  }

  list(threadId?: string): ShareView[] {
    const { identity, link } = this.deps;
    return identity
      .shares(link.relay, threadId)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((s) => this.view(s));
  }

  /** Shares a thread: its record first, then the share itself, so a viewer admitted finds its keys. */
  async create(threadId: string): Promise<ShareView> {
    const { identity, link, hasThread, log } = this.deps;
    if (!hasThread(threadId)) throw new TetherError(ErrorCode.NotFound, "There is no such thread on this computer.");
    if (link.state !== "open") throw new TetherError(ErrorCode.HostOffline, "The relay is not reachable; try again once it is.");
    const share: ThreadShare = { id: randomId(12), relay: link.relay, threadId, secret: newShareSecret(), createdAt: Date.now() };
    // Kept before the relay hears of it: a share the relay holds is never one this host forgot.
    await identity.addShare(share);
    try {
      await this.publish(share);
      const answer = await link.request("share:create", {
        shareId: share.id,
        threadId,
        verifier: await shareVerifier(share.secret),
      });
      if (!answer.ok) throw new TetherError(answer.code, `The relay did not take the share: ${answer.message}`);
    } catch (err) {
      await identity.removeShare(link.relay, share.id);
      throw err;
    }
    log.info("thread shared read-only", { thread: threadId, share: share.id });
    return this.view(share);
  }

  /** Ends a share: refused by the relay from now on, its viewers cut off, its keys no more re-issued. */
  async revoke(shareId: string): Promise<void> {
    const { identity, link, log } = this.deps;
    const share = identity.shares(link.relay).find((s) => s.id === shareId);
    if (!share) throw new TetherError(ErrorCode.NotFound, "There is no such share.");
    if (link.state !== "open") throw new TetherError(ErrorCode.HostOffline, "The relay is not reachable; try again once it is.");
    const answer = await link.request("share:revoke", { shareId });
    // Already gone from the relay (revoked before an answer was lost): forgotten here too.
    if (!answer.ok && answer.code !== ErrorCode.NotFound) {
      throw new TetherError(answer.code, `The relay did not revoke the share: ${answer.message}`);
    }
    await identity.removeShare(link.relay, shareId);
    log.info("share revoked", { thread: share.threadId, share: shareId });
  }

  /** Every share's record again, with the thread's key of every epoch (a rotation added one). */
  async republish(): Promise<void> {
    const { identity, link } = this.deps;
    for (const share of identity.shares(link.relay)) {
      if (link.state !== "open") return;
      await this.publish(share);
    }
  }

  private async publish(share: ThreadShare): Promise<void> {
    const { identity, link, hostName } = this.deps;
    const from = identity.threadKeysFrom;
    const keys: ShareRecord["keys"] = [];
    for (const epoch of identity.epochs()) {
      // Before the host's switch nothing was sealed with thread keys: those keys open nothing.
      if (epoch < from) continue;
      const key = await identity.threadKey(share.threadId, epoch);
      if (key) keys.push({ e: epoch, k: await exportSecretKey(key) });
    }
    const record: ShareRecord = { threadId: share.threadId, host: hostName(), keys, ...(from > 0 ? { contentUntil: from } : {}) };
    const box = await seal(await shareKey(share.secret), SHARE_RECORD_EPOCH, record, shareRecordContext(link.deviceId, share.id));
    const answer = await link.request("record:put", { key: shareRecordKey(share.id), box });
    if (!answer.ok) throw new TetherError(answer.code, `The relay did not keep the share's keys: ${answer.message}`);
  }

  private view(share: ThreadShare): ShareView {
    const { link, publicUrl } = this.deps;
    return {
      shareId: share.id,
      threadId: share.threadId,
      link: formatShareLink(publicUrl(), {
        hostId: link.deviceId,
        threadId: share.threadId,
        shareId: share.id,
        secret: share.secret,
      }),
      createdAt: share.createdAt,
    };
  }
}
