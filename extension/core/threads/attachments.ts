// Files a phone attaches to a task: written into the workspace under
// `.tether/attachments/<threadId>/`, where the agent can read them, and named in the task's text.
// `.tether/` gets a .gitignore of its own so attachments never land in a commit by accident.

import { ATTACHED_FILES_HEADING, ErrorCode, MAX_ATTACHMENT_BYTES, TetherError, fromBase64Url } from "#protocol";
import { formatBytes } from "../agent/tools/format";
import type { AgentWorkspace } from "../agent/tools/workspace";

export const ATTACHMENTS_DIR = ".tether/attachments";

/** A file name that is safe in any file system and says what the phone called it. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const cleaned = base
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}._ -]+/gu, "_")
    .replace(/\s+/g, " ")
    .replace(/^[.\s]+/, "")
    .trim()
    .slice(0, 100);
  return cleaned || "attachment";
}

export const attachmentPath = (threadId: string, name: string): string => `${ATTACHMENTS_DIR}/${threadId}/${safeFileName(name)}`;

export class Attachments {
  constructor(private readonly workspace: AgentWorkspace) {}

  async save(threadId: string, name: string, data: string): Promise<string> {
    let bytes: Uint8Array;
    try {
      bytes = fromBase64Url(data);
    } catch {
      throw new TetherError(ErrorCode.BadRequest, `${name} did not arrive whole.`);
    }
    if (bytes.length > MAX_ATTACHMENT_BYTES) {
      throw new TetherError(
        ErrorCode.TooLarge,
        `${name} is ${formatBytes(bytes.length)}; attachments are limited to ${formatBytes(MAX_ATTACHMENT_BYTES)}.`,
      );
    }
    await this.ensureIgnored();
    const path = attachmentPath(threadId, name);
    await this.workspace.writeBytes(path, bytes);
    return path;
  }

  /**
   * The lines a new task's text gains for its attachments `names`. A retry's (`retryOf`: the task
   * it tries again) come from that task, where they still are; those gone since are named missing.
   */
  async forTask(threadId: string, names: readonly string[], retryOf: string | undefined): Promise<string> {
    if (retryOf && names.length) await this.reuse(retryOf, threadId, names);
    return this.describe(threadId, names, retryOf ? "no longer on this computer" : undefined);
  }

  /**
   * For a task that tries `earlier` again: each named file not sent anew for `threadId` is
   * copied from the earlier task's, where it is still there. Whatever is missing is left out,
   * and `describe` says so.
   */
  async reuse(earlier: string, threadId: string, names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (await this.exists(attachmentPath(threadId, name))) continue;
      let bytes: Uint8Array;
      try {
        bytes = await this.workspace.readBytes(attachmentPath(earlier, name));
      } catch {
        continue; // deleted since, or never arrived
      }
      if (bytes.length <= MAX_ATTACHMENT_BYTES) await this.workspace.writeBytes(attachmentPath(threadId, name), bytes);
    }
  }

  /** The lines added to a task's text for its attachments; `missing` says why one is not there. */
  async describe(threadId: string, names: readonly string[], missing = "did not arrive"): Promise<string> {
    if (names.length === 0) return "";
    const lines: string[] = [];
    for (const name of names) {
      const path = attachmentPath(threadId, name);
      try {
        const file = await this.workspace.resolveRead(path);
        lines.push(`- ${path} (${formatBytes(file.stat.size)})`);
      } catch {
        lines.push(`- ${name}: ${missing}`);
      }
    }
    return `\n\n${ATTACHED_FILES_HEADING}\n${lines.join("\n")}`;
  }

  /** Copies a thread's attachments into the worktree its agent works in, at the same paths. */
  async copyTo(threadId: string, target: AgentWorkspace): Promise<void> {
    const dir = `${ATTACHMENTS_DIR}/${threadId}`;
    const files = await this.workspace.listDir(dir).then(
      (listing) => listing.entries.filter((e) => e.kind === "file"),
      () => [], // none were attached
    );
    if (files.length === 0) return;
    await new Attachments(target).ensureIgnored();
    for (const file of files)
      await target.writeBytes(`${dir}/${file.name}`, await this.workspace.readBytes(`${dir}/${file.name}`));
  }

  private async exists(path: string): Promise<boolean> {
    try {
      await this.workspace.resolveRead(path);
      return true;
    } catch {
      return false;
    }
  }

  private async ensureIgnored(): Promise<void> {
    try {
      await this.workspace.resolveRead(".tether/.gitignore");
    } catch {
      await this.workspace.writeText(
        ".tether/.gitignore",
        "# Tether's own files (attachments from the phone): not for commits.\n*\n",
      );
    }
  }
}
