// read_file: numbered lines, a window at a time, so a long file costs only the part the model needs.

import { z } from "zod";
import { ErrorCode, TetherError } from "#protocol";
import { defineTool } from "./define";
import { formatBytes, formatCount, lineRange, numberLines, splitLines, utf8Length } from "./format";

export const READ_MAX_LINES = 2000;
export const READ_MAX_BYTES = 100 * 1024;
/** Longer lines (minified code, data) are cut; the rest of the line is counted, not shown. */
const MAX_LINE_CHARS = 2000;

const line = z.number().int().min(1);
const args = z.object({
  path: z.string().min(1).describe("File to read, relative to the workspace root."),
  startLine: line.optional().describe("First line to show, 1-based. Default 1."),
  endLine: line.optional().describe("Last line to show, inclusive. Default: the end of the file (as far as the limit allows)."),
});

export const readFileTool = defineTool<z.infer<typeof args>>({
  name: "read_file",
  kind: "read",
  description:
    `Read a text file of the workspace, with line numbers (\`  12│text\`; the number and │ are not part of the file). ` +
    `Shows at most ${formatCount(READ_MAX_LINES)} lines or ${formatBytes(READ_MAX_BYTES)} per call; for longer files the ` +
    "answer says which startLine to ask for next. Read the part you need (use search to find it) rather than whole large files. " +
    "Files ignored by .gitignore can be read; secret files (.env, keys) cannot. Binary files and files over 2 MB are refused.",
  args,
  title: (a) => (a.startLine || a.endLine ? `${a.path}:${a.startLine ?? 1}–${a.endLine ?? "end"}` : a.path),
  async run(a, ctx) {
    const text = await ctx.workspace.readText(a.path);
    const lines = splitLines(text);
    const total = lines.length;
    if (total === 0) return { ok: true, output: `${a.path} is empty.` };
    const start = a.startLine ?? 1;
    if (start > total) {
      throw new TetherError(
        ErrorCode.BadRequest,
        `${a.path} has ${formatCount(total)} lines; startLine ${start} is past its end.`,
      );
    }
    const end = Math.min(a.endLine ?? total, total);
    if (end < start) throw new TetherError(ErrorCode.BadRequest, `endLine ${end} comes before startLine ${start}.`);

    const shown: string[] = [];
    let bytes = 0;
    for (let n = start; n <= end && shown.length < READ_MAX_LINES; n++) {
      const raw = lines[n - 1]!;
      const text =
        raw.length > MAX_LINE_CHARS ? `${raw.slice(0, MAX_LINE_CHARS)}… [line cut: ${formatCount(raw.length)} characters]` : raw;
      const size = utf8Length(text) + 1;
      if (bytes + size > READ_MAX_BYTES && shown.length > 0) break;
      shown.push(text);
      bytes += size;
    }
    const last = start + shown.length - 1;
    const output = numberLines(shown, start);
    const span = `${a.path} has ${formatCount(total)} lines; showing ${lineRange(start, last)}`;
    if (last < end) return { ok: true, output, truncated: `${span}; call again with startLine=${last + 1}` };
    if (start > 1 || last < total) return { ok: true, output: `${output}\n(${span})` };
    return { ok: true, output };
  },
});
