// list_dir: one folder at a time, folders first, as the phone's file browser shows it.

import { z } from "zod";
import { capText } from "./cap";
import { defineTool } from "./define";
import { formatBytes, formatCount } from "./format";

const MAX_LINES = 1000;
const MAX_CHARS = 40_000;

const args = z.object({
  path: z.string().describe('Folder to list, relative to the workspace root; "" or "." for the root.'),
});

export const listDirTool = defineTool<z.infer<typeof args>>({
  name: "list_dir",
  kind: "read",
  description:
    "List one folder of the workspace: sub-folders first (shown with a trailing /), then files with their sizes. " +
    "Entries excluded by .gitignore and secret files (.env, keys) are hidden and only counted. " +
    "It does not recurse: list sub-folders as you need them, or use search to find files by their content.",
  args,
  title: (a) => a.path || ".",
  async run(a, ctx) {
    const listing = await ctx.workspace.listDir(a.path);
    const lines = listing.entries.map((e) => {
      if (e.kind === "dir") return `${e.name}/`;
      if (e.kind === "file") return `${e.name}  (${formatBytes(e.size)})`;
      if (e.kind === "symlink") return `${e.name}  (symbolic link out of the workspace, or broken)`;
      return `${e.name}  (special file)`;
    });
    const notes: string[] = [];
    if (listing.truncated) notes.push(`listing cut at ${formatCount(listing.entries.length)} entries`);
    if (listing.hidden) notes.push(`${formatCount(listing.hidden)} hidden (ignored by .gitignore, or secret)`);
    const head = `${listing.path || "."}/ — ${formatCount(listing.entries.length)} ${listing.entries.length === 1 ? "entry" : "entries"}`;
    const body = lines.length ? lines.join("\n") : "(empty)";
    const capped = capText(body, { maxChars: MAX_CHARS, maxLines: MAX_LINES, keep: "head" });
    const output = [head, capped.text, ...notes.map((n) => `(${n})`)].join("\n");
    return { ok: true, output, ...(capped.truncated ? { truncated: capped.truncated } : {}) };
  },
});
