// A new task as commands to its host: each attachment as an `attach` for the thread id the
// sender picked, then the `new-task` that names them. The phone sends them through the relay,
// the editor's thread panel to the extension; both build them here.

import {
  ErrorCode,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS,
  TetherError,
  toBase64Url,
  type Command,
  type PolicyMode,
} from "#protocol";

export interface TaskForm {
  text: string;
  mode: PolicyMode;
  model?: string;
  /** The agent to run it with (its id on the host) and the agent's own mode to start in. */
  agent?: string;
  agentMode?: string;
  /** An outside agent's session started on the computer, which the text continues. */
  agentSession?: string;
  /** Run it in a worktree of its own (true) or in the workspace (false); absent: the host decides. */
  worktree?: boolean;
  attachments: readonly { name: string; type: string; bytes: Uint8Array }[];
  /** A retry: the thread it tries again, and the names of that task's files the host reuses. */
  retry?: { of: string; attachments: readonly string[] };
}

/** The commands that start `form` as thread `threadId`, in the order they must be sent. */
export function taskCommands(threadId: string, form: TaskForm): Command[] {
  if (form.attachments.length > MAX_ATTACHMENTS) {
    throw new TetherError(ErrorCode.TooLarge, `At most ${MAX_ATTACHMENTS} attachments go with one task.`);
  }
  for (const file of form.attachments) {
    if (file.bytes.length > MAX_ATTACHMENT_BYTES) {
      throw new TetherError(ErrorCode.TooLarge, `${file.name} is too large to attach (the limit is 1 MB).`);
    }
  }
  const attach: Command[] = form.attachments.map((file) => ({
    type: "attach",
    threadId,
    name: file.name,
    mime: file.type,
    data: toBase64Url(file.bytes),
  }));
  const names = [...form.attachments.map((a) => a.name), ...(form.retry?.attachments ?? [])].slice(0, MAX_ATTACHMENTS);
  return [
    ...attach,
    {
      type: "new-task",
      threadId,
      text: form.text,
      mode: form.mode,
      ...(form.model ? { model: form.model } : {}),
      ...(form.agent ? { agent: form.agent } : {}),
      ...(form.agentMode ? { agentMode: form.agentMode } : {}),
      ...(form.agentSession ? { agentSession: form.agentSession } : {}),
      ...(names.length ? { attachments: names } : {}),
      ...(form.retry ? { retryOf: form.retry.of } : {}),
      ...(form.worktree !== undefined ? { worktree: form.worktree } : {}),
    },
  ];
}
