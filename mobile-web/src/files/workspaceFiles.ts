// The phone's side of a host's workspace: the sealed file calls a file browser makes
// (`WorkspaceSource`), and the workspace changes the host sends on the mirror's live channel,
// opened and handed to the browsers showing that host. Kept apart from the app shell so the
// shell only routes the relay's news here.

import { ErrorCode, TetherError, type AgentSessionsResult, type MirrorDelta, type RpcCall } from "#protocol";
import { commandKeyOf } from "../hosts/commandKey";
import { displayName, type Hosts } from "../hosts/hosts.svelte";
import { keyFor } from "../hosts/keys";
import { describeCallFailure, readyConnection, type ReadyLink } from "../link/connection";
import type { InboundLive } from "../link/inbound";
import { callHost } from "../link/rpc";
import type { WorkspaceSource } from "./fileBrowser.svelte";

export class WorkspaceFiles {
  /** File browsers showing a host's workspace, told of each change the host sends. */
  #listeners: { hostId: string; listener: (delta: MirrorDelta) => void }[] = [];

  constructor(
    private readonly link: ReadyLink,
    private readonly hosts: Hosts,
  ) {}

  /**
   * What a file browser uses to show `hostId`'s workspace, or with `threadId`, the worktree of
   * that thread (a thread without one reads the workspace all the same).
   */
  source(hostId: string, threadId?: string): WorkspaceSource {
    const scope = threadId ? { threadId } : {};
    return {
      listDir: (path) => this.#call(hostId, { type: "list-dir", path, ...scope }),
      search: (query) => this.#call(hostId, { type: "search", query, ...scope }),
      watch: async (dirs, files) => (await this.#call(hostId, { type: "watch", dirs, files })).leaseMs,
      onChange: (listener) => {
        const entry = { hostId, listener };
        this.#listeners = [...this.#listeners, entry];
        return () => (this.#listeners = this.#listeners.filter((e) => e !== entry));
      },
      readFile: (path, offset) =>
        this.#call(
          hostId,
          offset === undefined ? { type: "read-file", path, ...scope } : { type: "read-file", path, offset, ...scope },
        ),
      describe: (error) => this.describe(hostId, error),
    };
  }

  /**
   * An outside agent's own sessions in `hostId`'s workspace. Asked only when a person wants
   * them: the computer starts the agent to answer.
   */
  agentSessions(hostId: string, agent: string): Promise<AgentSessionsResult> {
    return this.#call(hostId, { type: "agent-sessions", agent });
  }

  /** A failed call in words, naming the computer. */
  describe(hostId: string, error: unknown): string {
    const host = this.hosts.get(hostId);
    return describeCallFailure(error, host ? displayName(host) : "This computer");
  }

  /** A workspace change from a host; one that does not open (an unknown key) is dropped. */
  async onMirrorDelta(live: InboundLive): Promise<void> {
    const listeners = this.#listeners.filter((e) => e.hostId === live.hostId);
    const host = this.hosts.get(live.hostId);
    if (!host || listeners.length === 0) return;
    // Only while a file browser shows this host, so opening a delta loads with the browser's code.
    const { openMirrorDelta } = await import("./mirrorDelta");
    const delta = await openMirrorDelta(keyFor(host, live.box.e), live);
    for (const { listener } of listeners) listener(delta);
  }

  async #call<C extends RpcCall>(hostId: string, call: C) {
    const { socket, deviceId } = await readyConnection(this.link);
    const host = this.hosts.get(hostId);
    if (!host) throw new TetherError(ErrorCode.NotFound, "This computer is not paired with this phone.");
    return callHost(socket, { hostId, deviceId, commandKey: commandKeyOf(host) }, call);
  }
}
