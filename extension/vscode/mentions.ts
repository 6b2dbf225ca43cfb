// The sidebar's `@path` mentions, expanded when a task or message goes to the agent: each
// mentioned workspace file's content is put after the text, as Cline does. Chosen over copying
// the file as an attachment (.tether/attachments/): the file is already in the workspace, and a
// copy under another path would be read, or edited, in place of the real one. The content is
// there at once, without a tool call, in read-only mode too. Free of `vscode`, so mocha reaches
// it: the reader is given (extension/vscode/sidebarView.ts reads through the workspace).

import { mentionedPaths } from "#protocol/panel";

/** Files past this many characters are named, not included: the agent can read them itself. */
export const MAX_MENTION_CHARS = 24_000;
/** At most this many mentioned files are included in one message. */
export const MAX_MENTIONED_FILES = 5;

/** A workspace file's text, or null when there is no such file (or it is not inside the workspace). */
export type ReadMentioned = (path: string) => Promise<string | null>;

const fenceFor = (text: string): string => "`".repeat(Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length)) + 1);

/** `text` with the content of the files it mentions after it; mentions of no file stay as they are. */
export async function expandMentions(text: string, read: ReadMentioned): Promise<string> {
  const blocks: string[] = [];
  for (const path of mentionedPaths(text)) {
    if (blocks.length === MAX_MENTIONED_FILES) {
      blocks.push(`(More files are mentioned; only the first ${MAX_MENTIONED_FILES} are included.)`);
      break;
    }
    const content = await read(path).catch(() => null);
    if (content === null) continue;
    if (content.length > MAX_MENTION_CHARS) {
      blocks.push(`@${path} is ${content.length.toLocaleString("en")} characters long: read it from the workspace.`);
      continue;
    }
    const fence = fenceFor(content);
    blocks.push(`Content of @${path}:\n${fence}\n${content.replace(/\n$/, "")}\n${fence}`);
  }
  return blocks.length ? `${text}\n\n${blocks.join("\n\n")}` : text;
}

/** Whether `path` (from a panel) names a file inside the workspace: relative, no `..`, no drive. */
export function insideWorkspace(path: string): boolean {
  if (path.startsWith("/") || path.startsWith("\\") || /^[a-zA-Z]:/.test(path)) return false;
  return !path.split(/[\\/]/).some((part) => part === "..");
}
