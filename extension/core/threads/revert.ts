// "Revert" on a thread: puts back the files it changed as they were before its first change,
// from the checkpoint `applyEdit` keeps. A file changed since the thread last wrote it (its hash
// no longer matches) is skipped and named, so revert never undoes a person's own later work.

import type { DeviceRef } from "#protocol";
import type { AgentWorkspace } from "../agent/tools/workspace";
import type { Thread } from "./thread";
import { hashText, type ThreadStore } from "./threadStore";

export async function revertThread(
  deps: { store: ThreadStore; workspace: AgentWorkspace },
  thread: Thread,
  by: DeviceRef,
): Promise<{ files: string[]; skipped: string[] }> {
  const { store, workspace } = deps;
  const checkpoint = store.checkpoint(thread.id);
  const files: string[] = [];
  const skipped: string[] = [];
  for (const [path, saved] of Object.entries(checkpoint)) {
    let current: string | null;
    try {
      current = await workspace.readText(path);
    } catch {
      current = null;
    }
    if (hashText(current) !== saved.afterHash) {
      skipped.push(path);
      continue;
    }
    if (saved.before === null) {
      if (current !== null) await workspace.remove(path);
    } else await workspace.writeText(path, saved.before);
    files.push(path);
  }
  store.saveCheckpoint(thread.id, {});
  thread.append({ type: "reverted", files, ...(skipped.length ? { skipped } : {}), by });
  return { files, skipped };
}
