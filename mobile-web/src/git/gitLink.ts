// The phone's git calls and commands to one host. Reads are sealed calls; what changes the
// repository is a command, sent only while the computer is online: a commit or a push made
// hours later from a queue would surprise the person who asked, so git commands never wait in
// the outbox, and the person is told instead.

import {
  ErrorCode,
  TetherError,
  type Command,
  type GitChangesResult,
  type GitDiffResult,
  type GitDraftResult,
  type GitStateResult,
} from "#protocol";
import { commandKeyOf } from "../hosts/commandKey";
import { displayName, type Hosts } from "../hosts/hosts.svelte";
import type { Presence } from "../hosts/hostSync";
import { sendCommand } from "../link/commands";
import { describeCallFailure, readyConnection, type ReadyLink } from "../link/connection";
import { callHost, type RpcTarget } from "../link/rpc";
import type { TetherSocket } from "../link/request";

export type GitCommand = Extract<
  Command,
  { type: "git-stage" | "git-unstage" | "git-commit" | "git-push" | "git-pull-request" | "worktree" }
>;

export interface GitLinkDeps {
  link: ReadyLink;
  hosts: Hosts;
  presence(hostId: string): Presence;
}

/** Where a Changes view acts: a thread's worktree, or the workspace. */
export interface GitScope {
  hostId: string;
  threadId?: string | undefined;
}

/** A git command not sent because the computer is offline: its words are the whole story. */
class NotSentError extends TetherError {}

export class GitLink {
  constructor(private readonly deps: GitLinkDeps) {}

  state(scope: GitScope, checks = false): Promise<GitStateResult> {
    return this.#call(scope.hostId, { type: "git-state", ...thread(scope), ...(checks ? { checks } : {}) });
  }

  changes(scope: GitScope): Promise<GitChangesResult> {
    return this.#call(scope.hostId, { type: "git-changes", ...thread(scope) });
  }

  diff(scope: GitScope, path: string, side: "staged" | "unstaged"): Promise<GitDiffResult> {
    return this.#call(scope.hostId, { type: "git-diff", ...thread(scope), path, side });
  }

  draft(scope: GitScope, kind: "commit" | "pull-request"): Promise<GitDraftResult> {
    // A model writes it: longer than a file read.
    return this.#call(scope.hostId, { type: "git-draft", ...thread(scope), kind }, 120_000);
  }

  /**
   * Sends a git command while the computer is online; refuses (and sends nothing) when it is
   * not. Resolves once the host took it: at once for a long one, whose run `follow` watches.
   */
  async send(hostId: string, command: GitCommand): Promise<void> {
    const presence = this.deps.presence(hostId);
    if (presence.kind === "known" && !presence.online) {
      throw new NotSentError(
        ErrorCode.HostOffline,
        `${this.#name(hostId)} is offline. Git commands run only while it is connected, so nothing was sent.`,
      );
    }
    const { socket, target } = await this.#target(hostId);
    const outcome = await sendCommand(socket, target, command);
    if (outcome.queued) {
      throw new NotSentError(
        ErrorCode.HostOffline,
        `${this.#name(hostId)} went offline as this was sent: it runs when the computer connects again.`,
      );
    }
  }

  describe(hostId: string, error: unknown): string {
    if (error instanceof NotSentError) return error.message;
    return describeCallFailure(error, this.#name(hostId));
  }

  #name(hostId: string): string {
    const host = this.deps.hosts.get(hostId);
    return host ? displayName(host) : "This computer";
  }

  async #target(hostId: string): Promise<{ socket: TetherSocket; target: RpcTarget }> {
    const { socket, deviceId } = await readyConnection(this.deps.link);
    const host = this.deps.hosts.get(hostId);
    if (!host) throw new TetherError(ErrorCode.NotFound, "This computer is not paired with this phone.");
    return { socket, target: { hostId, deviceId, commandKey: commandKeyOf(host) } };
  }

  async #call<C extends Parameters<typeof callHost>[2]>(hostId: string, call: C, timeoutMs?: number) {
    const { socket, target } = await this.#target(hostId);
    return callHost(socket, target, call, timeoutMs);
  }
}

const thread = (scope: GitScope): { threadId?: string } => (scope.threadId ? { threadId: scope.threadId } : {});
