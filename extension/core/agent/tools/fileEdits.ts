// write_file, edit_file, delete_file. Each only plans its change (before and after); the agent
// checks the policy, asks a person when it must, and applies the plan through the workspace.

import { z } from "zod";
import { ErrorCode, TetherError } from "#protocol";
import { defineTool } from "./define";
import { replaceText } from "./editText";
import type { ToolContext } from "./tool";

const reason = z
  .string()
  .optional()
  .describe("One short sentence on why, shown to the user when they are asked to approve the change.");

/** The file's text, or null when it does not exist yet. Checks the path may be written first. */
async function currentText(ctx: ToolContext, path: string): Promise<{ rel: string; text: string | null }> {
  const target = await ctx.workspace.resolveWrite(path);
  return { rel: target.rel, text: target.exists ? await ctx.workspace.readText(target.rel) : null };
}

const writeArgs = z.object({
  path: z.string().min(1).describe("File to create or replace, relative to the workspace root. Missing folders are created."),
  content: z.string().describe("The whole new content of the file."),
  reason,
});

export const writeFileTool = defineTool<z.infer<typeof writeArgs>>({
  name: "write_file",
  kind: "edit",
  description:
    "Create a file, or replace a file's whole content. Use it for new files and for rewriting small files; " +
    "to change part of an existing file, use edit_file, which is cheaper and safer. " +
    "Secret files (.env, keys) and files inside .git cannot be written.",
  args: writeArgs,
  title: (a) => a.path,
  reason: (a) => a.reason,
  async plan(a, ctx) {
    const { rel, text } = await currentText(ctx, a.path);
    if (text === a.content)
      throw new TetherError(ErrorCode.BadRequest, `${rel} already has exactly this content; nothing to change.`);
    return { path: rel, before: text, after: a.content };
  },
});

const editArgs = z.object({
  path: z.string().min(1).describe("File to change, relative to the workspace root."),
  old_text: z
    .string()
    .describe(
      "The exact text to replace, copied from the file with its indentation and line breaks, without read_file's line numbers. " +
        "Include enough surrounding lines that it occurs only once.",
    ),
  new_text: z.string().describe("The text to put in its place (empty to delete old_text)."),
  replace_all: z
    .boolean()
    .optional()
    .describe("Replace every occurrence of old_text instead of requiring exactly one. Default false."),
  reason,
});

export const editFileTool = defineTool<z.infer<typeof editArgs>>({
  name: "edit_file",
  kind: "edit",
  description:
    "Change part of an existing file by exact text replacement: old_text must appear in the file exactly once " +
    "(or set replace_all). It is matched character for character, whitespace included, so copy it from a recent read_file. " +
    "If it is not found, the error shows the most similar lines. Line endings (LF or CRLF) are kept as the file has them. " +
    "To create a file use write_file.",
  args: editArgs,
  title: (a) => a.path,
  reason: (a) => a.reason,
  async plan(a, ctx) {
    const { rel, text } = await currentText(ctx, a.path);
    if (text === null) throw new TetherError(ErrorCode.NotFound, `${rel} does not exist. To create it, use write_file.`);
    const after = replaceText({
      path: rel,
      content: text,
      oldText: a.old_text,
      newText: a.new_text,
      replaceAll: a.replace_all ?? false,
    });
    return { path: rel, before: text, after };
  },
});

const deleteArgs = z.object({
  path: z.string().min(1).describe("File to delete, relative to the workspace root."),
  reason,
});

export const deleteFileTool = defineTool<z.infer<typeof deleteArgs>>({
  name: "delete_file",
  kind: "edit",
  description:
    "Delete one text file (so the user can revert it later). Folders and binary files are not deleted with this tool; " +
    "use run_command for those.",
  args: deleteArgs,
  title: (a) => a.path,
  reason: (a) => a.reason,
  async plan(a, ctx) {
    const { rel, text } = await currentText(ctx, a.path).catch((err: unknown) => {
      if (err instanceof TetherError && err.code === ErrorCode.BadRequest) {
        throw new TetherError(
          ErrorCode.BadRequest,
          `${err.message} delete_file deletes text files only; use run_command for this one.`,
        );
      }
      throw err;
    });
    if (text === null) throw new TetherError(ErrorCode.NotFound, `${rel} does not exist.`);
    return { path: rel, before: text, after: null };
  },
});
