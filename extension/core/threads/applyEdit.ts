// Applying an edit a run was allowed to make: what the file was goes into the thread's
// checkpoint (on disk, before the file changes, so "revert" can put it back even after a crash),
// then the file changes and the thread records a `file-change` with its diff. Any kind of run
// that edits files through Tether applies them here, so revert covers them all.

import type { FileEdit, ToolOutput } from "../agent/tools/tool";
import type { AgentWorkspace } from "../agent/tools/workspace";
import { unifiedDiff } from "./diff";
import type { Thread } from "./thread";
import { hashText, type ThreadStore } from "./threadStore";

export async function applyEdit(
  deps: { workspace: AgentWorkspace; store: ThreadStore; thread: Thread },
  plan: FileEdit,
): Promise<ToolOutput> {
  const { workspace, store, thread } = deps;
  const checkpoint = store.checkpoint(thread.id);
  const saved = checkpoint[plan.path];
  checkpoint[plan.path] = { before: saved ? saved.before : plan.before, afterHash: hashText(plan.after) };
  store.saveCheckpoint(thread.id, checkpoint);
  // What the file was must be on disk before the file changes, or a crash in between loses it.
  await store.flushed();
  if (plan.after === null) await workspace.remove(plan.path);
  else await workspace.writeText(plan.path, plan.after);
  const change = plan.before === null ? "created" : plan.after === null ? "deleted" : "modified";
  const d = unifiedDiff(plan.path, plan.before, plan.after);
  thread.append({
    type: "file-change",
    path: plan.path,
    change,
    diff: d.diff,
    added: d.added,
    removed: d.removed,
    truncated: d.truncated,
  });
  const verb = change === "created" ? "Created" : change === "deleted" ? "Deleted" : "Edited";
  return { ok: true, output: `${verb} ${plan.path} (+${d.added} −${d.removed}).` };
}
