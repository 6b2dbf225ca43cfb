// Edits an outside agent makes itself. Claude Code and Codex write files with their own tools,
// not through the client's `fs/write_text_file`, so Tether sees only the permission request. When
// the gate lets such an edit through, what its files are then goes into the thread's checkpoint
// (on disk, before the agent writes); when the call ends, each file that changed is recorded as a
// `file-change` with its diff. Revert then puts back an outside agent's edits as it does Tether's.

import { ErrorCode, TetherError } from "#protocol";
import type { AgentWorkspace } from "../agent/tools/workspace";
import { unifiedDiff } from "../threads/diff";
import type { Thread } from "../threads/thread";
import { hashText, type ThreadStore } from "../threads/threadStore";

export class AgentEdits {
  /** What each file was as the call was let through, by call. */
  private readonly pending = new Map<string, Map<string, string | null>>();

  constructor(private readonly deps: { thread: Thread; store: ThreadStore; workspace: AgentWorkspace }) {}

  /** The call may now change `paths` (workspace-relative): keeps what they are. */
  async before(callId: string, paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    const { store, thread } = this.deps;
    const files = this.pending.get(callId) ?? new Map<string, string | null>();
    const checkpoint = store.checkpoint(thread.id);
    for (const path of paths) {
      const now = await this.read(path);
      if (now === undefined) continue; // not a file Tether may read (a secret, too large): nothing to keep
      files.set(path, now);
      // The first state the thread saw is what Revert puts back; later calls keep it.
      checkpoint[path] ??= { before: now, afterHash: hashText(now) };
    }
    if (files.size === 0) return;
    this.pending.set(callId, files);
    store.saveCheckpoint(thread.id, checkpoint);
    await store.flushed();
  }

  /** The call ended: each of its files that changed is recorded, once. */
  async after(callId: string): Promise<void> {
    const files = this.pending.get(callId);
    if (!files) return;
    this.pending.delete(callId);
    const { store, thread } = this.deps;
    const checkpoint = store.checkpoint(thread.id);
    let changed = false;
    for (const [path, was] of files) {
      const now = await this.read(path);
      if (now === undefined || now === was) continue;
      const saved = checkpoint[path];
      // Written through Tether (`fs/write_text_file`), which recorded it already.
      if (saved && saved.afterHash === hashText(now)) continue;
      checkpoint[path] = { before: saved ? saved.before : was, afterHash: hashText(now) };
      changed = true;
      const d = unifiedDiff(path, was, now);
      thread.append({
        type: "file-change",
        path,
        change: was === null ? "created" : now === null ? "deleted" : "modified",
        diff: d.diff,
        added: d.added,
        removed: d.removed,
        truncated: d.truncated,
      });
    }
    if (changed) store.saveCheckpoint(thread.id, checkpoint);
  }

  /** Ends every call still open (the turn ended). */
  async settle(): Promise<void> {
    for (const callId of [...this.pending.keys()]) await this.after(callId);
  }

  /** The file's text, null when there is none, undefined when Tether may not read it. */
  private async read(path: string): Promise<string | null | undefined> {
    try {
      return await this.deps.workspace.readText(path);
    } catch (err) {
      if (err instanceof TetherError && err.code === ErrorCode.NotFound) return null;
      return undefined;
    }
  }
}
